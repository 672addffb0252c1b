"""Ordering: a position select per item; all or nothing, or a share per item in place."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import ordering
from web.kinds.base import ResponseError

ITEMS = [{"text": "Mercury"}, {"text": "Venus"}, {"text": "Earth"}, {"text": "Mars"}]
STRICT = ordering.Body.model_validate({"items": ITEMS})
PARTIAL = ordering.Body.model_validate({"items": ITEMS, "scoring": "partial"})


def positions(*given: str) -> MultiDict[str, str]:
    return MultiDict([(f"position-{n}", value) for n, value in enumerate(given, 1)])


@pytest.mark.parametrize(
    ("given", "order", "strict", "partial"),
    [
        (["1", "2", "3", "4"], [1, 2, 3, 4], 1.0, 1.0),
        (["2", "1", "3", "4"], [2, 1, 3, 4], 0.0, 0.5),
        (["4", "3", "2", "1"], [4, 3, 2, 1], 0.0, 0.0),
        (["1", "3", "4", "2"], [1, 4, 2, 3], 0.0, 0.25),
        ([" 1", "2 ", "4", "3"], [1, 2, 4, 3], 0.0, 0.5),
    ],
)
def test_grading(given: list[str], order: list[int], strict: float, partial: float) -> None:
    response = STRICT.parse(positions(*given))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"order": order}
    assert STRICT.fraction(stored) == strict
    assert PARTIAL.fraction(stored) == partial


def test_words_and_positions() -> None:
    response = STRICT.parse(positions("2", "1", "3", "4"))
    assert STRICT.describe(response) == "1. Venus, 2. Mercury, 3. Earth, 4. Mars"
    assert STRICT.solution() == "1. Mercury, 2. Venus, 3. Earth, 4. Mars"
    assert STRICT.positions(response) == {2: 1, 1: 2, 3: 3, 4: 4}
    assert STRICT.positions(None) == {}
    assert STRICT.describe(None) == "not answered"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (positions("1", "2", "3"), "Give every item a position from 1 to 4."),
        (positions("1", "2", "3", ""), "Give every item a position from 1 to 4."),
        (positions("1", "2", "3", "5"), "Give every item a position from 1 to 4."),
        (positions("0", "1", "2", "3"), "Give every item a position from 1 to 4."),
        (positions("1", "2", "3", "x"), "Give every item a position from 1 to 4."),
        (positions("1", "2", "3", "-4"), "Give every item a position from 1 to 4."),
        (positions("1", "2", "3", "²"), "Give every item a position from 1 to 4."),
        (
            positions("1", "2", "2", "3"),
            "Position 2 is given to more than one item: each position once.",
        ),
        (positions("4", "3", "4", "3"), "Position 3 is given to more than one item"),
        (MultiDict([*positions("1", "2", "3", "4").items(), ("position-1", "2")]), "Send one"),
    ],
)
def test_malformed_responses(fields: MultiDict[str, str], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        STRICT.parse(fields)


@pytest.mark.parametrize(
    ("stored", "partial"),
    [({}, 0.0), ({"order": "1234"}, 0.0), ({"order": [1, 2, 99]}, 0.5), ({"order": [1]}, 0.25)],
)
def test_odd_stored_responses(stored: dict[str, object], partial: float) -> None:
    assert STRICT.fraction(stored) == 0.0
    assert PARTIAL.fraction(stored) == partial


@pytest.mark.parametrize("body", [STRICT, PARTIAL])
def test_body_round_trips_through_json(body: ordering.Body) -> None:
    dumped = json.loads(json.dumps(body.model_dump(mode="json")))
    assert ordering.Body.model_validate(dumped) == body


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"items": [{"text": "A"}]}, "at least 2 items"),
        ({"items": [{"text": str(n)} for n in range(10)]}, "at most 9 items"),
        ({"items": [{"id": 1, "text": "A"}, {"id": 1, "text": "B"}]}, "ids must be unique"),
        ({"items": [{"text": "A"}, {"text": "A"}]}, "each item must be different"),
        ({"items": [{"text": "A"}, {"text": "B"}], "scoring": "weights"}, "scoring"),
        ({"items": [{"text": "A", "weight": 1}, {"text": "B"}]}, "Extra inputs"),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ordering.Body.model_validate(raw)
