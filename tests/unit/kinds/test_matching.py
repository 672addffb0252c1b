"""Matching: a select per prompt among all answers and distractors; a share per pair."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import matching
from web.kinds.base import ResponseError

BODY = matching.Body.model_validate(
    {
        "pairs": [
            {"prompt": "France", "answer": "Paris"},
            {"prompt": "Italy", "answer": "Rome"},
            {"prompt": "Spain", "answer": "Madrid"},
            {"prompt": "Vatican", "answer": "Rome"},
        ],
        "distractors": ["Lyon", "athens"],
    }
)


def matches(*chosen: str) -> MultiDict[str, str]:
    return MultiDict([(f"match-{n}", answer) for n, answer in enumerate(chosen, 1)])


@pytest.mark.parametrize(
    ("chosen", "fraction"),
    [
        (["Paris", "Rome", "Madrid", "Rome"], 1.0),
        (["Paris", "Rome", "Madrid", "Lyon"], 0.75),  # a distractor is never right
        (["Lyon", "Rome", "Paris", "athens"], 0.25),
        (["Rome", "Paris", "athens", "Madrid"], 0.0),
        (["Paris", "Paris", "Paris", "Paris"], 0.25),
    ],
)
def test_grading(chosen: list[str], fraction: float) -> None:
    response = BODY.parse(matches(*chosen))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"pairs": {str(n): a for n, a in enumerate(chosen, 1)}}
    assert BODY.fraction(stored) == fraction


def test_options_are_sorted_without_duplicates() -> None:
    assert BODY.options() == ["athens", "Lyon", "Madrid", "Paris", "Rome"]


def test_words() -> None:
    response = BODY.parse(matches("Paris", "Rome", "Lyon", "Rome"))
    assert BODY.describe(response) == "France → Paris; Italy → Rome; Spain → Lyon; Vatican → Rome"
    assert BODY.solution() == "France → Paris; Italy → Rome; Spain → Madrid; Vatican → Rome"
    assert BODY.describe(None) == "not answered"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (matches("Paris", "Rome", "Madrid"), "Choose an answer for every prompt, then submit."),
        (matches("Paris", "Rome", "Madrid", ""), "Choose an answer for every prompt"),
        (matches("Paris", "Rome", "Madrid", "Berlin"), "from its list"),
        (matches("paris", "Rome", "Madrid", "Rome"), "from its list"),
        (
            MultiDict([*matches("Paris", "Rome", "Madrid", "Rome").items(), ("match-1", "Rome")]),
            "Send one answer",
        ),
    ],
)
def test_malformed_responses(fields: MultiDict[str, str], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        BODY.parse(fields)


@pytest.mark.parametrize(
    ("stored", "fraction"),
    [({}, 0.0), ({"pairs": ["Paris"]}, 0.0), ({"pairs": {"1": "Paris", "9": "Rome"}}, 0.25)],
)
def test_odd_stored_responses(stored: dict[str, object], fraction: float) -> None:
    assert BODY.fraction(stored) == fraction


def test_body_round_trips_through_json() -> None:
    dumped = json.loads(json.dumps(BODY.model_dump(mode="json")))
    assert matching.Body.model_validate(dumped) == BODY


PAIRS = [{"prompt": "A", "answer": "1"}, {"prompt": "B", "answer": "2"}]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"pairs": PAIRS[:1]}, "at least 2 items"),
        ({"pairs": [{"prompt": str(n), "answer": "x"} for n in range(10)]}, "at most 9 items"),
        ({"pairs": [{"id": 1, **PAIRS[0]}, {"id": 1, **PAIRS[1]}]}, "ids must be unique"),
        ({"pairs": [PAIRS[0], {**PAIRS[1], "prompt": "A"}]}, "each prompt must be different"),
        ({"pairs": PAIRS, "distractors": ["2"]}, "each distractor must differ"),
        ({"pairs": PAIRS, "distractors": ["3", "3"]}, "each distractor must differ"),
        ({"pairs": PAIRS, "distractors": [str(n) for n in range(3, 13)]}, "at most 9 items"),
        ({"pairs": PAIRS, "distractors": [" "]}, "distractors.0"),
        ({"pairs": [{"prompt": "A"}, PAIRS[1]]}, "pairs.0.answer"),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        matching.Body.model_validate(raw)
