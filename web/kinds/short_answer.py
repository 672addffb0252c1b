"""Kinds: short answer: one text field, compared with the accepted answers (`*` a wildcard)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import Field
from pydantic import field_validator

from web.kinds.base import FULL
from web.kinds.base import Accepted
from web.kinds.base import Form
from web.kinds.base import Text
from web.kinds.base import TypedBody
from web.kinds.base import best_match
from web.kinds.base import full_marks
from web.kinds.base import typed_text
from web.kinds.editing import blank
from web.kinds.editing import rows
from web.kinds.editing import ticked
from web.kinds.editing import weight

LABEL = "Short answer"
USES_KEYS = False
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {"answers": [{"text": "answer"}]}
MAX_ANSWERS = 20
WILDCARD = "*"


class Answer(Accepted):
    """An accepted answer; each `*` in it stands for any run of characters, as in Moodle
    (a lone `*` worth 0% catches every other response, to give it feedback)."""

    text: Text


class Body(TypedBody):
    answers: tuple[Answer, ...] = Field(min_length=1, max_length=MAX_ANSWERS)
    case_sensitive: bool = False

    _full = field_validator("answers")(full_marks)

    def comparable(self, text: str) -> str:
        """Text as it is compared: the same letters typed differently (a ligature "ﬁ", a
        decomposed "é", full-width letters, stray spaces) count as the same answer, and
        upper or lower case too unless the question says otherwise (case folding can undo
        the normal form, "ǰ" for one, hence normalising again)."""
        text = " ".join(unicodedata.normalize("NFKC", text).split())
        return text if self.case_sensitive else unicodedata.normalize("NFKC", text.casefold())

    def matches(self, answer: Answer, typed: str) -> bool:
        parts = self.comparable(answer.text).split(WILDCARD)
        pattern = ".*".join(re.escape(part) for part in parts)
        return re.fullmatch(pattern, self.comparable(typed), re.DOTALL) is not None

    def best(self, response: Mapping[str, Any]) -> Answer | None:
        typed = response.get("text")
        if not isinstance(typed, str):
            return None
        return best_match(self.answers, lambda answer: self.matches(answer, typed))

    def parse(self, form: Form) -> dict[str, Any]:
        return {"text": typed_text(form, "answer", "Type an answer, then submit.")}

    def solution(self) -> str:
        return " or ".join(answer.text for answer in self.answers if answer.weight >= FULL)


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/short_answer.html) as a raw body, not yet
    validated: rows `answer-N-text`, `-weight` (empty is 100), `-feedback`, and the
    checkbox `case-sensitive`."""
    answers = [
        {
            "text": row["text"],
            "weight": weight(row["weight"], f"{FULL:g}"),
            "feedback": row["feedback"],
        }
        for row in rows(form, "answer", ("text", "weight", "feedback"))
        if not blank(row)
    ]
    return {"answers": answers, "case_sensitive": ticked(form, "case-sensitive")}
