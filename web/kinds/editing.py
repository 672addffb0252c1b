"""Kinds: reading a question editor's rows back into a raw body, for every kind's from_form.

The editor (components/kinds/<kind>.html, macro `editor`) names row N's fields
`<row>-N-<field>` (N from 1: `choice-2-text`). What is read here is not validated:
services.drafts.validate_body does that, and a refused save shows again what was typed,
so values stay as sent, numbers included (a decimal comma becomes a point, the only
rewriting, so that "33,5" parses). A row left completely blank is dropped: an "Add …"
row nobody filled is no error, and blanking a row deletes it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from web.kinds.base import Form

# A number as takers and authors may type it (web/kinds/numeric.py says which, and why).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]{1,2})?")
ROW_LIMIT = 50  # more rows than any kind takes (9 or 20): the extra ones are not read
ID_DIGITS = 9  # a hidden id longer than this was not written by the editor


def value(form: Form, name: str) -> str:
    """The field's first value as sent, "" when it was not sent (an unticked checkbox)."""
    values = form.getlist(name)
    return values[0] if values else ""


def ticked(form: Form, name: str) -> bool:
    return bool(form.getlist(name))


def number(text: str) -> str:
    """A number as typed, with a decimal comma turned into a point ("33,5" → "33.5");
    anything else stays as typed, for the validation to refuse in its own words."""
    spelled = unicodedata.normalize("NFKC", text.strip())
    return spelled.replace(",", ".") if NUMBER.fullmatch(spelled) else text


def weight(text: str, empty: str) -> str:
    """A weight in percent as typed, or `empty` when none was typed."""
    return number(text) if text.strip() else empty


def rows(form: Form, row: str, fields: Sequence[str]) -> list[dict[str, str]]:
    """Rows 1, 2, … as {field: value}, for as long as row N's first field was sent (a
    text field always is, even empty); fields not sent read "" (unticked checkboxes)."""
    found: list[dict[str, str]] = []
    for n in range(1, ROW_LIMIT + 1):
        if not form.getlist(f"{row}-{n}-{fields[0]}"):
            break
        found.append({field: value(form, f"{row}-{n}-{field}") for field in fields})
    return found


def blank(row: dict[str, str], *, keys: Sequence[str] = ("id",)) -> bool:
    """Nothing typed nor ticked in the row (its hidden id does not count)."""
    return all(not text.strip() for field, text in row.items() if field not in keys)


def option_id(row: dict[str, str]) -> int | None:
    text = row.get("id", "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None


def with_ids(kept: list[dict[str, Any]], sent: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each kept option with its id (responses to published revisions name options by id);
    a new row gets the next id after every id the form sent, blank rows' included, so a
    deleted option's id is not given to a new one. When no row has an id, none is set and
    the body numbers them (web/kinds/base.py with_ids)."""
    known = [n for n in (option_id(row) for row in sent) if n is not None]
    following = max(known, default=0) + 1
    numbered: list[dict[str, Any]] = []
    for option in kept:
        given = option_id(option)
        fields = {key: text for key, text in option.items() if key != "id"}
        if given is None and known:
            given, following = following, following + 1
        numbered.append(fields if given is None else {"id": given, **fields})
    return numbered
