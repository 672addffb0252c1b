"""Kinds: the registry of question kinds; each kind is one module of the same shape.

Adding a kind: one module here (LABEL, USES_KEYS, STARTER, Body, from_form, and
editor_body if its editor shows a stored body differently), one component in
components/kinds/<kind>.html (card, feedback, review, editor), one test file; then one
line in KINDS below.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from web.kinds import matching
from web.kinds import multiple_response
from web.kinds import numeric
from web.kinds import ordering
from web.kinds import short_answer
from web.kinds import single_choice
from web.kinds import true_false
from web.kinds.base import Form
from web.kinds.base import QuestionBody
from web.kinds.base import ResponseError

__all__ = ["KINDS", "Kind", "QuestionBody", "ResponseError", "kind"]


@dataclass(frozen=True)
class Kind:
    """A kind as the engine sees it: its name (stored on every question), the label authors
    read, its body model, and whether keys 1-9 pick its answers (radios and checkboxes).

    `from_form` reads the editor's fields into a raw body (validated by
    services.drafts.validate_body); `editor_body` turns a stored body into the dict the
    `editor` macro reads (from_form's output needs nothing: it already has that shape)."""

    name: str
    label: str
    body: type[QuestionBody]
    uses_keys: bool
    starter: Mapping[str, Any]
    from_form: Callable[[Form], dict[str, Any]]
    editor_body: Callable[[Mapping[str, Any]], dict[str, Any]] = dict

    @property
    def component(self) -> str:
        return f"components/kinds/{self.name}.html"


def _kind(name: str, module: ModuleType) -> Kind:
    return Kind(
        name,
        module.LABEL,
        module.Body,
        module.USES_KEYS,
        module.STARTER,
        module.from_form,
        getattr(module, "editor_body", dict),
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        _kind("single_choice", single_choice),
        _kind("multiple_response", multiple_response),
        _kind("true_false", true_false),
        _kind("short_answer", short_answer),
        _kind("numeric", numeric),
        _kind("ordering", ordering),
        _kind("matching", matching),
    )
}


def kind(name: str) -> Kind:
    """The registered kind; an unknown name is a programming or data error (KeyError)."""
    return KINDS[name]
