from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from web.forms.quiz_import import COMMON_QUESTION_FIELDS
from web.forms.quiz_import import MAX_QUESTIONS
from web.forms.quiz_import import MAX_QUIZZES
from web.forms.quiz_import import QUESTION_MODELS
from web.forms.quiz_import import parse_quiz_document
from web.forms.quiz_import import quiz_document
from web.kinds import KINDS

DEMO = Path(__file__).resolve().parents[2] / "web" / "demo"

# One question of each kind, in the canonical form export writes (ids, defaults and all).
EXAMPLES: dict[str, dict[str, Any]] = {
    "single_choice": {
        "choices": [
            {"id": 1, "text": "Yes", "weight": 100, "feedback": "Right."},
            {"id": 2, "text": "No", "weight": 0, "feedback": ""},
        ]
    },
    "multiple_response": {
        "choices": [
            {"id": 1, "text": "2", "weight": 50, "feedback": ""},
            {"id": 2, "text": "3", "weight": 50, "feedback": ""},
            {"id": 3, "text": "4", "weight": -100, "feedback": "4 is even."},
        ],
        "scoring": "weights",
    },
    "true_false": {"answer": True, "feedback_true": "", "feedback_false": "It is."},
    "short_answer": {
        "answers": [
            {"weight": 100, "feedback": "", "text": "Au"},
            {"weight": 0, "feedback": "The symbol, not the name.", "text": "gold*"},
        ],
        "case_sensitive": False,
    },
    "numeric": {
        "answers": [
            {
                "weight": 100,
                "feedback": "",
                "value": "3.14",
                "tolerance": "0.01",
                "min": None,
                "max": None,
            },
            {"weight": 50, "feedback": "", "value": None, "tolerance": "0", "min": "3", "max": "4"},
        ]
    },
    "ordering": {
        "items": [{"id": 1, "text": "One"}, {"id": 2, "text": "Two"}, {"id": 3, "text": "Three"}],
        "scoring": "partial",
    },
    "matching": {
        "pairs": [
            {"id": 1, "prompt": "France", "answer": "Paris"},
            {"id": 2, "prompt": "Italy", "answer": "Rome"},
        ],
        "distractors": ["Madrid"],
    },
}


def question(kind: str = "single_choice", **overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLES[kind])
    return {
        "kind": kind,
        "text": f"A {kind} question?",
        "explanation": "Because.",
        "points": 1,
        **body,
        **overrides,
    }


def good_quiz(**overrides: Any) -> dict[str, Any]:
    quiz = {
        "slug": "tiny",
        "title": "Tiny",
        "description": "",
        "category": "Misc",
        "difficulty": "easy",
        "time_limit_seconds": None,
        "feedback_mode": "immediate",
        "shuffle_questions": False,
        "shuffle_choices": False,
        "published": True,
        "questions": [question()],
    }
    quiz.update(overrides)
    return quiz


def v2(*quizzes: dict[str, Any]) -> dict[str, Any]:
    return {"format": 2, "quizzes": list(quizzes)}


def v1_quiz(**overrides: Any) -> dict[str, Any]:
    """A quiz as format 1 wrote it: single choice only, one choice marked correct."""
    quiz = good_quiz(
        questions=[
            {
                "text": "One?",
                "explanation": "Because.",
                "choices": [{"text": "Yes", "correct": True}, {"text": "No", "correct": False}],
            }
        ]
    )
    quiz.update(overrides)
    return quiz


def as_v1(*quizzes: Any) -> dict[str, Any]:
    """The same quizzes in format 1, where their questions are the usual ones."""
    v1_questions = v1_quiz()["questions"]
    return {
        "quizzes": [
            {**quiz, "questions": v1_questions}
            if isinstance(quiz, dict) and quiz.get("questions") == [question()]
            else quiz
            for quiz in quizzes
        ]
    }


def errors_of(document: Any) -> dict[str, str]:
    parsed = parse_quiz_document(document)
    assert parsed.data is None
    return parsed.errors


def test_a_valid_document_parses_and_round_trips() -> None:
    document = v2(good_quiz())
    parsed = parse_quiz_document(document)
    assert parsed.ok
    assert parsed.data is not None
    assert parsed.data[0].questions[0].kind == "single_choice"
    assert json.loads(json.dumps(quiz_document(list(parsed.data)))) == document


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_kind_round_trips(kind: str) -> None:
    document = v2(good_quiz(questions=[question(kind, points=2.5), question(kind, text="Again?")]))
    parsed = parse_quiz_document(document)
    assert parsed.errors == {}
    assert parsed.data is not None
    first = parsed.data[0].questions[0]
    assert (first.kind, first.points) == (kind, 2.5)
    assert isinstance(first.body, KINDS[kind].body)
    assert json.loads(json.dumps(quiz_document(parsed.data))) == document


def test_the_union_has_every_registered_kind_and_no_field_clashes() -> None:
    assert set(QUESTION_MODELS) == set(KINDS)
    for kind in KINDS.values():
        assert not COMMON_QUESTION_FIELDS & set(kind.body.model_fields), kind.name


def test_a_short_document_gets_defaults_and_numbered_options() -> None:
    short = {
        "slug": "short",
        "title": "Short",
        "category": "Misc",
        "questions": [
            {
                "kind": "single_choice",
                "text": "Q?",
                "choices": [{"text": "A", "weight": 100}, {"text": "B"}],
            }
        ],
    }
    parsed = parse_quiz_document(v2(short))
    assert parsed.data is not None
    quiz = parsed.data[0]
    assert (quiz.difficulty, quiz.feedback_mode, quiz.published) == ("medium", "immediate", False)
    exported = quiz_document(parsed.data)["quizzes"][0]["questions"][0]
    assert exported["points"] == 1
    assert exported["explanation"] == ""
    assert [choice["id"] for choice in exported["choices"]] == [1, 2]


def test_a_format_1_document_imports_as_single_choice() -> None:
    document = {"quizzes": [v1_quiz(unknown_key="ignored, as format 1 always did")]}
    parsed = parse_quiz_document(document)
    assert parsed.errors == {}
    assert parsed.data is not None
    converted = quiz_document(parsed.data)
    assert converted["format"] == 2
    (only,) = converted["quizzes"][0]["questions"]
    assert only == {
        "kind": "single_choice",
        "text": "One?",
        "explanation": "Because.",
        "points": 1,
        "choices": [
            {"id": 1, "text": "Yes", "weight": 100, "feedback": ""},
            {"id": 2, "text": "No", "weight": 0, "feedback": ""},
        ],
    }
    assert parse_quiz_document({"format": 1, "quizzes": [v1_quiz()]}).ok
    assert parse_quiz_document(converted).data == parsed.data


def test_a_format_1_question_needs_exactly_one_correct_choice() -> None:
    both = v1_quiz()
    both["questions"][0]["choices"][1]["correct"] = True
    one_choice = v1_quiz()
    one_choice["questions"][0]["choices"] = one_choice["questions"][0]["choices"][:1]
    assert errors_of({"quizzes": [both]}) == {
        "quizzes[0].questions[0].choices": "must have exactly one correct choice"
    }
    assert "quizzes[0].questions[0].choices" in errors_of({"quizzes": [one_choice]})
    truthy = v1_quiz()
    truthy["questions"][0]["choices"][0]["correct"] = "yes"
    assert errors_of({"quizzes": [truthy]}) == {
        "quizzes[0].questions[0].choices[0].correct": "must be true or false"
    }


@pytest.mark.parametrize("name", ["quizzes.json", "question_kinds.json"])
def test_the_shipped_demo_content_is_valid(name: str) -> None:
    parsed = parse_quiz_document(json.loads((DEMO / name).read_text(encoding="utf-8")))
    assert parsed.errors == {}
    assert parsed.data is not None


def test_the_general_demo_quizzes_cover_the_settings() -> None:
    parsed = parse_quiz_document(json.loads((DEMO / "quizzes.json").read_text(encoding="utf-8")))
    assert parsed.data is not None
    assert len(parsed.data) >= 6
    assert len({quiz.category for quiz in parsed.data}) >= 3
    assert any(quiz.time_limit_seconds for quiz in parsed.data)
    assert any(quiz.feedback_mode == "exam" for quiz in parsed.data)


@pytest.mark.parametrize("make", [v2, as_v1], ids=["v2", "v1"])
@pytest.mark.parametrize(
    ("quizzes", "where"),
    [
        ([], "quizzes"),
        (["x"], "quizzes[0]"),
        ([good_quiz(slug="Not A Slug")], "quizzes[0].slug"),
        ([good_quiz(slug="")], "quizzes[0].slug"),
        ([good_quiz(title="")], "quizzes[0].title"),
        ([good_quiz(title="   ")], "quizzes[0].title"),
        ([good_quiz(title=7)], "quizzes[0].title"),
        ([good_quiz(title="x" * 201)], "quizzes[0].title"),
        ([good_quiz(difficulty="insane")], "quizzes[0].difficulty"),
        ([good_quiz(feedback_mode="vibes")], "quizzes[0].feedback_mode"),
        ([good_quiz(time_limit_seconds=0)], "quizzes[0].time_limit_seconds"),
        ([good_quiz(time_limit_seconds=True)], "quizzes[0].time_limit_seconds"),
        ([good_quiz(time_limit_seconds=24 * 3600 + 1)], "quizzes[0].time_limit_seconds"),
        ([good_quiz(published="yes")], "quizzes[0].published"),
        ([good_quiz(shuffle_choices=1)], "quizzes[0].shuffle_choices"),
        ([good_quiz(questions=[])], "quizzes[0].questions"),
        ([good_quiz(questions="all of them")], "quizzes[0].questions"),
        ([good_quiz(), good_quiz()], "quizzes"),
        ([good_quiz(difficulty=["hard"])], "quizzes[0].difficulty"),
        ([good_quiz(feedback_mode={"exam": True})], "quizzes[0].feedback_mode"),
        ([good_quiz(title="Nul\u0000byte")], "quizzes[0].title"),
        ([good_quiz(category="Esc\u001bape")], "quizzes[0].category"),
        ([good_quiz(description="half \ud800 pair")], "quizzes[0].description"),
        ([good_quiz(category=None)], "quizzes[0].category"),
    ],
)
def test_bad_documents_name_the_problem(make: Any, quizzes: list[Any], where: str) -> None:
    errors = errors_of(make(*quizzes))
    assert where in errors
    assert not any("Input should" in message or "[type=" in message for message in errors.values())


@pytest.mark.parametrize(
    ("document", "errors"),
    [
        ([], {"document": 'must be a JSON object: {"format": 2, "quizzes": []}'}),
        ("quizzes", {"document": 'must be a JSON object: {"format": 2, "quizzes": []}'}),
        ({}, {"quizzes": "is required"}),
        ({"format": 3, "quizzes": []}, {"format": "must be 1 or 2 (or left out for 1)"}),
        ({"format": "2", "quizzes": []}, {"format": "must be 1 or 2 (or left out for 1)"}),
        ({"format": True, "quizzes": []}, {"format": "must be 1 or 2 (or left out for 1)"}),
        (
            {"format": 2, "quizzes": [], "extra": 1},
            {
                "quizzes": "must have at least 1 entry",
                "extra": "is not part of the format (check its spelling)",
            },
        ),
        (
            v2(good_quiz(), good_quiz()),
            {"quizzes": "slugs must be unique within a document (repeated: tiny)"},
        ),
    ],
)
def test_document_level_problems(document: Any, errors: dict[str, str]) -> None:
    assert errors_of(document) == errors


def test_an_unknown_kind_names_the_kinds_there_are() -> None:
    essay = {**question(), "kind": "essay"}
    errors = errors_of(v2(good_quiz(questions=[question(), essay])))
    message = errors.pop("quizzes[0].questions[1].kind")
    assert errors == {}
    assert message.endswith(", not 'essay'")
    assert all(name in message for name in KINDS)


@pytest.mark.parametrize("bad", [None, 5, ["single_choice"], {"name": "single_choice"}])
def test_a_missing_or_odd_kind_is_reported_at_kind(bad: Any) -> None:
    broken = question()
    if bad is None:
        del broken["kind"]
    else:
        broken["kind"] = bad
    errors = errors_of(v2(good_quiz(questions=[broken])))
    assert list(errors) == ["quizzes[0].questions[0].kind"]
    assert errors["quizzes[0].questions[0].kind"].startswith(
        "must be one of the kinds single_choice"
    )


def test_a_question_that_is_no_object_says_so() -> None:
    assert errors_of(v2(good_quiz(questions=[question(), "Why?"]))) == {
        "quizzes[0].questions[1]": "must be an object"
    }


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"text": ""}, "quizzes[0].questions[1].text", "is required"),
        (
            {"text": "x" * 20_001},
            "quizzes[0].questions[1].text",
            "must be at most 20000 characters",
        ),
        (
            {"explanation": "x" * 20_001},
            "quizzes[0].questions[1].explanation",
            "must be at most 20000 characters",
        ),
        ({"points": 0}, "quizzes[0].questions[1].points", "must be more than 0"),
        ({"points": -1}, "quizzes[0].questions[1].points", "must be more than 0"),
        ({"points": 1001}, "quizzes[0].questions[1].points", "must be at most 1000"),
        ({"points": "2"}, "quizzes[0].questions[1].points", "must be a number"),
        ({"points": True}, "quizzes[0].questions[1].points", "must be a number"),
        ({"points": float("nan")}, "quizzes[0].questions[1].points", "must be a number"),
        (
            {"hint": "typo"},
            "quizzes[0].questions[1].hint",
            "is not part of the format (check its spelling)",
        ),
    ],
)
def test_question_fields_are_checked_whatever_the_kind(
    change: dict[str, Any], where: str, message: str
) -> None:
    for kind in EXAMPLES:
        assert errors_of(v2(good_quiz(questions=[question(), question(kind, **change)]))) == {
            where: message
        }


def test_a_body_error_has_a_path_without_the_union_tag() -> None:
    bad = question()
    bad["choices"][1]["weight"] = "lots"
    bad["choices"].append({"id": 3, "text": "Maybe", "weight": 500})
    errors = errors_of(v2(good_quiz(questions=[question(), bad])))
    assert errors == {
        "quizzes[0].questions[1].choices[1].weight": "must be a number",
        "quizzes[0].questions[1].choices[2].weight": "must be at most 100",
    }


def test_a_body_rule_reads_as_the_kind_wrote_it() -> None:
    nobody_right = question()
    nobody_right["choices"][0]["weight"] = 50
    assert errors_of(v2(good_quiz(questions=[nobody_right]))) == {
        "quizzes[0].questions[0].choices": "needs one choice worth 100%"
    }
    empty = question(choices=[{"text": "", "weight": 100}, {"text": "No"}])
    assert errors_of(v2(good_quiz(questions=[question(), empty]))) == {
        "quizzes[0].questions[1].choices[0].text": "must not be empty"
    }


def test_the_limits_hold() -> None:
    many = [good_quiz(slug=f"quiz-{n}") for n in range(MAX_QUIZZES + 1)]
    assert errors_of(v2(*many)) == {"quizzes": f"must have at most {MAX_QUIZZES} entries"}
    assert parse_quiz_document(v2(*many[:MAX_QUIZZES])).ok
    questions = [question(text=f"Q{n}?") for n in range(MAX_QUESTIONS + 1)]
    assert errors_of(v2(good_quiz(questions=questions))) == {
        "quizzes[0].questions": f"must have at most {MAX_QUESTIONS} entries"
    }
    assert parse_quiz_document(v2(good_quiz(questions=questions[:MAX_QUESTIONS]))).ok


def test_format_2_refuses_keys_it_does_not_know() -> None:
    assert errors_of(v2(good_quiz(shuffle=True))) == {
        "quizzes[0].shuffle": "is not part of the format (check its spelling)"
    }


def test_text_that_no_database_stores_is_refused_but_line_breaks_are_kept() -> None:
    """PostgreSQL refuses NUL and neither driver encodes a lone surrogate: a 500 otherwise."""
    quiz = good_quiz(description="Line one\r\nline two\tend")
    quiz["questions"][0]["choices"][0]["text"] = "Bell\u0007"
    assert errors_of(v2(quiz)) == {
        "quizzes[0].questions[0].choices[0].text": "must not contain control characters"
    }
    quiz["questions"][0]["choices"][0]["text"] = "Yes"
    quiz["questions"][0]["text"] = "Nul\u0000?"
    assert errors_of(v2(quiz)) == {
        "quizzes[0].questions[0].text": "must not contain control characters"
    }
    quiz["questions"][0]["text"] = "Fine?"
    parsed = parse_quiz_document(v2(quiz))
    assert parsed.data is not None
    assert parsed.data[0].description == "Line one\r\nline two\tend"


def test_text_is_trimmed() -> None:
    parsed = parse_quiz_document(v2(good_quiz(title="  Tiny  ", questions=[question(text=" Q? ")])))
    assert parsed.data is not None
    assert (parsed.data[0].title, parsed.data[0].questions[0].text) == ("Tiny", "Q?")
