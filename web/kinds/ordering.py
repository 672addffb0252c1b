"""Kinds: ordering: the taker gives each item its position; the items are listed in order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

from web.forms import small_int
from web.kinds.base import MAX_OPTIONS
from web.kinds.base import Form
from web.kinds.base import QuestionBody
from web.kinds.base import ResponseError
from web.kinds.base import Text
from web.kinds.base import clamp
from web.kinds.base import one_value
from web.kinds.base import unique_ids
from web.kinds.base import with_ids
from web.kinds.editing import blank
from web.kinds.editing import rows
from web.kinds.editing import value
from web.kinds.editing import with_ids as editor_ids

LABEL = "Ordering"
USES_KEYS = False
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {"items": [{"text": "First"}, {"text": "Second"}, {"text": "Third"}]}


class Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = Field(ge=1)
    text: Text


class Body(QuestionBody):
    """`items` in the right order; `partial` credits each item put at its own position."""

    items: tuple[Item, ...] = Field(min_length=2, max_length=MAX_OPTIONS)
    scoring: Literal["all_or_nothing", "partial"] = "all_or_nothing"

    _numbered = model_validator(mode="before")(lambda raw: with_ids(raw, "items"))

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: tuple[Item, ...]) -> tuple[Item, ...]:
        """Two items alike could not be told apart, so neither order would be right."""
        unique_ids(items, "item")
        if len({item.text for item in items}) != len(items):
            raise ValueError("each item must be different")
        return items

    def order(self, response: Mapping[str, Any]) -> list[Item]:
        """The stored order as items (ids unknown are ignored)."""
        ids = response.get("order")
        by_id = {item.id: item for item in self.items}
        return [by_id[i] for i in ids if i in by_id] if isinstance(ids, list) else []

    def positions(self, response: Mapping[str, Any] | None) -> dict[int, int]:
        """Item id → the position the taker gave it, to show their order again in the form."""
        order = self.order(response) if response else []
        return {item.id: position for position, item in enumerate(order, 1)}

    def parse(self, form: Form) -> dict[str, Any]:
        count = len(self.items)
        positions: dict[int, int] = {}
        for item in self.items:
            position = small_int(one_value(form, f"position-{item.id}"), digits=1)
            if position is None or not 1 <= position <= count:
                raise ResponseError(f"Give every item a position from 1 to {count}.")
            positions[item.id] = position
        given = Counter(positions.values())
        repeated = min((position for position, times in given.items() if times > 1), default=0)
        if repeated:
            raise ResponseError(
                f"Position {repeated} is given to more than one item: each position once."
            )
        return {"order": sorted(positions, key=positions.__getitem__)}

    def fraction(self, response: Mapping[str, Any]) -> float:
        order = self.order(response)
        if self.scoring == "all_or_nothing":
            return 1.0 if order == list(self.items) else 0.0
        right = sum(given == item for given, item in zip(order, self.items, strict=False))
        return clamp(right / len(self.items))

    def describe(self, response: Mapping[str, Any] | None) -> str:
        order = self.order(response) if response else []
        return _numbered(order) or "not answered"

    def solution(self) -> str:
        return _numbered(self.items)


def _numbered(items: Sequence[Item]) -> str:
    return ", ".join(f"{position}. {item.text}" for position, item in enumerate(items, 1))


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/ordering.html) as a raw body, not yet
    validated: rows `item-N-text` (in the right order) with hidden `item-N-id`, and the
    select `scoring`."""
    sent = rows(form, "item", ("text", "id"))
    body: dict[str, Any] = {"items": editor_ids([row for row in sent if not blank(row)], sent)}
    if form.getlist("scoring"):
        body["scoring"] = value(form, "scoring")
    return body
