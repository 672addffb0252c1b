"""Aiken: Moodle's documented example and its error fixture, every problem at its line."""

from __future__ import annotations

from pathlib import Path

from web.formats import Place
from web.formats import aiken

SAMPLES = Path(__file__).parent / "samples"


def _choices(parsed: aiken.Parsed, index: int) -> list[tuple[str, float]]:
    body = parsed.questions[index].question.body
    return [(choice.text, choice.weight) for choice in body.choices]  # type: ignore[attr-defined]


def test_moodle_docs_example() -> None:
    parsed = aiken.read((SAMPLES / "moodle_docs.aiken.txt").read_text(), title="Moodle")
    assert parsed.ok
    assert parsed.title == "Moodle"
    assert [q.place for q in parsed.questions] == [Place(line=1), Place(line=8)]
    first = parsed.questions[0].question
    assert (first.kind, first.text, first.points, first.text_format) == (
        "single_choice",
        "The Moodle project was started by:",
        1.0,
        "plain",
    )
    assert _choices(parsed, 0) == [
        ("Petr Skoda", 0),
        ("Martin Dougiamas", 100),
        ("Eloy Lafuente", 0),
        ("Tim Hunt", 0),
    ]
    # plain text: the markup is the teacher's words, not HTML
    assert parsed.questions[1].question.text.endswith('<html class="cool"> & images:')
    assert _choices(parsed, 1) == [("True", 100), ("False", 0)]


def test_errors_fixture_keeps_good_questions_and_places_every_problem() -> None:
    parsed = aiken.read((SAMPLES / "aiken_errors.txt").read_text(), title="Errors")
    assert [(q.place.line, q.question.text) for q in parsed.questions] == [
        (9, "A good question"),
        (18, "A second good question"),
    ]
    assert _choices(parsed, 1) == [("Incorrect (No space)", 0), ("Correct (No space)", 100)]
    assert [(p.place.line, p.message) for p in parsed.problems] == [
        (1, "needs at least 2 options (found 1 option)"),
        (
            5,
            "an option outside a question: a question is a line of text, then its options, "
            "then ANSWER",
        ),
        (
            7,
            "an ANSWER line outside a question: a question is a line of text, then its "
            "options, then ANSWER",
        ),
        (14, "the question has no ANSWER line (end it with a line like 'ANSWER: B')"),
        (26, "ANSWER must be the letter of one of the options (A-B), not 'E'"),
        (28, "has 10 options; at most 9 (keys 1-9 pick an answer)"),
    ]
    assert not parsed.ok


def test_lower_case_answer_windows_line_endings_and_option_dots() -> None:
    text = "2 + 2 =\r\nA. 3\r\nB. 4\r\nanswer: b\r\n"
    parsed = aiken.read(text, title="t")
    assert parsed.ok
    assert _choices(parsed, 0) == [("3", 0), ("4", 100)]


def test_missing_answer_at_end_of_file_and_empty_answer() -> None:
    parsed = aiken.read("Q1\nA) x\nB) y\nANSWER:\nQ2\nA) x\nB) y", title="t")
    assert [(p.place.line, p.message) for p in parsed.problems] == [
        (4, "ANSWER must be the letter of one of the options (A-B), not nothing"),
        (5, "the question has no ANSWER line (end it with a line like 'ANSWER: B')"),
    ]
    assert parsed.questions == []


def test_repeated_letter_and_too_long_option() -> None:
    long_option = "x" * 501
    parsed = aiken.read(
        f"Q\nA) a\nA) b\nANSWER: A\n\nR\nA) {long_option}\nB) b\nANSWER: B", title="t"
    )
    assert [(p.place, p.message) for p in parsed.problems] == [
        (Place(line=1), "option letter A is used twice; give each option its own"),
        (Place(line=7), "option A: must be at most 500 characters"),
    ]


def test_empty_file() -> None:
    parsed = aiken.read("\n\n", title="t")
    assert [(p.place, p.message) for p in parsed.problems] == [
        (Place(), "no questions found (is this an Aiken file?)")
    ]
