"""Multiple response: checkboxes whose weights add up (or all or nothing)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import multiple_response
from web.kinds.base import ResponseError

CHOICES = [
    {"text": "2", "weight": 50, "feedback": "Even and prime."},
    {"text": "3", "weight": 50},
    {"text": "4", "weight": -100, "feedback": "Four is two twos."},
    {"text": "9", "weight": -50},
]
WEIGHTS = multiple_response.Body.model_validate({"choices": CHOICES})
STRICT = multiple_response.Body.model_validate({"choices": CHOICES, "scoring": "all_or_nothing"})


def form(*values: str) -> MultiDict[str, str]:
    return MultiDict([("choice", value) for value in values])


@pytest.mark.parametrize(
    ("values", "weights", "strict"),
    [
        (["1", "2"], 1.0, 1.0),
        (["2", "1"], 1.0, 1.0),
        (["1"], 0.5, 0.0),
        (["1", "2", "4"], 0.5, 0.0),
        (["1", "3"], 0.0, 0.0),  # 50 - 100 is floored at 0
        (["3", "4"], 0.0, 0.0),
        (["1", "2", "3", "4"], 0.0, 0.0),
    ],
)
def test_grading(values: list[str], weights: float, strict: float) -> None:
    response = WEIGHTS.parse(form(*values))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"choices": sorted(int(value) for value in values)}
    assert WEIGHTS.fraction(stored) == weights
    assert STRICT.fraction(stored) == strict


@pytest.mark.parametrize(
    ("values", "described", "feedback"),
    [
        (["3", "1"], "2; 4", "Even and prime. Four is two twos."),
        (["2"], "3", ""),
    ],
)
def test_words(values: list[str], described: str, feedback: str) -> None:
    response = WEIGHTS.parse(form(*values))
    assert WEIGHTS.describe(response) == described
    assert WEIGHTS.feedback(response) == feedback


def test_solution_and_unanswered() -> None:
    assert WEIGHTS.solution() == "2; 3"
    assert WEIGHTS.describe(None) == "not answered"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "Choose at least one answer, then submit."),
        (["5"], "Choose among the listed answers"),
        (["x"], "Choose among the listed answers"),
        ([""], "Choose among the listed answers"),
        (["1", "1"], "Send each answer once"),
    ],
)
def test_malformed_responses(values: list[str], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        WEIGHTS.parse(form(*values))


def test_thirds_add_up_to_100_within_the_tolerance() -> None:
    third = {"weight": 33.33333}
    body = multiple_response.Body.model_validate(
        {"choices": [{"text": t, **third} for t in "ABC"] + [{"text": "D", "weight": -100}]}
    )
    assert body.fraction({"choices": [1, 2, 3]}) == pytest.approx(1.0, abs=1e-6)
    assert body.fraction({"choices": [1, 2]}) == pytest.approx(2 / 3, abs=1e-6)


@pytest.mark.parametrize(
    "body",
    [WEIGHTS, STRICT],
)
def test_body_round_trips_through_json(body: multiple_response.Body) -> None:
    dumped = json.loads(json.dumps(body.model_dump(mode="json")))
    assert multiple_response.Body.model_validate(dumped) == body


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"choices": [{"text": "A", "weight": -50}, {"text": "B"}]}, "a positive weight"),
        (
            {"choices": [{"text": "A", "weight": 50}, {"text": "B", "weight": 40}]},
            r"add up to 100% \(they add up to 90%\)",
        ),
        ({"choices": [{"text": "A", "weight": 100}]}, "at least 2 items"),
        (
            {"choices": [{"id": 2, "text": "A", "weight": 100}, {"id": 2, "text": "B"}]},
            "ids must be unique",
        ),
        ({"choices": [{"text": "A", "weight": 100}, {"text": "B"}], "scoring": "x"}, "scoring"),
        (
            {"choices": [{"text": str(n), "weight": 10} for n in range(10)]},
            "at most 9 items",
        ),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        multiple_response.Body.model_validate(raw)


def test_all_or_nothing_needs_no_sum_of_100() -> None:
    body = multiple_response.Body.model_validate(
        {
            "choices": [{"text": "A", "weight": 1}, {"text": "B", "weight": 1}, {"text": "C"}],
            "scoring": "all_or_nothing",
        }
    )
    assert body.fraction({"choices": [1, 2]}) == 1.0
    assert body.fraction({"choices": [1]}) == 0.0
