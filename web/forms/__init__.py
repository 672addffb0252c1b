"""Forms: parse and validate input into typed data or {field: message}; no database here."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

MAX_FIELD_LENGTH = 1000
MAX_PAGE_DIGITS = 6
KEPT_CONTROLS = frozenset("\t\n")


@dataclass
class FormResult[T]:
    """What a form parser returns: typed data when valid, else a message per field."""

    data: T | None = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and self.data is not None


def text_value(form: Mapping[str, str], name: str, limit: int = MAX_FIELD_LENGTH) -> str:
    """A field's text, trimmed and capped, without control characters.

    They cannot be typed into a form, and PostgreSQL refuses NUL outright (a 500 otherwise).
    The cap is one past the field's `limit` so validators still see "too long" (a cap at
    the limit itself would cut what was typed without saying so).
    """
    raw = form.get(name) or ""
    if not isinstance(raw, str):
        return ""
    cleaned = "".join(
        char for char in raw if char in KEPT_CONTROLS or unicodedata.category(char) != "Cc"
    )
    return cleaned.strip()[: limit + 1]


def small_int(raw: object, digits: int = MAX_PAGE_DIGITS) -> int | None:
    """An ASCII-digit number of at most `digits` digits, else None.

    str.isdigit() alone accepts "²" and other digits int() refuses (a 500 otherwise).
    """
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= digits:
        return int(raw)
    return None


def page_number(args: Mapping[str, str], name: str = "page") -> int:
    """A 1-based page number; anything odd (text, huge, negative) means the first page."""
    return small_int(args.get(name, "1")) or 1
