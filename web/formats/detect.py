"""Formats: which reader a quiz file needs (from its name, else its content), and its text.

`decode` turns the uploaded bytes into text, accepting UTF-8 only (with or without a BOM):
anything else is refused with what to do, since guessing an encoding wrongly imports
questions full of wrong letters. `detect` names the format: "gift", "aiken", "moodle-xml",
"opentdb", "csv" or "json" (Hyperquiz's own quiz document), or None when it cannot tell.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
AIKEN_OPTION = re.compile(r"^[A-Z][.)]", re.MULTILINE)
AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Za-z]", re.MULTILINE | re.IGNORECASE)
GIFT_SIGNS = re.compile(r"::.*?::|\$CATEGORY:|\{[^{}]*(?:[=~#]|TRUE|FALSE|\bT\b|\bF\b)[^{}]*\}")
CSV_HEADER = re.compile(r"^\ufeff?\s*\"?type\"?\s*[,;\t]", re.IGNORECASE)
EXTENSIONS = {".xml": "moodle-xml", ".csv": "csv", ".tsv": "csv", ".aiken": "aiken"}


def decode(raw: bytes) -> str:
    """The file's text: UTF-8, a BOM dropped; ValueError saying how to save it otherwise."""
    if raw.startswith(UTF16_BOMS):
        raise ValueError(
            "The file is UTF-16 (what Excel calls 'Unicode text'); save it as UTF-8 (CSV UTF-8)."
        )
    if b"\0" in raw:
        raise ValueError(
            "The file holds NUL bytes: it is not a text file, or it is UTF-16 without a "
            "byte-order mark; save it as UTF-8."
        )
    try:
        return raw.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        where = f"at line {line}"
        try:
            raw.decode("cp1252")
        except UnicodeDecodeError:
            guess = ""
        else:
            guess = " It looks like Windows-1252 or Latin-1."
        raise ValueError(
            f"The file is not UTF-8 (a byte {where} is not).{guess} Save it as UTF-8."
        ) from None


def detect(filename: str, text: str) -> str | None:
    """The format by the file's extension, else by its content; None if neither tells."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if suffix == ".json":
        return _json(text) or "json"
    if suffix == ".gift":
        return "aiken" if _aiken(text) and not GIFT_SIGNS.search(text) else "gift"
    if suffix == ".txt":
        return _text(text)
    return _content(text)


def _json(text: str) -> str | None:
    """ "opentdb" for an Open Trivia DB response, "json" for other JSON, None if not JSON."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # too deeply nested: the reader will say so
        return None
    is_trivia = isinstance(document, dict) and isinstance(document.get("results"), list)
    return "opentdb" if is_trivia else "json"


def _aiken(text: str) -> bool:
    return bool(AIKEN_ANSWER.search(text) and AIKEN_OPTION.search(text))


def _text(text: str) -> str | None:
    if GIFT_SIGNS.search(text):
        return "gift"
    return "aiken" if _aiken(text) else None


def _content(text: str) -> str | None:
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith(("<?xml", "<quiz")):
        return "moodle-xml"
    if start.startswith(("{", "[")) and (found := _json(start)):
        return found
    if CSV_HEADER.match(start):
        return "csv"
    return _text(text)
