"""Detection: the format from the extension, else the content; decoding: UTF-8 only."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.formats.detect import decode
from web.formats.detect import detect

SAMPLES = Path(__file__).parent / "samples"
AIKEN = (SAMPLES / "moodle_docs.aiken.txt").read_text()
GIFT = "::Q1:: 2 + 2 = {=4 ~3 ~5}\n"


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("quiz.gift", GIFT, "gift"),
        ("quiz.gift", AIKEN, "aiken"),
        ("questions.aiken.txt", AIKEN, "aiken"),
        ("quiz.txt", GIFT, "gift"),
        ("notes.txt", "just some words\n", None),
        ("export.XML", "<quiz/>", "moodle-xml"),
        ("template.csv", "whatever", "csv"),
        ("trivia.json", (SAMPLES / "opentdb.json").read_text(), "opentdb"),
        ("quizzes.json", '{"format": 2, "quizzes": []}', "json"),
        ("broken.json", "{", "json"),
        ("upload", '\ufeff<?xml version="1.0"?><quiz/>', "moodle-xml"),
        ("upload", '{"response_code": 0, "results": []}', "opentdb"),
        ("upload", '{"format": 2}', "json"),
        ("upload", "type;question;correct\nsingle;Q;1\n", "csv"),
        ("upload", AIKEN, "aiken"),
        ("upload", GIFT, "gift"),
        ("upload", "hello", None),
    ],
)
def test_detect(filename: str, text: str, expected: str | None) -> None:
    assert detect(filename, text) == expected


def test_decode_accepts_utf8_with_or_without_bom() -> None:
    assert decode("Gödel".encode()) == "Gödel"
    assert decode(b"\xef\xbb\xbfG\xc3\xb6del") == "Gödel"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "a\nGödel".encode("cp1252"),
            "The file is not UTF-8 (a byte at line 2 is not). It looks like Windows-1252 or "
            "Latin-1. Save it as UTF-8.",
        ),
        (b"\x81\x8d\xff", "The file is not UTF-8 (a byte at line 1 is not). Save it as UTF-8."),
        (
            "Quiz".encode("utf-16"),
            "The file is UTF-16 (what Excel calls 'Unicode text'); save it as UTF-8 (CSV UTF-8).",
        ),
        (
            "Quiz".encode("utf-16-le"),
            "The file holds NUL bytes: it is not a text file, or it is UTF-16 without a "
            "byte-order mark; save it as UTF-8.",
        ),
    ],
)
def test_decode_refuses_everything_else(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match="UTF") as refused:
        decode(raw)
    assert str(refused.value) == message
