"""Short answer: typed text compared with accepted answers, normalised, `*` a wildcard."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from web.kinds import short_answer
from web.kinds.base import ResponseError

BODY = short_answer.Body.model_validate(
    {
        "answers": [
            {"text": "Café de Flore", "feedback": "Yes."},
            {"text": "fish", "weight": 100},
            {"text": "Saint-*", "weight": 50, "feedback": "Which saint?"},
            {"text": "Saint-Germain*", "weight": 100},
            {"text": "a+b (c)?"},
            {"text": "wrong", "weight": -50},
        ]
    }
)
CASED = short_answer.Body.model_validate({"answers": [{"text": "NaCl"}], "case_sensitive": True})


def answer(text: str) -> MultiDict[str, str]:
    return MultiDict([("answer", text)])


@pytest.mark.parametrize(
    ("body", "typed", "fraction"),
    [
        (BODY, "Café de Flore", 1.0),
        (BODY, "café de flore", 1.0),
        (BODY, "CAFÉ  DE\tFLORE", 1.0),  # inner whitespace collapses
        (BODY, "Cafe\u0301 de Flore", 1.0),  # decomposed é
        (BODY, "\uff23\uff41\uff46é de \uff26lore", 1.0),  # full-width letters
        (BODY, "Cafe de Flore", 0.0),  # an e without its accent is another letter
        (BODY, "ﬁsh", 1.0),  # the ligature ﬁ is f and i
        (BODY, "FISH", 1.0),
        (BODY, "fish!", 0.0),
        (BODY, "Saint-Germain-des-Prés", 1.0),  # the best of two matching answers
        (BODY, "saint-Germain", 1.0),  # the wildcard matches nothing too
        (BODY, "Saint-Denis", 0.5),
        (BODY, "Saint-", 0.5),
        (BODY, "Saint Denis", 0.0),
        (BODY, "A+B (C)?", 1.0),  # everything but `*` is literal
        (BODY, "aab c", 0.0),
        (BODY, "wrong", 0.0),  # a negative weight never takes the score below 0
        (BODY, "something else", 0.0),
        (CASED, "NaCl", 1.0),
        (CASED, "nacl", 0.0),
        (CASED, "\uff2e\uff41\uff23\uff4c", 1.0),  # width is still normalised
        (CASED, "  NaCl  ", 1.0),
    ],
)
def test_grading(body: short_answer.Body, typed: str, fraction: float) -> None:
    response = body.parse(answer(typed))
    stored = json.loads(json.dumps(response))
    assert stored == response == {"text": typed.strip()}
    assert body.fraction(stored) == fraction
    assert body.describe(stored) == typed.strip()


@pytest.mark.parametrize(
    ("typed", "feedback"),
    [("café de flore", "Yes."), ("Saint-Denis", "Which saint?"), ("Saint-Germain", ""), ("x", "")],
)
def test_feedback_is_the_best_match(typed: str, feedback: str) -> None:
    assert BODY.feedback(BODY.parse(answer(typed))) == feedback


def test_a_lone_wildcard_catches_everything_else() -> None:
    body = short_answer.Body.model_validate(
        {"answers": [{"text": "42"}, {"text": "*", "weight": 0, "feedback": "Think again."}]}
    )
    assert body.fraction({"text": "41"}) == 0.0
    assert body.feedback({"text": "41"}) == "Think again."
    assert body.fraction({"text": "42"}) == 1.0
    assert body.feedback({"text": "42"}) == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "Type an answer, then submit."),
        ([("answer", "   ")], "Type an answer, then submit."),
        ([("answer", "x" * 501)], "under 500 characters"),
        ([("answer", "a\x00b")], "without special characters"),
        ([("answer", "a"), ("answer", "b")], "Send one answer"),
    ],
)
def test_malformed_responses(fields: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        BODY.parse(MultiDict(fields))


def test_words() -> None:
    assert BODY.solution() == "Café de Flore or fish or Saint-Germain* or a+b (c)?"
    assert BODY.describe(None) == "not answered"
    assert BODY.fraction({}) == 0.0
    assert BODY.parse(answer("x" * 500)) == {"text": "x" * 500}


@pytest.mark.parametrize("body", [BODY, CASED])
def test_body_round_trips_through_json(body: short_answer.Body) -> None:
    dumped = json.loads(json.dumps(body.model_dump(mode="json")))
    assert short_answer.Body.model_validate(dumped) == body


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"answers": [{"text": "a", "weight": 50}]}, "needs one answer worth 100%"),
        ({"answers": []}, "at least 1 item"),
        ({"answers": [{"text": str(n)} for n in range(21)]}, "at most 20 items"),
        ({"answers": [{"text": "a", "weight": 101}]}, "less than or equal to 100"),
        ({"answers": [{"text": "a", "points": 1}]}, "Extra inputs"),
        ({"answers": [{"weight": 100}]}, "answers.0.text"),
    ],
)
def test_body_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        short_answer.Body.model_validate(raw)
