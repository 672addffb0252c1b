from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from web.forms.quiz_import import parse_quiz_document
from web.forms.quiz_import import quiz_document
from web.services.demo import DEMO_DOCUMENT


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
        "questions": [
            {
                "text": "One?",
                "explanation": "Because.",
                "choices": [{"text": "Yes", "correct": True}, {"text": "No", "correct": False}],
            }
        ],
    }
    quiz.update(overrides)
    return quiz


def test_a_valid_document_parses_and_round_trips() -> None:
    document = {"quizzes": [good_quiz()]}
    parsed = parse_quiz_document(document)
    assert parsed.ok
    assert parsed.data is not None
    assert parsed.data[0].questions[0].choices[0].correct is True
    assert json.loads(json.dumps(quiz_document(list(parsed.data)))) == document


def test_the_shipped_demo_content_is_valid() -> None:
    parsed = parse_quiz_document(json.loads(DEMO_DOCUMENT.read_text(encoding="utf-8")))
    assert parsed.errors == {}
    assert parsed.data is not None
    assert len(parsed.data) >= 6
    assert len({quiz.category for quiz in parsed.data}) >= 3
    assert any(quiz.time_limit_seconds for quiz in parsed.data)
    assert any(quiz.feedback_mode == "exam" for quiz in parsed.data)


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({}, "quizzes"),
        ([], "quizzes"),
        ({"quizzes": []}, "quizzes"),
        ({"quizzes": ["x"]}, "quizzes[0]"),
        ({"quizzes": [good_quiz(slug="Not A Slug")]}, "quizzes[0].slug"),
        ({"quizzes": [good_quiz(title="")]}, "quizzes[0].title"),
        ({"quizzes": [good_quiz(title=7)]}, "quizzes[0].title"),
        ({"quizzes": [good_quiz(difficulty="insane")]}, "quizzes[0].difficulty"),
        ({"quizzes": [good_quiz(feedback_mode="vibes")]}, "quizzes[0].feedback_mode"),
        ({"quizzes": [good_quiz(time_limit_seconds=0)]}, "quizzes[0].time_limit_seconds"),
        ({"quizzes": [good_quiz(time_limit_seconds=True)]}, "quizzes[0].time_limit_seconds"),
        ({"quizzes": [good_quiz(published="yes")]}, "quizzes[0].published"),
        ({"quizzes": [good_quiz(questions=[])]}, "quizzes[0].questions"),
        ({"quizzes": [good_quiz(), good_quiz()]}, "quizzes"),
        ({"quizzes": [good_quiz(difficulty=["hard"])]}, "quizzes[0].difficulty"),
        ({"quizzes": [good_quiz(feedback_mode={"exam": True})]}, "quizzes[0].feedback_mode"),
        ({"quizzes": [good_quiz(title="Nul\u0000byte")]}, "quizzes[0].title"),
        ({"quizzes": [good_quiz(category="Esc\u001bape")]}, "quizzes[0].category"),
        ({"quizzes": [good_quiz(description="half \ud800 pair")]}, "quizzes[0].description"),
    ],
)
def test_bad_documents_name_the_problem(document: Any, where: str) -> None:
    parsed = parse_quiz_document(document)
    assert parsed.data is None
    assert where in parsed.errors


def test_a_question_needs_exactly_one_correct_choice() -> None:
    quiz = good_quiz()
    both = copy.deepcopy(quiz)
    both["questions"][0]["choices"][1]["correct"] = True
    one_choice = copy.deepcopy(quiz)
    one_choice["questions"][0]["choices"] = one_choice["questions"][0]["choices"][:1]
    assert "quizzes[0].questions[0].choices" in parse_quiz_document({"quizzes": [both]}).errors
    assert (
        "quizzes[0].questions[0].choices" in parse_quiz_document({"quizzes": [one_choice]}).errors
    )


def test_text_that_no_database_stores_is_refused_but_line_breaks_are_kept() -> None:
    """PostgreSQL refuses NUL and neither driver encodes a lone surrogate: a 500 otherwise."""
    quiz = good_quiz(description="Line one\r\nline two\tend")
    quiz["questions"][0]["choices"][0]["text"] = "Bell\u0007"
    parsed = parse_quiz_document({"quizzes": [quiz]})
    assert parsed.errors == {
        "quizzes[0].questions[0].choices[0].text": "must not contain control characters"
    }
    quiz["questions"][0]["choices"][0]["text"] = "Yes"
    parsed = parse_quiz_document({"quizzes": [quiz]})
    assert parsed.data is not None
    assert parsed.data[0].description == "Line one\r\nline two\tend"
