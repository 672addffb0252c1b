"""Services: a quiz file of any supported format, read into quizzes the import can write.

The command line and the browser share this: bytes in (UTF-8, with or without BOM), the
format from the caller, else the extension, else the content (web/formats/detect.py), and
out come the quizzes with every problem and skipped question, so a preview can list them
before anything is written. GIFT, Aiken, CSV, Moodle XML and Open Trivia DB files hold one
quiz each, titled by the caller (--title, the form) or after the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import PurePath

from web.formats import Parsed
from web.formats import ParsedQuestion
from web.formats import Place
from web.formats import Problem
from web.formats import Skipped
from web.formats import aiken
from web.formats import csv_template
from web.formats import gift
from web.formats import moodle_xml
from web.formats import opentdb
from web.formats.detect import decode
from web.formats.detect import detect
from web.forms.authoring import CATEGORY_MAX
from web.forms.authoring import TITLE_MAX
from web.forms.quiz_import import MAX_QUESTIONS
from web.forms.quiz_import import QuizData
from web.forms.quiz_import import parse_quiz_document
from web.models import Difficulty
from web.models import FeedbackMode
from web.services.authoring import slug_for

READERS: dict[str, Callable[..., Parsed]] = {
    "gift": gift.read,
    "aiken": aiken.read,
    "moodle-xml": moodle_xml.read,
    "opentdb": opentdb.read,
    "csv": csv_template.read,
}
LABELS = {
    "gift": "GIFT",
    "aiken": "Aiken",
    "moodle-xml": "Moodle XML",
    "opentdb": "Open Trivia DB JSON",
    "csv": "CSV",
    "json": "Hyperquiz JSON",
}
DEFAULT_CATEGORY = "General"


@dataclass
class FileRead:
    """What a file held: quizzes ready to import (when nothing is wrong), the questions
    read (for a preview), and every problem and skipped question in file order."""

    format: str = ""
    quizzes: tuple[QuizData, ...] = ()
    parsed: Parsed | None = None
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.quizzes) and not self.problems


def title_from(filename: str) -> str:
    """ "world_capitals-2024.gift" → "World capitals 2024"."""
    words = PurePath(filename).stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() or "Imported quiz"


def _failed(format_name: str, message: str) -> FileRead:
    return FileRead(format=format_name, problems=[Problem(Place(), message)])


def read_file(
    raw: bytes,
    filename: str,
    *,
    format_name: str | None = None,
    title: str | None = None,
    published: bool = True,
) -> FileRead:
    """Decode, pick the format, read; never raises on what the file holds."""
    try:
        text = decode(raw)
    except ValueError as error:
        return _failed(format_name or "", str(error))
    chosen = format_name or detect(filename, text)
    if chosen is None:
        names = ", ".join(LABELS.values())
        return _failed("", f"We could not tell the file's format: choose one of {names}.")
    if chosen == "json":
        return _read_json(text)
    reader = READERS.get(chosen)
    if reader is None:
        return _failed(chosen, f"Files in {LABELS.get(chosen, chosen)} cannot be read yet.")
    parsed = reader(text, title=title or title_from(filename))
    read = FileRead(chosen, parsed=parsed, problems=parsed.problems, skipped=parsed.skipped)
    if len(parsed.questions) > MAX_QUESTIONS:
        read.problems = [
            *parsed.problems,
            Problem(
                Place(),
                f"The file holds {len(parsed.questions)} questions and a quiz holds at most"
                f" {MAX_QUESTIONS}: split it into several files.",
            ),
        ]
    elif parsed.questions and not parsed.problems:
        read.quizzes = (_quiz(parsed, published=published),)
    elif not parsed.questions and not parsed.problems:
        read.problems = [Problem(Place(), "The file holds no question we can import.")]
    return read


def _read_json(text: str) -> FileRead:
    try:
        document = json.loads(text)
    except ValueError as error:
        return _failed("json", f"The file is not valid JSON ({error}).")
    except RecursionError:
        return _failed("json", "The file is not a quiz document (nested too deeply).")
    result = parse_quiz_document(document)
    if result.data is None:
        problems = [Problem(Place(path=where), message) for where, message in result.errors.items()]
        return FileRead("json", problems=problems)
    parsed = Parsed(
        title=", ".join(quiz.title for quiz in result.data),
        questions=[
            ParsedQuestion(Place(path=f"quizzes[{i}].questions[{j}]"), question)
            for i, quiz in enumerate(result.data)
            for j, question in enumerate(quiz.questions)
        ],
    )
    return FileRead("json", quizzes=result.data, parsed=parsed)


def _quiz(parsed: Parsed, *, published: bool) -> QuizData:
    return QuizData(
        slug=slug_for(parsed.title[:TITLE_MAX]),
        title=parsed.title[:TITLE_MAX],
        description="",
        category=(parsed.category or DEFAULT_CATEGORY)[:CATEGORY_MAX],
        difficulty=Difficulty.MEDIUM,
        time_limit_seconds=None,
        feedback_mode=FeedbackMode.IMMEDIATE,
        shuffle_questions=False,
        shuffle_choices=False,
        published=published,
        questions=tuple(question.question for question in parsed.questions),
    )
