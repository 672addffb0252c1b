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


def _storable(value: str) -> str:
    """No control characters but line breaks and tabs, and no lone surrogates: PostgreSQL
    refuses NUL, and neither database driver can encode half a surrogate pair."""
    for char in value:
        if char not in KEPT_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


def _stripped(value: str) -> str:
    return value.strip()


Text = Annotated[
    str,
    AfterValidator(_stripped),
    Field(min_length=1, max_length=TEXT_LIMIT),
    AfterValidator(_storable),
]
Feedback = Annotated[
    str, AfterValidator(_stripped), Field(max_length=FEEDBACK_LIMIT), AfterValidator(_storable)
]
Weight = Annotated[float, Field(ge=-FULL, le=FULL)]


class QuestionBody(BaseModel):
    """What a kind adds to a question; frozen, since published content never changes."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    def parse(self, form: Form) -> dict[str, Any]:
        """The submitted form as this kind's response, ready to store as JSON."""
        raise NotImplementedError

    def fraction(self, response: Mapping[str, Any]) -> float:
        """The share of the question's points a response earns, from 0 to 1 (never below)."""
        raise NotImplementedError

    def describe(self, response: Mapping[str, Any] | None) -> str:
        """A stored response in words, for feedback, review and "you already answered"."""
        raise NotImplementedError

    def solution(self) -> str:
        """The right answer in words, shown after a response that was not fully right."""
        raise NotImplementedError

    def feedback(self, response: Mapping[str, Any]) -> str:
        """What the author wrote for this response (per-answer feedback), if anything."""
        return ""


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
