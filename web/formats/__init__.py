"""Formats: quiz files teachers already have (GIFT, Aiken, Moodle XML, Open Trivia DB JSON,
CSV) read into the engine's questions, and GIFT written back.

Every reader has the same shape: `read(text, *, title) -> Parsed`: the questions it could
read, each with the line (or XML path) it came from; every problem with its place and a
message a teacher understands; and every question it skipped, with the reason (a kind
Hyperquiz does not have). A reader never raises on bad input, so a preview can show all of
it at once. Turning a Parsed into a quiz (slug, author, draft or published) is the import
service's job, not the reader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from web.forms.quiz_import import QuestionData


@dataclass(frozen=True)
class Place:
    """Where something is in the file: a 1-based line, or an XML path like
    `quiz/question[3]/answer[2]` (then `line` is that element's line when known)."""

    line: int | None = None
    path: str = ""

    def __str__(self) -> str:
        if self.path and self.line:
            return f"line {self.line} ({self.path})"
        return self.path or (f"line {self.line}" if self.line else "the file")


@dataclass(frozen=True)
class ParsedQuestion:
    place: Place
    question: QuestionData


@dataclass(frozen=True)
class Problem:
    place: Place
    message: str


@dataclass(frozen=True)
class Skipped:
    """A question the file holds that Hyperquiz cannot ask (an essay, a description, a
    missing-word cloze): listed, never dropped silently."""

    place: Place
    title: str
    reason: str


@dataclass
class Parsed:
    """What a reader made of one file: GIFT, Aiken and CSV files hold one quiz each; its
    title comes from the caller (--title or the file name), its category from the file
    when the format has one (GIFT's and Moodle XML's $CATEGORY)."""

    title: str
    category: str = ""
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.questions) and not self.problems
