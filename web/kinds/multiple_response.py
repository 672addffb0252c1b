"""Kinds: multiple response: one checkbox per choice; the chosen choices' weights add up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import Literal

from pydantic import Field
from pydantic import model_validator

from web.kinds.base import FULL
from web.kinds.base import MAX_OPTIONS
from web.kinds.base import Form
from web.kinds.base import QuestionBody
from web.kinds.base import ResponseError
from web.kinds.base import clamp
from web.kinds.base import unique_ids
from web.kinds.base import with_ids
from web.kinds.editing import value
from web.kinds.single_choice import Choice
from web.kinds.single_choice import choices_from_form

LABEL = "Multiple response"
USES_KEYS = True
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {
    "choices": [
        {"text": "Right answer", "weight": 50},
        {"text": "Also right", "weight": 50},
        {"text": "Wrong answer"},
    ]
}
WEIGHT_TOLERANCE = 0.01  # GIFT writes thirds as %33.33333%: three of them miss 100 by a hair


class Body(QuestionBody):
    """`weights` adds the chosen weights (wrong choices may weigh below zero, to cost what
    guessing them all would earn); `all_or_nothing` wants exactly the positive choices."""

    choices: tuple[Choice, ...] = Field(min_length=2, max_length=MAX_OPTIONS)
    scoring: Literal["weights", "all_or_nothing"] = "weights"

    _numbered = model_validator(mode="before")(lambda raw: with_ids(raw, "choices"))

    @model_validator(mode="after")
    def _reachable(self) -> Body:
        unique_ids(self.choices, "choice")
        if not self.right():
            raise ValueError("needs at least one choice with a positive weight")
        positive = sum(choice.weight for choice in self.right())
        if self.scoring == "weights" and abs(positive - FULL) > WEIGHT_TOLERANCE:
            raise ValueError(
                f"the positive weights must add up to 100% (they add up to {positive:g}%)"
            )
        return self

    def right(self) -> list[Choice]:
        return [choice for choice in self.choices if choice.weight > 0]

    def chosen(self, response: Mapping[str, Any]) -> list[Choice]:
        """The stored response's choices, in the question's order (ids unknown are ignored)."""
        ids = response.get("choices")
        return [choice for choice in self.choices if isinstance(ids, list) and choice.id in ids]

    def parse(self, form: Form) -> dict[str, Any]:
        values = [value.strip() for value in form.getlist("choice")]
        if not values:
            raise ResponseError("Choose at least one answer, then submit.")
        ids = {str(choice.id): choice.id for choice in self.choices}
        if any(value not in ids for value in values):
            raise ResponseError("Choose among the listed answers, then submit.")
        if len(set(values)) != len(values):
            raise ResponseError("Send each answer once.")
        return {"choices": sorted(ids[value] for value in values)}

    def fraction(self, response: Mapping[str, Any]) -> float:
        chosen = self.chosen(response)
        if self.scoring == "all_or_nothing":
            return 1.0 if chosen == self.right() else 0.0
        return clamp(sum(choice.weight for choice in chosen) / FULL)

    def describe(self, response: Mapping[str, Any] | None) -> str:
        chosen = self.chosen(response) if response else []
        return "; ".join(choice.text for choice in chosen) or "not answered"

    def solution(self) -> str:
        return "; ".join(choice.text for choice in self.right())

    def answer_labels(self) -> tuple[str, ...]:
        return tuple(choice.text for choice in self.choices)

    def right_labels(self) -> tuple[str, ...]:
        return tuple(choice.text for choice in self.right())

    def tally(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """Each ticked choice counts once: "how many picked each choice"."""
        return tuple(choice.text for choice in self.chosen(response))

    def feedback(self, response: Mapping[str, Any]) -> str:
        return " ".join(choice.feedback for choice in self.chosen(response) if choice.feedback)


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/multiple_response.html) as a raw body, not
    yet validated: the choice rows as in single choice, and the select `scoring`."""
    body: dict[str, Any] = {"choices": choices_from_form(form)}
    if form.getlist("scoring"):
        body["scoring"] = value(form, "scoring")
    return body
