"""Single choice: one radio, the chosen choice's weight is the share of the points."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import single_choice
from web.kinds.base import ResponseError

BODY = single_choice.Body.model_validate(
    {
        "choices": [
            {"text": "Paris", "weight": 100, "feedback": "Yes."},
            {"text": "Lyon", "weight": 50},
            {"text": "Nice", "weight": -50, "feedback": "No."},
        ]
    }
)


@pytest.mark.parametrize(
    ("value", "fraction", "described", "feedback"),
    [
        ("1", 1.0, "Paris", "Yes."),
        ("2", 0.5, "Lyon", ""),
        ("3", 0.0, "Nice", "No."),  # a negative weight never takes the score below 0
    ],
)
def test_grading(value: str, fraction: float, described: str, feedback: str) -> None:
    response = BODY.parse(MultiDict([("choice", value)]))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"choice": int(value)}
    assert BODY.fraction(stored) == fraction
    assert BODY.describe(stored) == described
    assert BODY.feedback(stored) == feedback


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "Choose one of the answers"),
        ([("choice", "")], "Choose one of the answers"),
        ([("choice", "4")], "Choose one of the answers"),
        ([("choice", "x")], "Choose one of the answers"),
        ([("choice", "1"), ("choice", "2")], "Send one answer"),
    ],
)
def test_malformed_responses(fields: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        BODY.parse(MultiDict(fields))


def test_words() -> None:
    assert BODY.solution() == "Paris"
    assert BODY.describe(None) == "not answered"
    assert [choice.id for choice in BODY.choices] == [1, 2, 3]


def test_body_round_trips_through_json() -> None:
    dumped = json.loads(json.dumps(BODY.model_dump(mode="json")))
    assert single_choice.Body.model_validate(dumped) == BODY


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"choices": [{"text": "A"}, {"text": "B", "weight": 50}]}, "one choice worth 100%"),
        ({"choices": [{"text": "A", "weight": 100}]}, "at least 2 items"),
        (
            {"choices": [{"id": 1, "text": "A", "weight": 100}, {"id": 1, "text": "B"}]},
            "ids must be unique",
        ),
        ({"choices": [{"text": "A", "weight": 150}, {"text": "B"}]}, "less than or equal to 100"),
        ({"choices": [{"text": " ", "weight": 100}, {"text": "B"}]}, "choices.0.text"),
        ({"choices": [{"text": "A", "weight": 100}, {"text": "B"}], "x": 1}, "Extra inputs"),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        single_choice.Body.model_validate(raw)
