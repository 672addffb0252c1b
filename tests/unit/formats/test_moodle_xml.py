"""Moodle XML: an export with every supported type, categories, images and skipped types."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from web.formats import Place
from web.formats import moodle_xml

SAMPLES = Path(__file__).parent / "samples"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"


@pytest.fixture(scope="module")
def parsed() -> moodle_xml.Parsed:
    return moodle_xml.read((SAMPLES / "moodle_export.xml").read_text(), title="Export")


def _question(parsed: moodle_xml.Parsed, path: str) -> Any:
    return next(q.question for q in parsed.questions if q.place.path == path)


def test_category_is_the_last_segment_in_force_at_the_first_question(parsed: Any) -> None:
    assert parsed.category == "Capitals"
    assert parsed.title == "Export"


def test_every_supported_type_is_read_at_its_place(parsed: Any) -> None:
    assert [(q.place.line, q.place.path, q.question.kind) for q in parsed.questions] == [
        (19, "quiz/question[3]", "single_choice"),
        (56, "quiz/question[4]", "multiple_response"),
        (83, "quiz/question[5]", "true_false"),
        (108, "quiz/question[6]", "short_answer"),
        (127, "quiz/question[7]", "numeric"),
        (154, "quiz/question[8]", "matching"),
        (206, "quiz/question[12]", "single_choice"),
    ]


def test_multichoice_single_with_an_inlined_image(parsed: Any) -> None:
    question = _question(parsed, "quiz/question[3]")
    assert question.text == (
        "<p>Which city is the capital of France? "
        f'<img src="data:image/png;base64,{PNG}" alt="Flag"></p>'
    )
    assert question.text_format == "html"
    assert question.explanation == "<p>Paris has been the capital since 987.</p>"
    assert question.points == 2.0
    assert [(c.text, c.weight, c.feedback) for c in question.body.choices] == [
        ("<p>Paris</p>", 100, "<p>Right.</p>"),
        ("<p>Lyon</p>", 0, ""),
        ("<p>Marseille</p>", 0, ""),
    ]


def test_multichoice_multiple_keeps_fractions_as_weights(parsed: Any) -> None:
    question = _question(parsed, "quiz/question[4]")
    assert question.text_format == "plain"
    assert question.body.scoring == "weights"
    assert [(c.text, c.weight, c.feedback) for c in question.body.choices] == [
        ("Seine", 50, ""),
        ("Loire", 50, ""),
        ("Thames", -100, "That one is in England."),
    ]


def test_truefalse_feedback_per_answer(parsed: Any) -> None:
    body = _question(parsed, "quiz/question[5]").body
    assert body.answer is False
    assert body.feedback_true == "<p>Your answer is incorrect.</p>"
    assert body.feedback_false == "<p>Yes: <em>Environment</em>, not Education.</p>"


def test_shortanswer_usecase_and_fractions(parsed: Any) -> None:
    question = _question(parsed, "quiz/question[6]")
    assert question.text == "What is the chemical symbol for sodium?"
    assert question.body.case_sensitive is True
    assert [(a.text, a.weight, a.feedback) for a in question.body.answers] == [
        ("Na", 100, "Natrium."),
        ("*", 0, "It comes from the Latin name."),
    ]


def test_numerical_tolerance_and_the_any_answer_left_out(parsed: Any) -> None:
    question = _question(parsed, "quiz/question[7]")
    assert (question.text, question.text_format) == ("What is **pi** to two decimals?", "markdown")
    assert [(a.value, a.tolerance, a.weight, a.feedback) for a in question.body.answers] == [
        (Decimal("3.14"), Decimal("0.005"), 100, "Well done."),
        (Decimal("3"), Decimal("0"), 50, ""),
    ]


def test_matching_subquestion_without_text_is_a_distractor(parsed: Any) -> None:
    question = _question(parsed, "quiz/question[8]")
    assert question.points == 3.0
    assert [(p.prompt, p.answer) for p in question.body.pairs] == [
        ("<p>France</p>", "Paris"),
        ("<p>Italy</p>", "Rome"),
    ]
    assert question.body.distractors == ("Madrid",)


def test_unsupported_types_are_skipped_with_their_reason(parsed: Any) -> None:
    assert [(s.place, s.title, s.reason) for s in parsed.skipped] == [
        (
            Place(line=177, path="quiz/question[9]"),
            "Kappa Essay Question",
            "an essay is marked by hand; Hyperquiz marks every answer itself",
        ),
        (
            Place(line=188, path="quiz/question[10]"),
            "About this quiz",
            "a description is text to read, not a question",
        ),
        (
            Place(line=197, path="quiz/question[11]"),
            "Embedded",
            "embedded answers (Cloze) hold several questions in one text",
        ),
    ]


def test_problems_are_placed_and_images_dropped_keep_the_question(parsed: Any) -> None:
    assert [(p.place, p.message) for p in parsed.problems] == [
        (
            Place(line=210, path="quiz/question[12]/questiontext"),
            "image dropped: it.svg is an SVG image (it can hold scripts)",
        ),
        (
            Place(line=210, path="quiz/question[12]/questiontext"),
            "image dropped: missing.png is not in the file",
        ),
        (Place(line=236, path="quiz/question[13]/answer[2]"), "text: must not be empty"),
        (Place(line=231, path="quiz/question[13]/defaultgrade"), "must be more than 0"),
    ]
    assert _question(parsed, "quiz/question[12]").text == "<p>Which is the Italian flag?  </p>"
    assert not parsed.ok


def _one(body: str, *, kind: str = "multichoice") -> moodle_xml.Parsed:
    return moodle_xml.read(
        f'<quiz>\n<question type="{kind}">\n<questiontext format="html">{body}'
        '</questiontext>\n<answer fraction="100"><text>a</text></answer>\n'
        '<answer fraction="0"><text>b</text></answer>\n</question>\n</quiz>',
        title="t",
    )


def test_an_image_over_the_size_limit_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moodle_xml, "MAX_IMAGE_BYTES", 10)
    parsed = _one(
        '<text><![CDATA[<p>Look <img src="@@PLUGINFILE@@/a.png"></p>]]></text>'
        f'<file name="a.png" encoding="base64">{PNG}</file>'
    )
    assert parsed.questions[0].question.text == "<p>Look </p>"
    assert [(p.place, p.message) for p in parsed.problems] == [
        (
            Place(line=3, path="quiz/question[1]/questiontext"),
            "image dropped: a.png is 0 KiB, more than 0 KiB",
        )
    ]


def test_images_that_would_not_fit_the_text_limit_are_dropped() -> None:
    big = base64.b64encode(base64.b64decode(PNG) + b"\0" * 16_000).decode()
    parsed = _one(
        '<text><![CDATA[<p>Look <img src="@@PLUGINFILE@@/a.png"></p>]]></text>'
        f'<file name="a.png" encoding="base64">{big}</file>'
    )
    assert parsed.questions[0].question.text == "<p>Look </p>"
    assert [p.message for p in parsed.problems] == [
        "image dropped: a.png would make the text longer than the 20000 characters it may hold"
    ]


def test_a_link_to_a_sound_file_loses_its_target_not_its_words() -> None:
    parsed = _one(
        '<text><![CDATA[<p><a href="@@PLUGINFILE@@/hi.mp3">Listen</a></p>]]></text>'
        '<file name="hi.mp3" encoding="base64">SUQzAwAAAAAAEFRDT04=</file>'
    )
    assert parsed.questions[0].question.text == '<p><a href="">Listen</a></p>'
    assert [p.message for p in parsed.problems] == [
        "image dropped: hi.mp3 is not a PNG, JPEG, GIF or WebP image"
    ]


def test_plain_answers_in_an_html_question_are_escaped() -> None:
    parsed = moodle_xml.read(
        '<quiz><question type="multichoice"><questiontext format="html"><text>&lt;p&gt;Q&lt;/p&gt;'
        '</text></questiontext><answer fraction="100" format="plain_text"><text>a &lt; b</text>'
        '</answer><answer fraction="0" format="html"><text>&lt;b&gt;c&lt;/b&gt;</text></answer>'
        "</question></quiz>",
        title="t",
    )
    choices = parsed.questions[0].question.body.choices
    assert [c.text for c in choices] == ["a &lt; b", "<b>c</b>"]


def test_entities_and_dtds_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;">]>\n<quiz>&b;</quiz>'
    )
    parsed = moodle_xml.read(bomb, title="t")
    assert [(p.place, p.message) for p in parsed.problems] == [
        (
            Place(),
            "the file declares a DTD or entities, which Moodle never writes; refused for "
            "safety (export it again)",
        )
    ]
    assert parsed.questions == []


def test_broken_xml_and_a_wrong_root() -> None:
    broken = moodle_xml.read("<quiz>\n<question type='truefalse'>\n</quiz>", title="t")
    assert [(p.place, p.message) for p in broken.problems] == [
        (Place(line=3), "the file is not well-formed XML (mismatched tag)")
    ]
    other = moodle_xml.read("<questions/>", title="t")
    assert [(p.place, p.message) for p in other.problems] == [
        (Place(line=1), "the file's root element is <questions>, not <quiz>: not Moodle XML")
    ]
    empty = moodle_xml.read("<quiz/>", title="t")
    assert [(p.place, p.message) for p in empty.problems] == [
        (Place(path="quiz"), "the file holds no questions")
    ]


def test_truefalse_without_full_marks_and_a_bad_number() -> None:
    parsed = moodle_xml.read(
        '<quiz>\n<question type="truefalse"><questiontext><text>T</text></questiontext>'
        '<answer fraction="0"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n'
        '<question type="numerical"><questiontext><text>N</text></questiontext>\n'
        '<answer fraction="100"><text>three</text></answer></question></quiz>',
        title="t",
    )
    assert [(p.place, p.message) for p in parsed.problems] == [
        (
            Place(line=2, path="quiz/question[1]"),
            "one of the answers, true or false, must be worth 100%",
        ),
        (Place(line=4, path="quiz/question[2]/answer[1]"), "number: must be a number"),
    ]
