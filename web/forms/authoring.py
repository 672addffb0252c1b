"""Forms: what authors send from the editor: quiz settings and a question's common fields.

Field names are the form's; labels are fixed by CONTRACT.md ("Authoring"). Each parser
returns typed data or a message per field, and always the values as typed, so nothing a
person wrote is lost when a save is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation

from web.forms import FormResult
from web.forms import text_value
from web.forms.quiz_import import DESCRIPTION_LIMIT
from web.forms.quiz_import import EXPLANATION_LIMIT
from web.forms.quiz_import import MAX_POINTS
from web.forms.quiz_import import QUESTION_TEXT_LIMIT
from web.models import Difficulty
from web.models import FeedbackMode
from web.models import TextFormat

TITLE_MAX = 200
CATEGORY_MAX = 80
MAX_MINUTES = 24 * 60
LIMITS = {
    "description": DESCRIPTION_LIMIT,
    "text": QUESTION_TEXT_LIMIT,
    "explanation": EXPLANATION_LIMIT,
    "points": 20,
}
SETTINGS_FIELDS = (
    "title",
    "description",
    "category",
    "difficulty",
    "time_limit_minutes",
    "feedback_mode",
)


@dataclass(frozen=True)
class QuizSettings:
    title: str
    description: str
    category: str
    difficulty: str
    time_limit_seconds: int | None
    feedback_mode: str
    shuffle_questions: bool
    shuffle_choices: bool


@dataclass(frozen=True)
class QuestionFields:
    """What every kind's editor has: "Question text", "Points", "Explanation"."""

    text: str
    points: float
    explanation: str
    text_format: str


def _checked(form: Mapping[str, str], name: str) -> bool:
    return form.get(name) in ("on", "yes", "true", "1")


def _required(errors: dict[str, str], name: str, value: str, limit: int, what: str) -> None:
    if not value:
        errors[name] = f"Enter {what}."
    elif len(value) > limit:
        errors[name] = f"Use at most {limit} characters."


def _minutes(errors: dict[str, str], raw: str) -> int | None:
    """Blank means no limit; otherwise whole minutes, 1 to a day."""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_MINUTES:
        errors["time_limit_minutes"] = (
            f"Enter whole minutes from 1 to {MAX_MINUTES}, or leave it empty for no limit."
        )
        return None
    return int(raw) * 60


def parse_quiz_settings(form: Mapping[str, str]) -> FormResult[QuizSettings]:
    values = {name: text_value(form, name, LIMITS.get(name, TITLE_MAX)) for name in SETTINGS_FIELDS}
    errors: dict[str, str] = {}
    _required(errors, "title", values["title"], TITLE_MAX, "a title")
    _required(errors, "category", values["category"], CATEGORY_MAX, "a category")
    if len(values["description"]) > DESCRIPTION_LIMIT:
        errors["description"] = f"Use at most {DESCRIPTION_LIMIT} characters."
    if values["difficulty"] not in set(Difficulty):
        errors["difficulty"] = "Choose easy, medium or hard."
    if values["feedback_mode"] not in set(FeedbackMode):
        errors["feedback_mode"] = "Choose immediate feedback or exam mode."
    seconds = _minutes(errors, values["time_limit_minutes"])
    shuffles = {name: _checked(form, name) for name in ("shuffle_questions", "shuffle_choices")}
    values |= {name: "on" if on else "" for name, on in shuffles.items()}
    if errors:
        return FormResult(errors=errors, values=values)
    settings = QuizSettings(
        title=values["title"],
        description=values["description"],
        category=values["category"],
        difficulty=values["difficulty"],
        time_limit_seconds=seconds,
        feedback_mode=values["feedback_mode"],
        **shuffles,
    )
    return FormResult(data=settings, values=values)


def _points(errors: dict[str, str], raw: str) -> float:
    """Points as people write them: 1, 0.5 or 2,5; more than 0, at most MAX_POINTS."""
    try:
        points = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        points = Decimal(0)
    if not points.is_finite() or not 0 < points <= MAX_POINTS:
        errors["points"] = f"Enter points above 0 and up to {MAX_POINTS}, like 1 or 0.5."
        return 1.0
    return float(points)


def parse_question_fields(form: Mapping[str, str]) -> FormResult[QuestionFields]:
    values = {
        name: text_value(form, name, LIMITS[name]) for name in ("text", "points", "explanation")
    }
    values["text_format"] = form.get("text_format") or TextFormat.PLAIN
    errors: dict[str, str] = {}
    _required(errors, "text", values["text"], QUESTION_TEXT_LIMIT, "the question")
    if len(values["explanation"]) > EXPLANATION_LIMIT:
        errors["explanation"] = f"Use at most {EXPLANATION_LIMIT} characters."
    points = _points(errors, values["points"] or "1")
    if values["text_format"] not in set(TextFormat):
        errors["text_format"] = "Choose plain text, Markdown or HTML."
    if errors:
        return FormResult(errors=errors, values=values)
    fields = QuestionFields(values["text"], points, values["explanation"], values["text_format"])
    return FormResult(data=fields, values=values)
