"""Services: the refusal every account service raises, with a message fit to show."""

from __future__ import annotations


class AccountError(ValueError):
    """A domain refusal with a message fit to show, keyed by the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
