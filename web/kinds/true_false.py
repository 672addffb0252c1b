"""Kinds: true/false: two radios; the statement is either true or false."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.kinds.base import Feedback
from web.kinds.base import Form
from web.kinds.base import QuestionBody
from web.kinds.base import ResponseError
from web.kinds.base import one_value
from web.kinds.editing import value

LABEL = "True/false"
USES_KEYS = True
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {"answer": True}
VALUES = {"true": True, "false": False}  # the radios' values in the form


class Body(QuestionBody):
    """`feedback_true` is shown to whoever answered True, `feedback_false` to whoever
    answered False (as in Moodle), whichever of the two is right."""

    answer: bool
    feedback_true: Feedback = ""
    feedback_false: Feedback = ""

    def parse(self, form: Form) -> dict[str, Any]:
        value = VALUES.get(one_value(form, "choice"))
        if value is None:
            raise ResponseError("Choose True or False, then submit.")
        return {"value": value}

    def fraction(self, response: Mapping[str, Any]) -> float:
        return 1.0 if response.get("value") is self.answer else 0.0

    def describe(self, response: Mapping[str, Any] | None) -> str:
        value = response.get("value") if response else None
        return _word(value) if isinstance(value, bool) else "not answered"

    def solution(self) -> str:
        return _word(self.answer)

    def answer_labels(self) -> tuple[str, ...]:
        return (_word(True), _word(False))

    def feedback(self, response: Mapping[str, Any]) -> str:
        value = response.get("value")
        if isinstance(value, bool):
            return self.feedback_true if value else self.feedback_false
        return ""


def _word(value: bool) -> str:
    return "True" if value else "False"


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/true_false.html) as a raw body, not yet
    validated: the select `correct-answer` ("true" or "false"), `feedback-true` and
    `feedback-false`."""
    answer = value(form, "correct-answer")
    return {
        "answer": VALUES.get(answer, answer),
        "feedback_true": value(form, "feedback-true"),
        "feedback_false": value(form, "feedback-false"),
    }
