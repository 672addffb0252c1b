"""Forms: parse and validate input into typed data or {field: message}; no database here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

MAX_FIELD_LENGTH = 1000


@dataclass
class FormResult[T]:
    """What a form parser returns: typed data when valid, else a message per field."""

    data: T | None = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and self.data is not None


def text_value(form: Mapping[str, str], name: str) -> str:
    """A field's text, trimmed, with control characters refused by the validators that follow."""
    return (form.get(name) or "").strip()[: MAX_FIELD_LENGTH + 1]
