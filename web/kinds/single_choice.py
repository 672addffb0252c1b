"""Kinds: single choice: one radio per choice; each choice weighs a share of the points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

from web.forms import small_int
from web.kinds.base import FULL
from web.kinds.base import MAX_OPTIONS
from web.kinds.base import Feedback
from web.kinds.base import Form
from web.kinds.base import QuestionBody
from web.kinds.base import ResponseError
from web.kinds.base import Text
from web.kinds.base import Weight
from web.kinds.base import clamp
from web.kinds.base import one_value
from web.kinds.base import unique_ids
from web.kinds.base import with_ids
from web.kinds.editing import blank
from web.kinds.editing import rows
from web.kinds.editing import weight
from web.kinds.editing import with_ids as editor_ids

LABEL = "Single choice"
USES_KEYS = True
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {
    "choices": [{"text": "Right answer", "weight": 100}, {"text": "Wrong answer"}]
}


class Choice(BaseModel):
    """One answer; `weight` is its share of the points in percent (100 is right)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = Field(ge=1)
    text: Text
    weight: Weight = 0.0
    feedback: Feedback = ""

    @property
    def is_correct(self) -> bool:
        return self.weight >= FULL


class Body(QuestionBody):
    choices: tuple[Choice, ...] = Field(min_length=2, max_length=MAX_OPTIONS)

    _numbered = model_validator(mode="before")(lambda raw: with_ids(raw, "choices"))

    @field_validator("choices")
    @classmethod
    def _one_right(cls, choices: tuple[Choice, ...]) -> tuple[Choice, ...]:
        unique_ids(choices, "choice")
        if not any(choice.is_correct for choice in choices):
            raise ValueError("needs one choice worth 100%")
        return choices

    def choice(self, choice_id: object) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    def parse(self, form: Form) -> dict[str, Any]:
        choice = self.choice(small_int(one_value(form, "choice"), digits=9))
        if choice is None:
            raise ResponseError("Choose one of the answers, then submit.")
        return {"choice": choice.id}

    def fraction(self, response: Mapping[str, Any]) -> float:
        choice = self.choice(response.get("choice"))
        return clamp(choice.weight / FULL) if choice else 0.0

    def describe(self, response: Mapping[str, Any] | None) -> str:
        choice = self.choice(response.get("choice")) if response else None
        return choice.text if choice else "not answered"

    def answer_labels(self) -> tuple[str, ...]:
        return tuple(choice.text for choice in self.choices)

    def solution(self) -> str:
        return next(choice.text for choice in self.choices if choice.is_correct)

    def feedback(self, response: Mapping[str, Any]) -> str:
        choice = self.choice(response.get("choice"))
        return choice.feedback if choice else ""


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/single_choice.html) as a raw body, not yet
    validated: rows `choice-N-text`, `-correct`, `-weight`, `-feedback` and hidden `-id`."""
    return {"choices": choices_from_form(form)}


def choices_from_form(form: Form) -> list[dict[str, Any]]:
    """The choice rows, blank ones dropped; a weight left empty is 100 on a choice ticked
    correct and 0 otherwise (the editor shows 0 and 100 as empty, the tick telling which)."""
    sent = rows(form, "choice", ("text", "correct", "weight", "feedback", "id"))
    kept: list[dict[str, Any]] = [
        {
            "id": row["id"],
            "text": row["text"],
            "weight": weight(row["weight"], f"{FULL:g}" if row["correct"] else "0"),
            "feedback": row["feedback"],
        }
        for row in sent
        if not blank(row)
    ]
    return editor_ids(kept, sent)
