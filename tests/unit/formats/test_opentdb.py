"""Open Trivia DB: entities decoded, the other encodings read, problems at their JSON path."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from web.formats import Place
from web.formats import opentdb

SAMPLES = Path(__file__).parent / "samples"


def _sample() -> opentdb.Parsed:
    return opentdb.read((SAMPLES / "opentdb.json").read_text(), title="Trivia")


def test_entities_decoded_and_kinds_mapped() -> None:
    parsed = _sample()
    assert parsed.category == "Science & Nature"
    assert [(q.place, q.question.kind, q.question.text) for q in parsed.questions] == [
        (Place(path="results[0]"), "single_choice", 'What is the chemical symbol for "gold"?'),
        (Place(path="results[1]"), "true_false", "The Sun is a star."),
        (Place(path="results[2]"), "true_false", "Water boils at 50°C at sea level."),
    ]
    gold = parsed.questions[0].question
    assert [(c.text, c.weight) for c in gold.body.choices] == [  # type: ignore[attr-defined]
        ("Au", 100),
        ("Ag", 0),
        ("Gd", 0),
        ("Gö", 0),
    ]
    assert gold.text_format == "plain"
    assert [q.question.body.answer for q in parsed.questions[1:]] == [True, False]  # type: ignore[attr-defined]


def test_problems_at_their_json_path() -> None:
    assert [(p.place, p.message) for p in _sample().problems] == [
        (Place(path="results[3].incorrect_answers[2]"), "must not be empty"),
        (Place(path="results[4].incorrect_answers"), "must hold 1 to 8 wrong answers"),
        (Place(path="results[4].question"), "is required"),
    ]


def _result(encode: Any) -> dict[str, Any]:
    fields = {
        "type": "multiple",
        "difficulty": "easy",
        "category": "Art & Music",
        "question": "Who painted 'Guernica'?",
        "correct_answer": "Picasso",
        "incorrect_answers": ["Dalí", "Miró"],
    }
    return {
        key: [encode(v) for v in value] if isinstance(value, list) else encode(value)
        for key, value in fields.items()
    }


def test_url3986_and_base64_encodings() -> None:
    def b64(value: str) -> str:
        return base64.b64encode(value.encode()).decode()

    for encode in (lambda v: quote(v, safe=""), b64):
        parsed = opentdb.read(
            json.dumps({"response_code": 0, "results": [_result(encode)]}), title="t"
        )
        question = parsed.questions[0].question
        assert question.text == "Who painted 'Guernica'?"
        assert [c.text for c in question.body.choices] == ["Picasso", "Dalí", "Miró"]  # type: ignore[attr-defined]
        assert parsed.category == "Art & Music"


def test_mixed_categories_leave_the_category_empty() -> None:
    other = {**_result(str), "category": "History"}
    parsed = opentdb.read(
        json.dumps({"response_code": 0, "results": [_result(str), other]}), title="t"
    )
    assert parsed.category == ""
    assert len(parsed.questions) == 2


def test_failed_responses_and_bad_documents() -> None:
    cases = {
        '{"response_code": 1, "results": []}': (
            Place(path="response_code"),
            "no results: the query asked for more questions than the category holds",
        ),
        '{"results": "x"}': (
            Place(path="document"),
            'must be an Open Trivia DB response: {"response_code": 0, "results": [...]}',
        ),
        '{"response_code": 0,\n "results": [}': (
            Place(line=2),
            "the file is not valid JSON (Expecting value)",
        ),
        '{"response_code": 0, "results": []}': (Place(path="results"), "holds no questions"),
        '{"response_code": 0, "results": [{"type": "text"}]}': (
            Place(path="results[0].type"),
            "type must be 'multiple' or 'boolean', not 'text'",
        ),
        '{"response_code": 0, "results": [{"type": "boolean", "question": "Q",'
        ' "correct_answer": "Maybe", "incorrect_answers": []}]}': (
            Place(path="results[0].correct_answer"),
            "must be 'True' or 'False', not 'Maybe'",
        ),
    }
    for text, problem in cases.items():
        parsed = opentdb.read(text, title="t")
        assert [(p.place, p.message) for p in parsed.problems] == [problem]
        assert parsed.questions == []
