"""GIFT writer: Moodle's escapes, every kind GIFT has read back the same (write, read,
write gives the same text), and comments for what GIFT cannot say."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from web.formats import gift
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import QuizData
from web.kinds import KINDS


def _question(kind: str, text: str, body: dict[str, Any], **extra: Any) -> QuestionData:
    fields = {"explanation": "", "points": 1.0, "text_format": "plain"} | extra
    return QuestionData(kind, text, body=KINDS[kind].body.model_validate(body), **fields)


def _quiz(*questions: QuestionData, **settings: Any) -> QuizData:
    fields: dict[str, Any] = {
        "slug": "physics",
        "title": "Physics",
        "description": "",
        "category": "Science",
        "difficulty": "medium",
        "time_limit_seconds": None,
        "feedback_mode": "immediate",
        "shuffle_questions": False,
        "shuffle_choices": False,
        "published": True,
    }
    return QuizData(**(fields | settings), questions=questions)


def _again(quiz: QuizData, text: str) -> QuizData:
    parsed = gift.read(text, title=quiz.title)
    assert (parsed.problems, parsed.skipped, parsed.category) == ([], [], quiz.category)
    return dataclasses.replace(quiz, questions=tuple(q.question for q in parsed.questions))


QUESTIONS = {
    "single_choice": _question(
        "single_choice",
        "What's between orange and green?",
        {
            "choices": [
                {"text": "yellow", "weight": 100, "feedback": "right; good!"},
                {"text": "red", "weight": 25},
                {"text": "blue", "weight": -33.33333, "feedback": "no"},
            ]
        },
        explanation="The spectrum: ROYGBIV",
    ),
    "multiple_response": _question(
        "multiple_response",
        "Which are primes?",
        {
            "choices": [
                {"text": "2", "weight": 33.33333},
                {"text": "3", "weight": 33.33333, "feedback": "yes"},
                {"text": "5", "weight": 33.33333},
                {"text": "4", "weight": -100, "feedback": "2 times 2"},
                {"text": "1", "weight": 0},
            ]
        },
    ),
    "true_false": _question(
        "true_false",
        "The sun rises in the West.",
        {"answer": False, "feedback_true": "It sets there.", "feedback_false": "Right."},
        explanation="East, always.",
    ),
    "short_answer": _question(
        "short_answer",
        "Who wrote Les Misérables?",
        {
            "answers": [
                {"text": "Victor Hugo", "feedback": "Yes!"},
                {"text": "Hugo", "weight": 75},
                {"text": "*", "weight": 0, "feedback": "No: Victor Hugo."},
            ]
        },
    ),
    "numeric": _question(
        "numeric",
        "Pi to two places?",
        {
            "answers": [
                {"value": "3.14", "tolerance": "0.005", "feedback": "Yes"},
                {"min": "3", "max": "3.3", "weight": 50},
                {"value": "-1e3", "weight": 10},
            ]
        },
    ),
    "matching": _question(
        "matching",
        "Match the capitals.",
        {
            "pairs": [
                {"prompt": "Canada", "answer": "Ottawa"},
                {"prompt": "Italy", "answer": "Rome"},
            ],
            "distractors": ["Paris"],
        },
        explanation="Capitals!",
    ),
}


def test_every_kind_written_as_moodle_writes_it() -> None:
    text, notes = gift.write(_quiz(*QUESTIONS.values()))
    assert notes == []
    assert text == (
        "// Physics\n"
        "$CATEGORY: $course$/top/Science\n"
        "\n"
        "What's between orange and green?{\n"
        "\t=yellow#right; good!\n"
        "\t~%25%red\n"
        "\t~%-33.33333%blue#no\n"
        "\t####The spectrum\\: ROYGBIV\n"
        "}\n"
        "\n"
        "Which are primes?{\n"
        "\t~%33.33333%2\n"
        "\t~%33.33333%3#yes\n"
        "\t~%33.33333%5\n"
        "\t~%-100%4#2 times 2\n"
        "\t~1\n"
        "}\n"
        "\n"
        "The sun rises in the West.{FALSE#It sets there.#Right.####East, always.}\n"
        "\n"
        "Who wrote Les Misérables?{\n"
        "\t=Victor Hugo#Yes!\n"
        "\t=%75%Hugo\n"
        "\t=%0%*#No\\: Victor Hugo.\n"
        "}\n"
        "\n"
        "Pi to two places?{#\n"
        "\t=3.14:0.005#Yes\n"
        "\t=%50%3..3.3\n"
        "\t=%10%-1000\n"
        "}\n"
        "\n"
        "Match the capitals.{\n"
        "\t=Canada -> Ottawa\n"
        "\t=Italy -> Rome\n"
        "\t= -> Paris\n"
        "\t####Capitals!\n"
        "}\n"
    )


@pytest.mark.parametrize("kind", QUESTIONS)
def test_round_trip_per_kind(kind: str) -> None:
    quiz = _quiz(QUESTIONS[kind])
    text, _ = gift.write(quiz)
    again = _again(quiz, text)
    assert gift.write(again) == (text, [])
    assert again.questions[0].kind == kind
    assert again.questions[0].body == quiz.questions[0].body
    assert again.questions[0].explanation == quiz.questions[0].explanation


@pytest.mark.parametrize(
    "words",
    [
        "Specials ~ = # { } : \\ and \\n, all escaped",
        "Two\nlines\n\nand a blank one",
        "[html] is a word here",
        "// not a comment",
        "::not a title::",
        "$CATEGORY: not a category",
        "Tom & Jerry <3",
    ],
)
def test_round_trip_of_words_gift_would_misread(words: str) -> None:
    question = _question(
        "single_choice",
        words,
        {"choices": [{"text": words, "weight": 100, "feedback": words}, {"text": "[x]"}]},
        explanation=words,
    )
    quiz = _quiz(question)
    text, _ = gift.write(quiz)
    again = _again(quiz, text)
    assert again.questions[0] == question
    assert gift.write(again)[0] == text


@pytest.mark.parametrize(
    ("fmt", "prefix"), [("plain", ""), ("markdown", "[markdown]"), ("html", "[html]")]
)
def test_text_format_round_trip(fmt: str, prefix: str) -> None:
    question = _question("true_false", "Is *this* **bold**?", {"answer": True}, text_format=fmt)
    quiz = _quiz(question)
    text, _ = gift.write(quiz)
    assert f"\n{prefix}Is *this* **bold**?{{TRUE}}\n" in text
    assert _again(quiz, text).questions[0] == question


def test_data_image_round_trip() -> None:
    image = '<p>Dot: <img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"></p>'
    question = _question("true_false", image, {"answer": True}, text_format="html")
    quiz = _quiz(question)
    text, _ = gift.write(quiz)
    assert '[html]<p>Dot\\: <img src\\="data\\:image/png;base64,iVBORw0KGgo\\="' in text
    assert _again(quiz, text).questions[0] == question


def test_true_false_feedback_order() -> None:
    """Moodle: `{TRUE#for a wrong answer#for the right one}`."""
    only_right = _question("true_false", "Q", {"answer": True, "feedback_true": "Yes"})
    only_wrong = _question("true_false", "R", {"answer": True, "feedback_false": "No"})
    text, _ = gift.write(_quiz(only_right, only_wrong))
    assert "\nQ{TRUE##Yes}\n" in text
    assert "\nR{TRUE#No}\n" in text
    assert _again(_quiz(), text).questions == (only_right, only_wrong)


def test_numeric_feedback_for_any_other_number_round_trip() -> None:
    parsed = gift.read("$CATEGORY: Science\n\nPi? {# =3.14 ~#Not quite}", title="x")
    quiz = _quiz(parsed.questions[0].question)
    text, _ = gift.write(quiz)
    assert "Pi?{#\n\t=3.14\n\t~#Not quite\n}\n" in text
    assert gift.write(_again(quiz, text))[0] == text


# What GIFT cannot say: in the summary and as a comment above the question


def test_ordering_written_as_comments_only() -> None:
    ordering = _question(
        "ordering", "Order the planets", {"items": [{"text": "Mercury"}, {"text": "Venus"}]}
    )
    quiz = _quiz(QUESTIONS["true_false"], ordering)
    text, notes = gift.write(quiz)
    said = "an ordering question; GIFT has none, so it is written as comments only"
    assert notes == [f"question 2: {said}"]
    assert text.endswith(f"\n\n// {said}\n// Order the planets\n// 1. Mercury\n// 2. Venus\n")
    parsed = gift.read(text, title="Physics")
    assert [q.question.kind for q in parsed.questions] == ["true_false"]
    assert (parsed.problems, parsed.skipped) == ([], [])


def test_all_or_nothing_written_as_shares() -> None:
    question = _question(
        "multiple_response",
        "Which are even?",
        {
            "choices": [{"text": "2", "weight": 100}, {"text": "4", "weight": 100}, {"text": "5"}],
            "scoring": "all_or_nothing",
        },
    )
    quiz = _quiz(question)
    text, notes = gift.write(quiz)
    said = "all-or-nothing scoring; GIFT has weights: the right answers share 100%"
    assert notes == [f"question 1: {said}"]
    assert f"\n// {said}\nWhich are even?{{\n\t~%50%2\n\t~%50%4\n\t~5\n}}\n" in text
    again = _again(quiz, text)
    body = again.questions[0].body.model_dump()
    assert (body["scoring"], [c["weight"] for c in body["choices"]]) == ("weights", [50, 50, 0])
    assert gift.write(again) == (text.replace(f"// {said}\n", ""), [])


def test_case_sensitive_short_answer_noted() -> None:
    question = _question(
        "short_answer", "Symbol of sodium?", {"answers": [{"text": "Na"}], "case_sensitive": True}
    )
    text, notes = gift.write(_quiz(question))
    said = "case-sensitive answers; GIFT short answers ignore case"
    assert notes == [f"question 1: {said}"]
    assert f"\n// {said}\nSymbol of sodium?{{\n\t=Na\n}}\n" in text
    again = _again(_quiz(question), text).questions[0].body.model_dump()
    assert again["case_sensitive"] is False


def test_points_noted() -> None:
    question = dataclasses.replace(QUESTIONS["true_false"], points=2.5)
    text, notes = gift.write(_quiz(question))
    said = "worth 2.5 points; GIFT has no points (imported as 1)"
    assert notes == [f"question 1: {said}"]
    assert f"\n// {said}\nThe sun rises" in text
    assert _again(_quiz(question), text).questions[0].points == 1.0


def test_quiz_settings_noted_in_the_header() -> None:
    quiz = _quiz(QUESTIONS["true_false"], description="About light", time_limit_seconds=60)
    text, notes = gift.write(quiz)
    said = "quiz settings GIFT has no place for: description, time limit"
    assert notes == [said]
    assert text.startswith(f"// Physics\n// {said}\n$CATEGORY: $course$/top/Science\n\n")


def test_category_with_a_slash_and_none() -> None:
    quiz = _quiz(QUESTIONS["true_false"], category="Science/Nature")
    text, _ = gift.write(quiz)
    assert "$CATEGORY: $course$/top/Science//Nature\n" in text
    assert gift.read(text, title="x").category == "Science/Nature"
    text, _ = gift.write(_quiz(QUESTIONS["true_false"], category=""))
    assert "$CATEGORY" not in text


def test_arrow_in_a_short_answer_noted() -> None:
    question = _question("short_answer", "Arrow?", {"answers": [{"text": "->"}]})
    _, notes = gift.write(_quiz(question))
    assert notes == ["question 1: an answer holds '->', which GIFT reads as a matching question"]
