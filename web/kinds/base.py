"""Kinds: the interface every question kind implements, and the pieces kinds share.

A kind is one module in this package (registered in web/kinds/__init__.py) holding a
`Body`: the kind's own content of a question (choices, accepted answers, items, pairs),
validated here whether it comes from an import document, the database or an editor. The
body parses a submitted form into a response, grades a response into a fraction of the
question's points, and says in words what a response was and what the right one is. Its
markup lives in components/kinds/<kind>.html. The engine around it never branches on kind.
"""

from __future__ import annotations

import unicodedata
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Annotated
from typing import Any
from typing import Protocol

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

MAX_OPTIONS = 9  # keys 1-9 pick an answer (CONTRACT.md); items and pairs keep the same cap
TEXT_LIMIT = 500
FEEDBACK_LIMIT = 2000
KEPT_CONTROLS = frozenset("\t\n\r")
FULL = 100.0  # weights are percentages of a question's points, as in Moodle and GIFT


class ResponseError(ValueError):
    """The form is no answer to the question (nothing chosen, not a number): a 422 whose
    message the taker reads beside the question; nothing is stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Form(Protocol):
    """The submitted fields, several values per name (Quart's and Werkzeug's MultiDict)."""

    def getlist(self, key: str) -> list[str]: ...


def storable(value: str) -> str:
    """No control characters but line breaks and tabs, and no lone surrogates: PostgreSQL
    refuses NUL, and neither database driver can encode half a surrogate pair."""
    for char in value:
        if char not in KEPT_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


def _stripped(value: str) -> str:
    return value.strip()


def _required(value: str) -> str:
    """Pydantic's own words for an empty string ("at least 1 item") would puzzle a teacher."""
    if not value:
        raise ValueError("must not be empty")
    return value


Text = Annotated[
    str,
    AfterValidator(_stripped),
    AfterValidator(_required),
    Field(max_length=TEXT_LIMIT),
    AfterValidator(storable),
]
Feedback = Annotated[
    str, AfterValidator(_stripped), Field(max_length=FEEDBACK_LIMIT), AfterValidator(storable)
]
Weight = Annotated[float, Field(ge=-FULL, le=FULL)]


class QuestionBody(BaseModel, ABC):
    """What a kind adds to a question; frozen, since published content never changes.
    Abstract: every kind implements parse, fraction, describe and solution."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    @abstractmethod
    def parse(self, form: Form) -> dict[str, Any]:
        """The submitted form as this kind's response, ready to store as JSON."""

    @abstractmethod
    def fraction(self, response: Mapping[str, Any]) -> float:
        """The share of the question's points a response earns, from 0 to 1 (never below)."""

    @abstractmethod
    def describe(self, response: Mapping[str, Any] | None) -> str:
        """A stored response in words, for feedback, review and "you already answered"."""

    @abstractmethod
    def solution(self) -> str:
        """The right answer in words, shown after a response that was not fully right."""

    def feedback(self, response: Mapping[str, Any]) -> str:
        """What the author wrote for this response (per-answer feedback), if anything."""
        return ""

    def answer_labels(self) -> tuple[str, ...]:
        """The answers a live game's reveal counts even when nobody gave them (a kind's
        choices); a typed kind has none, and counts the answers as given."""
        return ()

    def right_labels(self) -> tuple[str, ...]:
        """The reveal's answers that are right, as tally() words them (typed answers given
        with full marks are added to them as they come)."""
        return (self.solution(),)

    def tally(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """The answers one response counts toward in the reveal: its words, once."""
        return (self.describe(response),)


def one_value(form: Form, name: str) -> str:
    """The field's single value, trimmed; a field sent twice is malformed, not two answers."""
    values = form.getlist(name)
    if len(values) > 1:
        raise ResponseError("Send one answer to this question.")
    return values[0].strip() if values else ""


def clamp(fraction: float) -> float:
    """Never below nothing, never above everything; rounded so sums stay tidy."""
    return round(min(max(fraction, 0.0), 1.0), 7)


def unique_ids[T: BaseModel](items: Sequence[T], what: str) -> Sequence[T]:
    """Ids name an option within its question (responses refer to them): no two alike."""
    ids = [getattr(item, "id") for item in items]  # noqa: B009 - every option model has an id
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} ids must be unique within the question")
    return items


def with_ids(raw: Any, key: str) -> Any:
    """Number a list of options 1, 2, 3… where a document left their ids out."""
    if isinstance(raw, dict) and isinstance(raw.get(key), list):
        options = raw[key]
        if all(isinstance(option, dict) and "id" not in option for option in options):
            raw = {**raw, key: [{"id": n, **option} for n, option in enumerate(options, 1)]}
    return raw


def typed_text(form: Form, name: str, empty: str) -> str:
    """A typed answer, trimmed; `empty` says what to do when there is none. Too long or
    holding control characters is refused here, since the response is stored as typed."""
    text = one_value(form, name)
    if not text:
        raise ResponseError(empty)
    if len(text) > TEXT_LIMIT:
        raise ResponseError(f"Keep your answer under {TEXT_LIMIT} characters, then submit.")
    try:
        return storable(text)
    except ValueError:
        raise ResponseError("Type your answer without special characters, then submit.") from None


class Accepted(BaseModel):
    """An accepted typed answer: listing it accepts it (100% unless weighted lower), with
    what the author says to whoever typed it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: Weight = FULL
    feedback: Feedback = ""


def full_marks[T: Accepted](answers: Sequence[T]) -> Sequence[T]:
    """Validator: without an answer worth 100% nobody could earn the question's points."""
    if not any(answer.weight >= FULL for answer in answers):
        raise ValueError("needs one answer worth 100%")
    return answers


def best_match[T: Accepted](answers: Iterable[T], matches: Callable[[T], bool]) -> T | None:
    """The best-weighted answer a response matches: a response matching a right and a half-
    right answer (a wildcard, a wide tolerance) earns the better of the two."""
    return max((answer for answer in answers if matches(answer)), key=_weight, default=None)


def _weight(answer: Accepted) -> float:
    return answer.weight


class TypedBody(QuestionBody):
    """A kind answered by typing (short answer, numeric): the response keeps what was typed
    under "text", and is graded by the best accepted answer it matches (each kind says which,
    in best)."""

    @abstractmethod
    def best(self, response: Mapping[str, Any]) -> Accepted | None:
        """The best accepted answer the stored response matches, if any."""

    def fraction(self, response: Mapping[str, Any]) -> float:
        answer = self.best(response)
        return clamp(answer.weight / FULL) if answer else 0.0

    def describe(self, response: Mapping[str, Any] | None) -> str:
        typed = response.get("text") if response else None
        return typed if isinstance(typed, str) and typed else "not answered"

    def feedback(self, response: Mapping[str, Any]) -> str:
        answer = self.best(response)
        return answer.feedback if answer else ""
