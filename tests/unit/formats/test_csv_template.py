"""CSV template: both delimiters, every kind it expresses, problems at spreadsheet rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from web.formats import Place
from web.formats import csv_template

SAMPLES = Path(__file__).parent / "samples"
DOCS = Path(__file__).parents[3] / "docs" / "formats" / "quiz-template.csv"


def _read(name: str) -> csv_template.Parsed:
    return csv_template.read((SAMPLES / name).read_text(), title="CSV")


def _body(parsed: csv_template.Parsed, index: int) -> Any:
    return parsed.questions[index].question.body


def test_comma_file_holds_every_kind() -> None:
    parsed = _read("template_comma.csv")
    assert parsed.ok
    assert [(q.place.line, q.question.kind, q.question.points) for q in parsed.questions] == [
        (2, "single_choice", 1.0),
        (3, "multiple_response", 2.0),
        (4, "true_false", 1.0),
        (5, "short_answer", 1.0),
        (6, "numeric", 1.5),
        (7, "ordering", 1.0),
        (8, "matching", 3.0),
    ]
    first = parsed.questions[0].question
    assert (first.text, first.explanation) == (
        "What is the capital of France?",
        "Paris has been the capital since 987.",
    )
    assert [(c.text, c.weight) for c in _body(parsed, 0).choices] == [
        ("Lyon", 0),
        ("Paris", 100),
        ("Marseille", 0),
    ]
    multiple = _body(parsed, 1)
    assert multiple.scoring == "all_or_nothing"
    assert [(c.text, c.weight) for c in multiple.choices] == [
        ("2", 50),
        ("4", 0),
        ("7", 50),
        ("9", 0),
    ]
    assert _body(parsed, 2).answer is False
    assert [a.text for a in _body(parsed, 3).answers] == ["Na", "na"]
    numeric = _body(parsed, 4).answers[0]
    assert (numeric.value, numeric.tolerance) == (Decimal("3.14"), Decimal("0.005"))
    assert [i.text for i in _body(parsed, 5).items] == ["Mouse", "Cat", "Horse", "Elephant"]
    matching = _body(parsed, 6)
    assert [(p.prompt, p.answer) for p in matching.pairs] == [
        ("France", "Paris"),
        ("Italy", "Rome"),
    ]
    assert matching.distractors == ("Madrid",)


def test_semicolon_file_with_decimal_commas_and_errors() -> None:
    parsed = _read("template_semicolon.csv")
    assert [q.place.line for q in parsed.questions] == [2, 3, 4]
    assert parsed.questions[0].question.points == 2.5
    assert [(c.text, c.weight) for c in _body(parsed, 0).choices] == [
        ("Graz", 0),
        ("Wien", 100),
        ("Linz", 0),
    ]
    third = _body(parsed, 1).answers[0]
    assert (third.value, third.tolerance) == (Decimal("0.33"), Decimal("0.01"))
    between = _body(parsed, 2).answers[0]
    assert (between.min, between.max) == (Decimal(1), Decimal(2))
    assert [(p.place, p.message) for p in parsed.problems] == [
        (
            Place(line=6),
            "type must be one of single, multiple, truefalse, short, numeric, ordering, "
            "matching, not 'essay'",
        ),
        (Place(line=7), "correct must be the option's number (1 to 9) among those given, not '4'"),
        (Place(line=8), "options: must have at least 2 entries"),
        (Place(line=9), "correct must be true or false, not 'vielleicht'"),
        (Place(line=10), "question: is required"),
        (Place(line=10), "points: must be a number"),
        (Place(line=11), "option 1 must be 'prompt -> answer' (or '-> answer' for a decoy)"),
    ]


def test_header_problems() -> None:
    misspelt = csv_template.read("type,question,expalnation\nsingle,Q,x\n", title="t")
    assert [(p.place, p.message) for p in misspelt.problems] == [
        (Place(line=1), "column 'expalnation' is not part of the template (check its spelling)"),
        (Place(line=2), "correct must be the option's number (1 to 9) among those given"),
    ]
    headless = csv_template.read("single,Q,1,a,b\n", title="t")
    assert [p.place for p in headless.problems] == [Place(line=1)] * 6
    assert headless.problems[-1].message.startswith(
        "the header row needs the columns type and question: type,question,correct,option 1"
    )
    only_header = csv_template.read("type,question\n", title="t")
    assert [(p.place, p.message) for p in only_header.problems] == [
        (Place(), "no questions: only a header row")
    ]


def test_rows_are_spreadsheet_rows_even_with_line_breaks_in_cells() -> None:
    text = 'type,question,correct,option 1,option 2\nsingle,"Two\nlines",1,a,b\nsingle,Q,3,a,b\n'
    parsed = csv_template.read(text, title="t")
    assert parsed.questions[0].question.text == "Two\nlines"
    assert [(p.place, p.message) for p in parsed.problems] == [
        (Place(line=3), "correct must be the option's number (1 to 9) among those given, not '3'")
    ]


def test_correct_by_text_options_for_kinds_without_any_and_extra_cells() -> None:
    text = (
        "type,question,correct,option 1,option 2\n"
        "single,Capital?,Paris,Lyon,Paris\n"
        "truefalse,Flat?,no,yes,\n"
        "ordering,Order?,1,a,b\n"
        "single,Q,1,a,b,c\n"
        "single,Q,1 2,a,b\n"
    )
    parsed = csv_template.read(text, title="t")
    assert [(c.text, c.weight) for c in _body(parsed, 0).choices] == [("Lyon", 0), ("Paris", 100)]
    assert [(p.place, p.message) for p in parsed.problems] == [
        (Place(line=3), "a true/false question takes no options"),
        (Place(line=4), "leave correct empty: the options of ordering say what is right"),
        (Place(line=5), "the row has more cells than the header has columns"),
        (Place(line=6), "a single choice question has one correct option (or use multiple)"),
    ]


def test_the_documented_template_reads_without_problems() -> None:
    parsed = csv_template.read(DOCS.read_text(), title="Template")
    assert parsed.ok
    assert [q.question.kind for q in parsed.questions] == [
        "single_choice",
        "multiple_response",
        "true_false",
        "short_answer",
        "numeric",
        "ordering",
        "matching",
    ]
