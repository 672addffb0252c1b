"""Kinds: matching: the taker picks each prompt's answer among all answers and distractors."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import model_validator

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
from web.kinds.editing import with_ids as editor_ids

LABEL = "Matching"
USES_KEYS = False
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {
    "pairs": [
        {"prompt": "Prompt 1", "answer": "Match 1"},
        {"prompt": "Prompt 2", "answer": "Match 2"},
    ]
}


class Pair(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = Field(ge=1)
    prompt: Text
    answer: Text


class Body(QuestionBody):
    """Two prompts may share an answer; `distractors` are extra answers that match none."""

    pairs: tuple[Pair, ...] = Field(min_length=2, max_length=MAX_OPTIONS)
    distractors: tuple[Text, ...] = Field(default=(), max_length=MAX_OPTIONS)

    _numbered = model_validator(mode="before")(lambda raw: with_ids(raw, "pairs"))

    @model_validator(mode="after")
    def _distinct(self) -> Body:
        """A prompt twice could not be told apart; a distractor that is also an answer
        would be right and wrong at once."""
        unique_ids(self.pairs, "pair")
        if len({pair.prompt for pair in self.pairs}) != len(self.pairs):
            raise ValueError("each prompt must be different")
        answers = {pair.answer for pair in self.pairs}
        if answers & set(self.distractors) or len(set(self.distractors)) < len(self.distractors):
            raise ValueError("each distractor must differ from the answers and the other ones")
        return self

    def options(self) -> list[str]:
        """Every select's options: sorted, so their order gives nothing away and stays put."""
        answers = {pair.answer for pair in self.pairs} | set(self.distractors)
        return sorted(answers, key=lambda answer: (answer.casefold(), answer))

    def chosen(self, response: Mapping[str, Any]) -> dict[str, str]:
        """Pair id (a string, as JSON keeps it) → the answer chosen for its prompt."""
        pairs = response.get("pairs")
        return {str(k): str(v) for k, v in pairs.items()} if isinstance(pairs, dict) else {}

    def parse(self, form: Form) -> dict[str, Any]:
        options = set(self.options())
        chosen = {str(pair.id): one_value(form, f"match-{pair.id}") for pair in self.pairs}
        if not all(chosen.values()):
            raise ResponseError("Choose an answer for every prompt, then submit.")
        if not set(chosen.values()) <= options:
            raise ResponseError("Choose each prompt's answer from its list, then submit.")
        return {"pairs": chosen}

    def fraction(self, response: Mapping[str, Any]) -> float:
        chosen = self.chosen(response)
        right = sum(chosen.get(str(pair.id)) == pair.answer for pair in self.pairs)
        return clamp(right / len(self.pairs))

    def describe(self, response: Mapping[str, Any] | None) -> str:
        chosen = self.chosen(response) if response else {}
        if not chosen:
            return "not answered"
        return _listed((pair.prompt, chosen.get(str(pair.id), "—")) for pair in self.pairs)

    def solution(self) -> str:
        return _listed((pair.prompt, pair.answer) for pair in self.pairs)


def _listed(matches: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{prompt} → {answer}" for prompt, answer in matches)


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/matching.html) as a raw body, not yet
    validated: rows `pair-N-prompt`, `pair-N-answer` with hidden `pair-N-id`, and
    `distractor-N-text`."""
    sent = rows(form, "pair", ("prompt", "answer", "id"))
    pairs = editor_ids([row for row in sent if not blank(row)], sent)
    distractors = [row["text"] for row in rows(form, "distractor", ("text",)) if not blank(row)]
    return {"pairs": pairs, "distractors": distractors}
