"""True/false: two radios, "true" and "false"."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import true_false
from web.kinds.base import ResponseError

TRUE = true_false.Body(answer=True, feedback_true="Right.", feedback_false="It is true.")
FALSE = true_false.Body(answer=False)


@pytest.mark.parametrize(
    ("body", "value", "fraction", "described", "feedback"),
    [
        (TRUE, "true", 1.0, "True", "Right."),
        (TRUE, "false", 0.0, "False", "It is true."),
        (FALSE, "false", 1.0, "False", ""),
        (FALSE, " true ", 0.0, "True", ""),
    ],
)
def test_grading(
    body: true_false.Body, value: str, fraction: float, described: str, feedback: str
) -> None:
    response = body.parse(MultiDict([("choice", value)]))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"value": value.strip() == "true"}
    assert body.fraction(stored) == fraction
    assert body.describe(stored) == described
    assert body.feedback(stored) == feedback


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "Choose True or False, then submit."),
        ([("choice", "")], "Choose True or False"),
        ([("choice", "True")], "Choose True or False"),
        ([("choice", "1")], "Choose True or False"),
        ([("choice", "true"), ("choice", "false")], "Send one answer"),
    ],
)
def test_malformed_responses(fields: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        TRUE.parse(MultiDict(fields))


@pytest.mark.parametrize("stored", [{"value": 1}, {"value": "true"}, {}])
def test_stored_non_booleans_earn_nothing(stored: dict[str, object]) -> None:
    assert TRUE.fraction(stored) == 0.0
    assert TRUE.describe(stored) == "not answered"


def test_words() -> None:
    assert TRUE.solution() == "True"
    assert FALSE.solution() == "False"
    assert TRUE.describe(None) == "not answered"


def test_body_round_trips_through_json() -> None:
    dumped = json.loads(json.dumps(TRUE.model_dump(mode="json")))
    assert true_false.Body.model_validate(dumped) == TRUE


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "answer"),
        ({"answer": "maybe"}, "valid boolean"),
        ({"answer": True, "feedback": "x"}, "Extra inputs"),
        ({"answer": True, "feedback_true": "x" * 2001}, "at most 2000"),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        true_false.Body.model_validate(raw)
