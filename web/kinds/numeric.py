"""Kinds: numeric: one text field read as a number, accepted within a tolerance or a range.

The taker may write the decimal mark as a point or a comma (3.14, 3,14), but no thousands
separators: "1,000.5", "1.000,5" and "1 000" are refused rather than guessed at. A lone
comma is always the decimal mark, so "1,000" is one, not a thousand (as in most of Europe);
the hint beside the field says so. Numbers are Decimals, never floats, so that 3.14 ± 0.01
accepts 3.13 and 3.15 exactly: both bounds are inclusive.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from decimal import InvalidOperation
from decimal import localcontext
from typing import Annotated
from typing import Any

from pydantic import Field
from pydantic import PrivateAttr
from pydantic import field_validator
from pydantic import model_validator

from web.kinds.base import FULL
from web.kinds.base import TEXT_LIMIT
from web.kinds.base import Accepted
from web.kinds.base import Form
from web.kinds.base import ResponseError
from web.kinds.base import TypedBody
from web.kinds.base import best_match
from web.kinds.base import full_marks
from web.kinds.base import typed_text
from web.kinds.editing import NUMBER
from web.kinds.editing import blank
from web.kinds.editing import number
from web.kinds.editing import rows
from web.kinds.editing import weight

LABEL = "Numeric"
USES_KEYS = False
# A new question of this kind starts as this body: valid, so a draft is always gradable.
STARTER: dict[str, Any] = {"answers": [{"value": "0"}]}
MAX_ANSWERS = 20
DIGITS = 30  # an author's numbers: exact arithmetic on them needs at most twice as many
NOT_A_NUMBER = "Enter a number, like 3.14 or 3,14 (no thousands separators)."

Number = Annotated[Decimal, Field(max_digits=DIGITS, decimal_places=DIGITS // 2)]


class Answer(Accepted):
    """Either `value` ± `tolerance` or the range `min` to `max`, never both; the bounds are
    worked out once, exactly (28 digits, Decimal's default, could round them)."""

    value: Number | None = None
    tolerance: Annotated[Number, Field(ge=0)] = Decimal(0)
    min: Number | None = None
    max: Number | None = None
    _bounds: tuple[Decimal, Decimal] = PrivateAttr()

    @model_validator(mode="after")
    def _one_form(self) -> Answer:
        if self.value is not None and self.min is None and self.max is None:
            with localcontext(prec=2 * DIGITS):
                self._bounds = (self.value - self.tolerance, self.value + self.tolerance)
        elif self.value is None and self.min is not None and self.max is not None:
            if self.tolerance:
                raise ValueError("a tolerance goes with a value, not with a range")
            if self.min > self.max:
                raise ValueError("min must not be greater than max")
            self._bounds = (self.min, self.max)
        else:
            raise ValueError("give either a value (and a tolerance if any) or both a min and a max")
        return self

    def accepts(self, number: Decimal) -> bool:
        low, high = self._bounds
        return low <= number <= high

    def words(self) -> str:
        if self.value is None:
            low, high = self._bounds
            return f"from {canonical(low)} to {canonical(high)}"
        spread = f" ± {canonical(self.tolerance)}" if self.tolerance else ""
        return canonical(self.value) + spread


class Body(TypedBody):
    answers: tuple[Answer, ...] = Field(min_length=1, max_length=MAX_ANSWERS)

    _full = field_validator("answers")(full_marks)

    def best(self, response: Mapping[str, Any]) -> Answer | None:
        number = stored(response.get("value"))
        if number is None:
            return None
        return best_match(self.answers, lambda answer: answer.accepts(number))

    def parse(self, form: Form) -> dict[str, Any]:
        text = typed_text(form, "answer", NOT_A_NUMBER)
        spelled = unicodedata.normalize("NFKC", text)  # full-width digits are digits
        if not NUMBER.fullmatch(spelled):
            raise ResponseError(NOT_A_NUMBER)
        return {"text": text, "value": canonical(Decimal(spelled.replace(",", ".")))}

    def solution(self) -> str:
        return " or ".join(answer.words() for answer in self.answers if answer.weight >= FULL)


def canonical(number: Decimal) -> str:
    """A number written one way, whatever way it was typed: 3.140, 3,14 and 0.314e1 alike
    read "3.14", and 1e3 reads "1000" (precise enough for any number that fits the field)."""
    with localcontext(prec=TEXT_LIMIT):
        return format(number.normalize() if number else Decimal(0), "f")


def stored(value: object) -> Decimal | None:
    """The number a stored response holds, else None, which no answer accepts (a NaN would
    make the comparisons raise)."""
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def from_form(form: Form) -> dict[str, Any]:
    """The editor's fields (components/kinds/numeric.html) as a raw body, not yet
    validated: rows `answer-N-value`, `-tolerance` (empty is 0), `-weight` (empty is 100)
    and `-feedback`; always a value and a tolerance, never a range (editor_body)."""
    answers = [
        {
            "value": number(row["value"]),
            "tolerance": weight(row["tolerance"], "0"),
            "weight": weight(row["weight"], f"{FULL:g}"),
            "feedback": row["feedback"],
        }
        for row in rows(form, "answer", ("value", "tolerance", "weight", "feedback"))
        if not blank(row)
    ]
    return {"answers": answers}


def editor_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """A stored body as the editor shows it: a range min..max becomes its midpoint
    ± half its width, exactly the same numbers (Decimal arithmetic, exact at this
    precision); anything else, from_form's output included, is returned as it is."""
    answers = body.get("answers")
    if not isinstance(answers, list):
        return dict(body)
    return {**body, "answers": [_centred(answer) for answer in answers]}


def _centred(answer: Any) -> Any:
    if not isinstance(answer, Mapping) or answer.get("value") is not None:
        return answer
    low, high = stored(answer.get("min")), stored(answer.get("max"))
    if low is None or high is None:
        return answer
    with localcontext(prec=2 * DIGITS + 1):
        value, tolerance = (low + high) / 2, (high - low) / 2
    rest = {key: item for key, item in answer.items() if key not in ("min", "max")}
    return {**rest, "value": canonical(value), "tolerance": canonical(tolerance)}
