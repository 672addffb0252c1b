"""Formats: GIFT, Moodle's plain-text question format, read (gift_read) and written (gift_write).

`read(text, *, title) -> Parsed` and `write(quiz) -> (text, notes)`; what each does with
every GIFT construct is in docs/formats/gift.md.
"""

from __future__ import annotations

from web.formats.gift_read import read
from web.formats.gift_write import write

__all__ = ["read", "write"]
