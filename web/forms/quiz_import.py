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

import unicodedata
from collections import Counter
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
from pydantic_core import ErrorDetails

from web.forms import FormResult
from web.kinds import KINDS
from web.kinds import Kind
from web.kinds import QuestionBody
from web.kinds.base import Text as ChoiceText
from web.models import Difficulty
from web.models import FeedbackMode

FORMAT = 2
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_QUIZZES = 200
MAX_QUESTIONS = 100
MAX_CHOICES = 9  # keys 1-9 pick an answer (CONTRACT.md)
MAX_TIME_LIMIT = 24 * 60 * 60
MAX_POINTS = 1000
KEPT_CONTROLS = frozenset("\t\n\r")  # line breaks and tabs are text; other controls are not
COMMON_QUESTION_FIELDS = frozenset({"kind", "text", "explanation", "points"})
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


def _storable(value: str) -> str:
    """No control characters but line breaks and tabs, and no lone surrogates: PostgreSQL
    refuses NUL, and neither database driver can encode half a surrogate pair."""
    for char in value:
        if char not in KEPT_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


_Stripped = AfterValidator(str.strip)
_Stored = AfterValidator(_storable)
Slug = Annotated[str, _Stripped, Field(max_length=120, pattern=SLUG_PATTERN)]
Title = Annotated[str, _Stripped, Field(min_length=1, max_length=200), _Stored]
Description = Annotated[str, _Stripped, Field(max_length=4000), _Stored]
Category = Annotated[str, _Stripped, Field(min_length=1, max_length=80), _Stored]
QuestionText = Annotated[str, _Stripped, Field(min_length=1, max_length=2000), _Stored]
Explanation = Annotated[str, _Stripped, Field(max_length=4000), _Stored]
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
    return QuestionData(question.kind, question.text, question.explanation, question.points, body)


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
        return FormResult(errors=_errors(error))
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


# --------------------------------------------------------------------------- error messages

TAG_AT = 4  # ("quizzes", i, "questions", j, <kind>, ...): pydantic's loc in a tagged union
FIXED_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not part of the format (check its spelling)",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a number",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
}
BOUNDS = {
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def _errors(error: ValidationError) -> dict[str, str]:
    details = error.errors(include_url=False)
    paths = [_path(detail) for detail in details]
    errors: dict[str, str] = {}
    for path, detail in zip(paths, details, strict=True):
        # pydantic counts a list again without its bad entries ("at least 2 items after
        # validation"): noise beside the entry's own message.
        if detail["type"] == "too_short" and any(p.startswith(f"{path}[") for p in paths):
            continue
        errors.setdefault(path, _message(detail))
    return errors


def _path(detail: ErrorDetails) -> str:
    """`quizzes[0].questions[3].choices[1].weight`: the union's tag left out of the loc,
    and a kind that is missing or unknown reported at the question's `kind`."""
    loc = list(detail["loc"])
    if len(loc) > TAG_AT and loc[TAG_AT - 2] == "questions" and loc[TAG_AT] in QUESTION_MODELS:
        del loc[TAG_AT]
    if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("kind")
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "document"


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plural(count: object, one: str, many: str) -> str:
    return f"{_number(count)} {one if count == 1 else many}"


def _message(detail: ErrorDetails) -> str:
    """Words a teacher reads, without pydantic's type names and context."""
    kind, ctx, loc = detail["type"], detail.get("ctx") or {}, detail["loc"]
    if kind == "missing":
        return "is required"
    if len(loc) == len(("quizzes", 0, "field")) and loc[-1] in FIELD_MESSAGES:
        return FIELD_MESSAGES[str(loc[-1])]
    if kind in FIXED_MESSAGES:
        return FIXED_MESSAGES[kind]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = detail["input"].get("kind") if isinstance(detail["input"], dict) else None
        found = f", not {given!r}" if isinstance(given, str) else ""
        return f"must be one of the kinds {', '.join(KINDS)}{found}"
    if isinstance(detail["input"], str):  # lengths checked after trimming count as "too_short"
        if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
            return "is required"
        if kind in ("string_too_long", "too_long"):
            kind = "string_too_long"
    return _limit_message(kind, ctx) or detail["msg"]


def _limit_message(kind: str, ctx: dict[str, Any]) -> str:  # noqa: PLR0911 - one per error type
    if kind in BOUNDS:
        words, key = BOUNDS[kind]
        return f"must be {words} {_number(ctx.get(key))}"
    if kind == "string_too_long":
        return f"must be at most {_plural(ctx.get('max_length'), 'character', 'characters')}"
    if kind == "too_short":
        return f"must have at least {_plural(ctx.get('min_length'), 'entry', 'entries')}"
    if kind == "too_long":
        return f"must have at most {_plural(ctx.get('max_length'), 'entry', 'entries')}"
    if kind in ("enum", "literal_error"):
        return f"must be {str(ctx.get('expected', '')).replace(chr(39), '')}"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return ""
