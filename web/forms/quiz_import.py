"""Forms: the quiz document format shared by `import`, `export` and the demo content.

A document is {"quizzes": [quiz, ...]}; a quiz is {slug, title, description, category,
difficulty, time_limit_seconds, feedback_mode, shuffle_questions, shuffle_choices,
published, questions: [{text, explanation, choices: [{text, correct}, ...]}, ...]}.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from web.forms import FormResult
from web.models import Difficulty
from web.models import FeedbackMode

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_QUIZZES = 200
MAX_QUESTIONS = 100
MIN_CHOICES = 2
MAX_CHOICES = 9  # keys 1-9 pick an answer (CONTRACT.md)
MAX_TIME_LIMIT = 24 * 60 * 60
KEPT_CONTROLS = frozenset("\t\n\r")  # line breaks and tabs are text; other controls are not


@dataclass(frozen=True)
class ChoiceData:
    text: str
    correct: bool


@dataclass(frozen=True)
class QuestionData:
    text: str
    explanation: str
    choices: tuple[ChoiceData, ...]


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


class _Problems:
    """Collects "where: what" messages so one pass reports every problem in a document."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, message)

    def text(
        self, raw: dict[str, Any], key: str, where: str, *, limit: int, required: bool = True
    ) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            self.add(f"{where}.{key}", "must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.add(f"{where}.{key}", "is required")
        elif len(value) > limit:
            self.add(f"{where}.{key}", f"must be at most {limit} characters")
        elif not _storable(value):
            self.add(f"{where}.{key}", "must not contain control characters")
        return value

    def choice(self, raw: dict[str, Any], key: str, where: str, default: StrEnum) -> str:
        """One of the values of default's enum; anything else (even a list, which a set
        cannot hash) is a message naming them."""
        value = raw.get(key, default.value)
        options = type(default)
        if not isinstance(value, str) or value not in set(options):
            names = [option.value for option in options]
            self.add(f"{where}.{key}", f"must be {', '.join(names[:-1])} or {names[-1]}")
            return ""
        return value

    def flag(self, raw: dict[str, Any], key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.add(f"{where}.{key}", "must be true or false")
            return False
        return value


def _storable(text: str) -> bool:
    """No control characters but line breaks and tabs, and no lone surrogates: PostgreSQL
    refuses NUL, and neither database driver can encode half a surrogate pair."""
    return all(
        char in KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs") for char in text
    )


def _choice(problems: _Problems, raw: Any, where: str) -> ChoiceData:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return ChoiceData("", False)
    return ChoiceData(
        text=problems.text(raw, "text", where, limit=500),
        correct=problems.flag(raw, "correct", where),
    )


def _question(problems: _Problems, raw: Any, where: str) -> QuestionData:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return QuestionData("", "", ())
    raw_choices = raw.get("choices")
    if not isinstance(raw_choices, list) or not MIN_CHOICES <= len(raw_choices) <= MAX_CHOICES:
        problems.add(
            f"{where}.choices", f"must be a list of {MIN_CHOICES} to {MAX_CHOICES} choices"
        )
        raw_choices = []
    choices = tuple(
        _choice(problems, c, f"{where}.choices[{i}]") for i, c in enumerate(raw_choices)
    )
    if raw_choices and sum(choice.correct for choice in choices) != 1:
        problems.add(f"{where}.choices", "must have exactly one correct choice")
    return QuestionData(
        text=problems.text(raw, "text", where, limit=2000),
        explanation=problems.text(raw, "explanation", where, limit=4000, required=False),
        choices=choices,
    )


def _time_limit(problems: _Problems, raw: dict[str, Any], where: str) -> int | None:
    value = raw.get("time_limit_seconds")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TIME_LIMIT:
        problems.add(f"{where}.time_limit_seconds", f"must be null or 1 to {MAX_TIME_LIMIT}")
        return None
    return value


def _quiz(problems: _Problems, raw: Any, where: str) -> QuizData | None:
    if not isinstance(raw, dict):
        problems.add(where, "must be an object")
        return None
    slug = problems.text(raw, "slug", where, limit=120)
    if slug and not SLUG_PATTERN.fullmatch(slug):
        problems.add(f"{where}.slug", "must be lower-case words joined by hyphens")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not 1 <= len(raw_questions) <= MAX_QUESTIONS:
        problems.add(f"{where}.questions", f"must be a list of 1 to {MAX_QUESTIONS} questions")
        raw_questions = []
    return QuizData(
        slug=slug,
        title=problems.text(raw, "title", where, limit=200),
        description=problems.text(raw, "description", where, limit=4000, required=False),
        category=problems.text(raw, "category", where, limit=80),
        difficulty=problems.choice(raw, "difficulty", where, Difficulty.MEDIUM),
        time_limit_seconds=_time_limit(problems, raw, where),
        feedback_mode=problems.choice(raw, "feedback_mode", where, FeedbackMode.IMMEDIATE),
        shuffle_questions=problems.flag(raw, "shuffle_questions", where),
        shuffle_choices=problems.flag(raw, "shuffle_choices", where),
        published=problems.flag(raw, "published", where),
        questions=tuple(
            _question(problems, q, f"{where}.questions[{i}]") for i, q in enumerate(raw_questions)
        ),
    )


def parse_quiz_document(document: Any) -> FormResult[tuple[QuizData, ...]]:
    """Validate a whole document; any problem rejects it all, so an import is all or nothing."""
    problems = _Problems()
    raw_quizzes = document.get("quizzes") if isinstance(document, dict) else None
    if not isinstance(raw_quizzes, list) or not 1 <= len(raw_quizzes) <= MAX_QUIZZES:
        problems.add("quizzes", f"must be a list of 1 to {MAX_QUIZZES} quizzes")
        return FormResult(errors=problems.errors)
    quizzes = [_quiz(problems, q, f"quizzes[{i}]") for i, q in enumerate(raw_quizzes)]
    slugs = [quiz.slug for quiz in quizzes if quiz is not None]
    if len(set(slugs)) != len(slugs):
        problems.add("quizzes", "slugs must be unique within a document")
    if problems.errors:
        return FormResult(errors=problems.errors)
    return FormResult(data=tuple(quiz for quiz in quizzes if quiz is not None))


def quiz_document(quizzes: list[QuizData]) -> dict[str, Any]:
    """The inverse of parse_quiz_document, for `export`: field names are the format's keys."""
    return {"quizzes": [asdict(quiz) for quiz in quizzes]}
