"""Numeric: a typed number, exact Decimals, inclusive tolerances and ranges."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import numeric
from web.kinds.base import ResponseError

PI = numeric.Body.model_validate(
    {
        "answers": [
            {"value": "3.14", "tolerance": "0.01", "feedback": "Close enough."},
            {"value": 3, "tolerance": "0.5", "weight": 50, "feedback": "Roughly."},
            {"min": "-2", "max": "-1", "weight": -50},
        ]
    }
)
EXACT = numeric.Body.model_validate({"answers": [{"value": "1e3"}, {"min": 0.5, "max": 0.75}]})


def answer(text: str) -> MultiDict[str, str]:
    return MultiDict([("answer", text)])


@pytest.mark.parametrize(
    ("body", "typed", "value", "fraction"),
    [
        (PI, "3.14", "3.14", 1.0),
        (PI, "3,14", "3.14", 1.0),
        (PI, "3.13", "3.13", 1.0),  # both tolerance bounds are inclusive, exactly
        (PI, "3.15", "3.15", 1.0),
        (PI, "3,150", "3.15", 1.0),
        (PI, "3.1500001", "3.1500001", 0.5),  # just past it: the wider answer still holds
        (PI, "3.1299999", "3.1299999", 0.5),
        (PI, "3.5", "3.5", 0.5),
        (PI, "2.5", "2.5", 0.5),
        (PI, "3.51", "3.51", 0.0),
        (PI, "+3.14", "3.14", 1.0),
        (PI, "0.314e1", "3.14", 1.0),
        (PI, "314E-2", "3.14", 1.0),
        (PI, "\uff13\uff0e\uff11\uff14", "3.14", 1.0),  # full-width digits
        (PI, "-2", "-2", 0.0),  # negative weights are floored at 0
        (PI, "-1,5", "-1.5", 0.0),
        (EXACT, "1000", "1000", 1.0),
        (EXACT, "1e3", "1000", 1.0),
        (EXACT, "1,000", "1", 0.0),  # a lone comma is the decimal mark
        (EXACT, "1.000", "1", 0.0),
        (EXACT, ".5", "0.5", 1.0),  # range bounds are inclusive too
        (EXACT, ",75", "0.75", 1.0),
        (EXACT, "0.7500000000001", "0.7500000000001", 0.0),
        (EXACT, "0.4999", "0.4999", 0.0),
        (EXACT, "-0", "0", 0.0),
        (EXACT, "5.", "5", 0.0),
    ],
)
def test_grading(body: numeric.Body, typed: str, value: str, fraction: float) -> None:
    response = body.parse(answer(typed))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"text": typed, "value": value}
    assert body.fraction(stored) == fraction
    assert body.describe(stored) == typed


@pytest.mark.parametrize(
    ("typed", "feedback"), [("3,14", "Close enough."), ("2.9", "Roughly."), ("9", "")]
)
def test_feedback_is_the_best_match(typed: str, feedback: str) -> None:
    assert PI.feedback(PI.parse(answer(typed))) == feedback


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1,000.5",
        "1.000,5",
        "1 000",
        "1,000,000",
        "1'000",
        "3.14.15",
        "pi",
        "NaN",
        "Infinity",
        "inf",
        "1e",
        "1e999",
        "--2",
        "- 2",
        "0x10",
        "½",
        "١٢",  # Arabic-Indic digits: Decimal would read them, the hint promises 3.14
        ".",
    ],
)
def test_malformed_numbers(typed: str) -> None:
    with pytest.raises(ResponseError, match=r"Enter a number, like 3\.14 or 3,14"):
        PI.parse(answer(typed))


def test_repeated_field() -> None:
    with pytest.raises(ResponseError, match="Send one answer"):
        PI.parse(MultiDict([("answer", "1"), ("answer", "2")]))


@pytest.mark.parametrize("stored", [{}, {"value": 3.14}, {"value": "NaN"}, {"value": "x"}])
def test_stored_non_numbers_earn_nothing(stored: dict[str, object]) -> None:
    assert PI.fraction(stored) == 0.0
    assert PI.feedback(stored) == ""


def test_words() -> None:
    assert PI.solution() == "3.14 ± 0.01"
    assert EXACT.solution() == "1000 or from 0.5 to 0.75"
    assert PI.describe(None) == "not answered"


def test_wide_bounds_are_exact() -> None:
    """Beyond Decimal's 28 default digits, value ± tolerance must not round."""
    body = numeric.Body.model_validate(
        {"answers": [{"value": "123456789012345", "tolerance": "0.000000000000001"}]}
    )
    assert body.fraction({"value": "123456789012345.000000000000001"}) == 1.0
    assert body.fraction({"value": "123456789012345.000000000000002"}) == 0.0


@pytest.mark.parametrize("body", [PI, EXACT])
def test_body_round_trips_through_json(body: numeric.Body) -> None:
    dumped = json.loads(json.dumps(body.model_dump(mode="json")))
    assert dumped["answers"][0]["value"] == str(body.answers[0].value)
    again = numeric.Body.model_validate(dumped)
    assert again == body
    assert again.fraction({"value": "3.13"}) == body.fraction({"value": "3.13"})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"answers": [{"value": 1, "weight": 50}]}, "needs one answer worth 100%"),
        ({"answers": [{}]}, "either a value .* or both a min and a max"),
        ({"answers": [{"value": 1, "min": 0, "max": 2}]}, "either a value"),
        ({"answers": [{"min": 0}]}, "either a value"),
        ({"answers": [{"min": 2, "max": 1}]}, "min must not be greater than max"),
        ({"answers": [{"min": 1, "max": 2, "tolerance": 1}]}, "a tolerance goes with a value"),
        ({"answers": [{"value": 1, "tolerance": -1}]}, "greater than or equal to 0"),
        ({"answers": [{"value": "NaN"}]}, "finite number"),
        ({"answers": [{"value": "Infinity"}]}, "finite number"),
        ({"answers": [{"value": "1e40"}]}, "no more than 30 digits"),
        ({"answers": [{"value": "abc"}]}, "valid decimal"),
        ({"answers": []}, "at least 1 item"),
        ({"answers": [{"value": 1, "margin": 1}]}, "Extra inputs"),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        numeric.Body.model_validate(raw)
