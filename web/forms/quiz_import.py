"""Forms: the quiz document format shared by `import`, `export` and the demo content.

Format 2 (docs/quiz-format.md): {"format": 2, "quizzes": [quiz, ...]}; a quiz is {slug,
title, description, category, difficulty, time_limit_seconds, feedback_mode,
shuffle_questions, shuffle_choices, published, questions: [...]} and a question is {kind,
text, explanation, points, ...the fields of that kind's Body (web/kinds)}. The questions
are one pydantic model per registered kind in a union tagged by `kind`, so a new kind is
accepted without a change here. A document without "format" is format 1: single choice
questions {text, explanation, choices: [{text, correct}]}, still imported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated
from typing import Any
from typing import Literal
from typing import Union

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StrictBool
from pydantic import ValidationError
from pydantic import create_model
from pydantic import field_validator

from web.forms import FormResult
from web.forms.validation_messages import problems
from web.kinds import KINDS
from web.kinds import Kind
from web.kinds import QuestionBody
from web.kinds.base import Text as ChoiceText
from web.kinds.base import storable
from web.models import Difficulty
from web.models import FeedbackMode
from web.models import TextFormat

FORMAT = 2
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_QUIZZES = 200
MAX_QUESTIONS = 100
MAX_CHOICES = 9  # keys 1-9 pick an answer (CONTRACT.md)
MAX_TIME_LIMIT = 24 * 60 * 60
MAX_POINTS = 1000
DESCRIPTION_LIMIT = 4000
# Room for HTML with a few small inline (data: URI) images, as Moodle XML and GIFT carry.
QUESTION_TEXT_LIMIT = 20_000
EXPLANATION_LIMIT = 20_000
COMMON_QUESTION_FIELDS = frozenset({"kind", "text", "explanation", "points", "text_format"})
# Messages for a field whatever went wrong with it, where the generic one would say less.
FIELD_MESSAGES = {
    "slug": "must be lower-case letters and digits, words joined by hyphens (at most 120)",
    "time_limit_seconds": f"must be null or a whole number of seconds from 1 to {MAX_TIME_LIMIT}",
}


@dataclass(frozen=True)
class QuestionData:
    """One question of a document: `body` is its kind's validated Body."""

    kind: str
    text: str
    explanation: str
    points: float
    body: QuestionBody
    # How the question's words are written (text, explanation, choices, feedback): plain
    # text, Markdown, or HTML; rendered and sanitised when shown, stored as written.
    text_format: str = TextFormat.PLAIN


@dataclass(frozen=True)
class QuizData:
    slug: str
    title: str
    description: str
    category: str
    difficulty: str
    time_limit_seconds: int | None
    feedback_mode: str
    shuffle_questions: bool
    shuffle_choices: bool
    published: bool
    questions: tuple[QuestionData, ...]


_Stripped = AfterValidator(str.strip)
_Stored = AfterValidator(storable)
Slug = Annotated[str, _Stripped, Field(max_length=120, pattern=SLUG_PATTERN)]
Title = Annotated[str, _Stripped, Field(min_length=1, max_length=200), _Stored]
Description = Annotated[str, _Stripped, Field(max_length=DESCRIPTION_LIMIT), _Stored]
Category = Annotated[str, _Stripped, Field(min_length=1, max_length=80), _Stored]
QuestionText = Annotated[
    str, _Stripped, Field(min_length=1, max_length=QUESTION_TEXT_LIMIT), _Stored
]
Explanation = Annotated[str, _Stripped, Field(max_length=EXPLANATION_LIMIT), _Stored]
Points = Annotated[float, Field(strict=True, gt=0, le=MAX_POINTS, allow_inf_nan=False)]
TimeLimit = Annotated[int, Field(strict=True, gt=0, le=MAX_TIME_LIMIT)]


class _Quiz(BaseModel):
    """The catalog fields and settings of a quiz, the same in both formats."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug
    title: Title
    description: Description = ""
    category: Category
    difficulty: Difficulty = Difficulty.MEDIUM
    time_limit_seconds: TimeLimit | None = None
    feedback_mode: FeedbackMode = FeedbackMode.IMMEDIATE
    shuffle_questions: StrictBool = False
    shuffle_choices: StrictBool = False
    published: StrictBool = False


def _question_model(kind: Kind) -> type[QuestionBody]:
    """The kind's Body plus what every question has, tagged with the kind's name."""
    return create_model(
        "".join(word.title() for word in kind.name.split("_")) + "Question",
        __base__=kind.body,
        kind=(Literal.__getitem__(kind.name), ...),  # type: ignore[arg-type]
        text=(QuestionText, ...),
        explanation=(Explanation, ""),
        points=(Points, 1.0),
        text_format=(TextFormat, TextFormat.PLAIN),
    )


QUESTION_MODELS = {name: _question_model(kind) for name, kind in KINDS.items()}
_AnyQuestion: Any = Annotated[
    Union.__getitem__(tuple(QUESTION_MODELS.values())),
    Field(discriminator="kind"),
]


class _QuizV2(_Quiz):
    questions: Annotated[list[_AnyQuestion], Field(min_length=1, max_length=MAX_QUESTIONS)]


class _DocumentV2(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[2]
    quizzes: Annotated[list[_QuizV2], Field(min_length=1, max_length=MAX_QUIZZES)]


class _ChoiceV1(BaseModel):
    text: ChoiceText
    correct: StrictBool = False


class _QuestionV1(BaseModel):
    text: QuestionText
    explanation: Explanation = ""
    choices: Annotated[list[_ChoiceV1], Field(min_length=2, max_length=MAX_CHOICES)]

    @field_validator("choices")
    @classmethod
    def _one_correct(cls, choices: list[_ChoiceV1]) -> list[_ChoiceV1]:
        if sum(choice.correct for choice in choices) != 1:
            raise ValueError("must have exactly one correct choice")
        return choices


class _QuizV1(_Quiz):
    model_config = ConfigDict(frozen=True, extra="ignore")  # format 1 never refused extra keys

    questions: Annotated[list[_QuestionV1], Field(min_length=1, max_length=MAX_QUESTIONS)]


class _DocumentV1(BaseModel):
    format: Literal[1] = 1
    quizzes: Annotated[list[_QuizV1], Field(min_length=1, max_length=MAX_QUIZZES)]


def _from_v1(question: _QuestionV1) -> QuestionData:
    choices = [{"text": c.text, "weight": 100 if c.correct else 0} for c in question.choices]
    body = KINDS["single_choice"].body.model_validate({"choices": choices})
    return QuestionData("single_choice", question.text, question.explanation, 1.0, body)


def _from_v2(question: Any) -> QuestionData:
    body_model = KINDS[question.kind].body
    body = body_model.model_validate(question.model_dump(include=set(body_model.model_fields)))
    return QuestionData(
        question.kind,
        question.text,
        question.explanation,
        question.points,
        body,
        question.text_format,
    )


def question_from(kind: str, fields: Mapping[str, Any]) -> QuestionData | dict[str, str]:
    """One question validated as an import document's would be, or {path: message}: the
    file readers (web/formats) build their questions through this."""
    try:
        model = QUESTION_MODELS[kind].model_validate({"kind": kind, **fields})
    except ValidationError as error:
        return problems(error, tags=QUESTION_MODELS, named={})
    return _from_v2(model)


def _quiz_data(quiz: _QuizV1 | _QuizV2) -> QuizData:
    convert = _from_v1 if isinstance(quiz, _QuizV1) else _from_v2
    return QuizData(
        **quiz.model_dump(exclude={"questions"}, mode="json"),
        questions=tuple(convert(question) for question in quiz.questions),
    )


def parse_quiz_document(document: Any) -> FormResult[tuple[QuizData, ...]]:
    """Validate a whole document (parsed JSON); any problem rejects it all, so an import is
    all or nothing. Errors are {"quizzes[0].questions[3].choices[1].weight": message}."""
    if not isinstance(document, dict):
        return FormResult(
            errors={"document": 'must be a JSON object: {"format": 2, "quizzes": []}'}
        )
    version = document.get("format", 1)
    if type(version) is not int or version not in (1, FORMAT):
        return FormResult(errors={"format": f"must be 1 or {FORMAT} (or left out for 1)"})
    model = _DocumentV2 if version == FORMAT else _DocumentV1
    try:
        parsed = model.model_validate(document)
    except ValidationError as error:
        return FormResult(errors=problems(error, tags=QUESTION_MODELS, named=FIELD_MESSAGES))
    slugs = Counter(quiz.slug for quiz in parsed.quizzes)
    if repeated := [slug for slug, count in slugs.items() if count > 1]:
        message = f"slugs must be unique within a document (repeated: {', '.join(repeated)})"
        return FormResult(errors={"quizzes": message})
    return FormResult(data=tuple(_quiz_data(quiz) for quiz in parsed.quizzes))


def quiz_document(quizzes: Sequence[QuizData]) -> dict[str, Any]:
    """The inverse of parse_quiz_document, for `export`: always format 2."""
    return {"format": FORMAT, "quizzes": [_quiz_json(quiz) for quiz in quizzes]}


def _quiz_json(quiz: QuizData) -> dict[str, Any]:
    fields = {name: getattr(quiz, name) for name in _Quiz.model_fields}
    questions = [
        {
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
            "points": question.points,
            **({"text_format": question.text_format} if question.text_format != "plain" else {}),
            **question.body.model_dump(mode="json"),
        }
        for question in quiz.questions
    ]
    return _tidy({**fields, "questions": questions})


def _tidy(value: Any) -> Any:
    """Whole numbers written as 1, not 1.0: people edit these files."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    return value
