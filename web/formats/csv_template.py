"""Formats: the CSV template (docs/formats/quiz-template.csv), one question a row.

Columns, in any order, named in a header row: `type, question, correct, option 1` ...
`option 9, points, explanation` (only `type` and `question` are required). Cells are plain
text. Delimiter `,`, `;` or tab, found on the header (a spreadsheet in a language that writes
decimal commas saves `;`). Problems are placed at spreadsheet rows: the header is row 1.
What `correct` and the options mean depends on the type: see docs/formats/import.md.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

from web.formats import Parsed
from web.formats import ParsedQuestion
from web.formats import Place
from web.formats import Problem
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import question_from
from web.kinds.base import MAX_OPTIONS
from web.kinds.numeric import NUMBER

OPTIONS = tuple(f"option {n}" for n in range(1, MAX_OPTIONS + 1))
COLUMNS = ("type", "question", "correct", *OPTIONS, "points", "explanation")
TYPES = {
    "single_choice": ("single", "single choice", "single_choice", "multichoice", "mc"),
    "multiple_response": ("multiple", "multiple response", "multiple_response", "checkbox"),
    "true_false": ("truefalse", "true/false", "true false", "true_false", "tf", "boolean"),
    "short_answer": ("short", "short answer", "short_answer", "text"),
    "numeric": ("numeric", "number", "numerical"),
    "ordering": ("ordering", "order"),
    "matching": ("matching", "match"),
}
ALIASES = {alias: kind for kind, aliases in TYPES.items() for alias in aliases}
TYPE_NAMES = ", ".join(aliases[0] for aliases in TYPES.values())
TRUTH = {"true": True, "yes": True, "false": False, "no": False}
SEPARATORS = re.compile(r"[\s,;+]+")
TOLERANCE = re.compile(r"(.+?)\s*(?:±|\+-|\+/-)\s*(.+)")
RANGE = re.compile(r"(.+?)\s*\.\.\s*(.+)")
PAIR = re.compile(r"(.*?)\s*->\s*(.*)")
BODY_PATH = re.compile(r"(choices|answers|items|pairs|distractors)\[(\d+)\]")


def read(text: str, *, title: str) -> Parsed:
    """Every row of a CSV template file as a question; never raises on bad input."""
    parsed = Parsed(title=title)
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(rows, [])
        columns = _columns(parsed, header)
        if columns is not None:
            for number, row in enumerate(rows, 2):
                if any(cell.strip() for cell in row):
                    _row(parsed, number, row, columns, len(header))
    except csv.Error as error:
        parsed.problems.append(Problem(Place(line=rows.line_num), f"not readable as CSV: {error}"))
    if not parsed.questions and not parsed.problems:
        parsed.problems.append(Problem(Place(), "no questions: only a header row"))
    return parsed


def _name(cell: str) -> str:
    """`Option_1`, `option-1`, `OPTION1` all name the column `option 1`."""
    name = re.sub(r"[\s_-]+", " ", cell.strip().lower())
    return re.sub(r"^option ?(\d)$", r"option \1", name)


def _columns(parsed: Parsed, header: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _name(cell)
        if not name:
            continue
        if name not in COLUMNS:
            message = f"column '{cell.strip()}' is not part of the template (check its spelling)"
            parsed.problems.append(Problem(Place(line=1), message))
        elif name in columns:
            parsed.problems.append(Problem(Place(line=1), f"column '{name}' appears twice"))
        else:
            columns[name] = index
    missing = [name for name in ("type", "question") if name not in columns]
    if missing:
        message = f"the header row needs the columns {' and '.join(missing)}: {','.join(COLUMNS)}"
        parsed.problems.append(Problem(Place(line=1), message))
        return None
    return columns


def _row(parsed: Parsed, number: int, row: list[str], columns: dict[str, int], width: int) -> None:
    place = Place(line=number)

    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    def problem(message: str) -> None:
        parsed.problems.append(Problem(place, message))

    if any(cell.strip() for cell in row[width:]):
        problem("the row has more cells than the header has columns")
    given = cell("type")
    kind = ALIASES.get(_name(given))
    if kind is None:
        problem(f"type must be one of {TYPE_NAMES}, not '{given}'" if given else "type is empty")
        return
    options = [(name, cell(name)) for name in OPTIONS if cell(name)]
    fields, names, error = _body(kind, cell("correct"), options)
    if error:
        problem(error)
        return
    points = cell("points").replace(",", ".") or "1"
    try:
        fields["points"] = float(Decimal(points)) if NUMBER.fullmatch(points) else points
    except ArithmeticError:
        fields["points"] = points
    built = question_from(
        kind, {"text": cell("question"), "explanation": cell("explanation"), **fields}
    )
    if isinstance(built, QuestionData):
        parsed.questions.append(ParsedQuestion(place, built))
        return
    for path, message in built.items():
        problem(f"{_column(path, names)}: {message}")


def _column(path: str, names: dict[str, str]) -> str:
    """The column a body's path came from: `choices[1].text` is the second option given."""
    if found := BODY_PATH.match(path):
        return names.get(found[0], "options")
    words = {"text": "question", "answer": "correct", "choices": "options"}
    return words.get(path, path)


Body = tuple[dict[str, Any], dict[str, str], str]


def _body(kind: str, correct: str, options: list[tuple[str, str]]) -> Body:  # noqa: PLR0911 - per kind
    """The kind's body from `correct` and the options, the column of each of its entries
    (`{"choices[0]": "option 1"}`), or what is wrong with them."""
    key = {"short_answer": "answers", "ordering": "items"}.get(kind, "choices")
    names = {f"{key}[{index}]": name for index, (name, _) in enumerate(options)}
    texts = [text for _, text in options]
    if kind in ("true_false", "numeric") and options:
        return {}, names, f"a {kind.replace('_', '/')} question takes no options"
    if kind in ("ordering", "matching") and correct:
        return {}, names, f"leave correct empty: the options of {kind} say what is right"
    if kind == "true_false":
        if correct.lower() not in TRUTH:
            return {}, names, f"correct must be true or false, not '{correct}'"
        return {"answer": TRUTH[correct.lower()]}, names, ""
    if kind == "numeric":
        answer = _numeric(correct)
        if answer is None:
            shapes = "3.14, 3.14 ± 0.01 or 3.1..3.2"
            return {}, names, f"correct must be a number like {shapes}, not '{correct}'"
        return {"answers": [answer]}, {"answers[0]": "correct"}, ""
    if kind == "short_answer":
        given = ([correct] if correct else []) + texts
        columns = (["correct"] if correct else []) + [name for name, _ in options]
        names = {f"answers[{index}]": name for index, name in enumerate(columns)}
        return {"answers": [{"text": text} for text in given]}, names, ""
    if kind == "ordering":
        return {"items": [{"text": text} for text in texts]}, names, ""
    if kind == "matching":
        return _matching(options)
    return _choices(kind, correct, options)


def _choices(kind: str, correct: str, options: list[tuple[str, str]]) -> Body:
    names = {f"choices[{index}]": name for index, (name, _) in enumerate(options)}
    numbers = [name.removeprefix("option ") for name, _ in options]
    picked = [part for part in SEPARATORS.split(correct) if part]
    by_text = [n for n, (_, text) in zip(numbers, options, strict=True) if text == correct]
    if kind == "single_choice" and by_text:  # the right option's own words
        picked = by_text[:1]
    if not picked or any(part not in numbers for part in picked):
        how = "the option's number" if kind == "single_choice" else "the options' numbers"
        found = f", not '{correct}'" if correct else ""
        return {}, names, f"correct must be {how} (1 to {MAX_OPTIONS}) among those given{found}"
    if kind == "single_choice" and len(picked) > 1:
        return {}, names, "a single choice question has one correct option (or use multiple)"
    choices = [
        {"text": text, "weight": 100 / len(picked) if number in picked else 0}
        for number, (_, text) in zip(numbers, options, strict=True)
    ]
    if kind == "single_choice":
        return {"choices": choices}, names, ""
    return {"choices": choices, "scoring": "all_or_nothing"}, names, ""


def _matching(options: list[tuple[str, str]]) -> Body:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    names: dict[str, str] = {}
    for name, text in options:
        found = PAIR.fullmatch(text)
        if found is None:
            return {}, {}, f"{name} must be 'prompt -> answer' (or '-> answer' for a decoy)"
        if found[1]:
            names[f"pairs[{len(pairs)}]"] = name
            pairs.append({"prompt": found[1], "answer": found[2]})
        else:  # as in Moodle: an answer without a prompt is a wrong answer to choose from
            names[f"distractors[{len(distractors)}]"] = name
            distractors.append(found[2])
    return {"pairs": pairs, "distractors": distractors}, names, ""


def _numeric(correct: str) -> dict[str, Any] | None:
    def number(raw: str) -> Decimal | None:
        raw = raw.strip()
        return Decimal(raw.replace(",", ".")) if NUMBER.fullmatch(raw) else None

    if found := TOLERANCE.fullmatch(correct):
        value, tolerance = number(found[1]), number(found[2])
        ok = value is not None and tolerance is not None
        return {"value": value, "tolerance": tolerance} if ok else None
    if found := RANGE.fullmatch(correct):
        low, high = number(found[1]), number(found[2])
        return {"min": low, "max": high} if low is not None and high is not None else None
    value = number(correct)
    return {"value": value} if value is not None else None
