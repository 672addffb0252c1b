"""Forms: pydantic's validation errors as {path: message} in words a teacher reads.

Pydantic names types and context ("Input should be a valid number, unable to parse string
as a number"); a person importing a quiz wants where (`quizzes[0].questions[3].weight`)
and what to do ("must be a number").
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

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
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
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


def problems(
    error: ValidationError, *, tags: Collection[str], named: Mapping[str, str]
) -> dict[str, str]:
    """{path: message} for every problem, paths like `quizzes[0].questions[3].weight`.

    `tags` are the tags of the union of kinds (left out of paths); `named` holds the message
    of a top-level field whose rule is easier said than pydantic's (a pattern, a range)."""
    details = error.errors(include_url=False)
    paths = [_path(detail, tags) for detail in details]
    errors: dict[str, str] = {}
    for path, detail in zip(paths, details, strict=True):
        # pydantic counts a list again without its bad entries ("at least 2 items after
        # validation"): noise beside the entry's own message.
        if detail["type"] == "too_short" and any(p.startswith(f"{path}[") for p in paths):
            continue
        errors.setdefault(path, _message(detail, tags, named))
    return errors


def _path(detail: ErrorDetails, tags: Collection[str]) -> str:
    """`quizzes[0].questions[3].choices[1].weight`: the union's tag left out of the loc,
    and a kind that is missing or unknown reported at the question's `kind`."""
    loc = list(detail["loc"])
    tag_at = next((i for i, part in enumerate(loc) if i and part in tags), None)
    if tag_at is not None and loc[tag_at - 2] == "questions":
        del loc[tag_at]
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


def _message(detail: ErrorDetails, tags: Collection[str], named: Mapping[str, str]) -> str:
    """Words a teacher reads, without pydantic's type names and context."""
    kind, ctx, loc = detail["type"], detail.get("ctx") or {}, detail["loc"]
    if kind == "missing":
        return "is required"
    if len(loc) == len(("quizzes", 0, "field")) and loc[-1] in named:
        return named[str(loc[-1])]
    if kind in FIXED_MESSAGES:
        return FIXED_MESSAGES[kind]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = detail["input"].get("kind") if isinstance(detail["input"], dict) else None
        found = f", not {given!r}" if isinstance(given, str) else ""
        return f"must be one of the kinds {', '.join(tags)}{found}"
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
