"""Formats: Aiken files (Moodle's simplest format) read as single choice questions.

A question is one line of text, then its options one to a line (`A) Paris` or `A. Paris`,
a capital letter, `)` or `.`, the text), then `ANSWER: A`. As in Moodle, a line that is
neither an option nor an ANSWER line starts a new question, blank lines are ignored, and
the text is plain (no HTML). Unlike Moodle, a question with an ANSWER letter that names
no option, or with more than 9 options, is reported rather than imported broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from web.formats import Parsed
from web.formats import ParsedQuestion
from web.formats import Place
from web.formats import Problem
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import question_from
from web.kinds.base import MAX_OPTIONS

LINES = re.compile(r"\r\n|\r|\n")
OPTION = re.compile(r"([A-Z])[.)][ \t]*(.*)")  # Moodle's /^[A-Z][).][ \t]?/
ANSWER = re.compile(r"ANSWER\s*:\s*(.*)", re.IGNORECASE)
LETTER = re.compile(r"([A-Za-z])(?![A-Za-z])")
CHOICE_PATH = re.compile(r"choices\[(\d+)\]")


@dataclass
class _Open:
    """The question being read: its line, its text, and its options with their lines."""

    line: int
    text: str
    options: list[tuple[str, str, int]] = field(default_factory=list)  # letter, text, line


def read(text: str, *, title: str) -> Parsed:
    """Every complete question of an Aiken file; never raises on bad input."""
    parsed = Parsed(title=title)
    current: _Open | None = None
    for number, raw in enumerate(LINES.split(text), 1):
        line = raw.strip()
        if not line:
            continue
        if option := OPTION.fullmatch(line):
            if current is None:
                parsed.problems.append(_problem(number, "an option outside a question"))
            else:
                current.options.append((option[1], option[2].strip(), number))
        elif answer := ANSWER.fullmatch(line):
            if current is None:
                parsed.problems.append(_problem(number, "an ANSWER line outside a question"))
            else:
                _finish(parsed, current, answer[1].strip(), number)
            current = None
        else:
            if current is not None:
                parsed.problems.append(_missing_answer(current))
            current = _Open(number, line)
    if current is not None:
        parsed.problems.append(_missing_answer(current))
    if not parsed.questions and not parsed.problems:
        parsed.problems.append(Problem(Place(), "no questions found (is this an Aiken file?)"))
    return parsed


def _problem(line: int, what: str) -> Problem:
    return Problem(
        Place(line=line), f"{what}: a question is a line of text, then its options, then ANSWER"
    )


def _missing_answer(question: _Open) -> Problem:
    return Problem(
        Place(line=question.line),
        "the question has no ANSWER line (end it with a line like 'ANSWER: B')",
    )


def _finish(parsed: Parsed, question: _Open, given: str, line: int) -> None:
    """Check the question that an ANSWER line closes, and keep it if it is whole."""
    place = Place(line=question.line)
    letters = [letter for letter, _, _ in question.options]
    if len(letters) < 2:  # noqa: PLR2004 - a choice needs two options
        found = "1 option" if len(letters) == 1 else "no options"
        parsed.problems.append(Problem(place, f"needs at least 2 options (found {found})"))
        return
    if len(letters) > MAX_OPTIONS:
        message = f"has {len(letters)} options; at most {MAX_OPTIONS} (keys 1-9 pick an answer)"
        parsed.problems.append(Problem(place, message))
        return
    if repeated := sorted({letter for letter in letters if letters.count(letter) > 1}):
        message = f"option letter {', '.join(repeated)} is used twice; give each option its own"
        parsed.problems.append(Problem(place, message))
        return
    letter = LETTER.match(given)
    if letter is None or letter[1].upper() not in letters:
        options = f"{letters[0]}-{letters[-1]}" if letters == sorted(letters) else "/".join(letters)
        found = f"'{given}'" if given else "nothing"
        message = f"ANSWER must be the letter of one of the options ({options}), not {found}"
        parsed.problems.append(Problem(Place(line=line), message))
        return
    right = letter[1].upper()
    choices = [
        {"text": text, "weight": 100 if label == right else 0}
        for label, text, _ in question.options
    ]
    built = question_from("single_choice", {"text": question.text, "choices": choices})
    if isinstance(built, QuestionData):
        parsed.questions.append(ParsedQuestion(place, built))
        return
    for path, message in built.items():
        choice = CHOICE_PATH.match(path)
        if choice:
            label, _, option_line = question.options[int(choice[1])]
            parsed.problems.append(Problem(Place(line=option_line), f"option {label}: {message}"))
        else:
            parsed.problems.append(Problem(place, f"question text: {message}"))
