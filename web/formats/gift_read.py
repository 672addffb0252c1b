"""Formats: GIFT files read into the engine's kinds, with Moodle's importer as the reference.

docs/formats/gift.md says what is read and what is skipped. In short, as in Moodle's
qformat_gift: questions are separated by blank lines, lines starting with `//` are comments,
the first `{` and the first `}` delimit the answer block, and the block's content decides the
kind (`#` first: numeric; a `~`: choice; `=` and `->`: matching; T/TRUE/F/FALSE: true/false;
anything else: short answer). Unlike Moodle, what Moodle would import broken (a weight that
is no number, a numeric answer that is no number, a second `{`) is a problem at its line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from typing import NamedTuple

from web.formats import Parsed
from web.formats import ParsedQuestion
from web.formats import Place
from web.formats import Problem
from web.formats import Skipped
from web.forms.quiz_import import question_from
from web.kinds.base import MAX_OPTIONS

LINES = re.compile(r"\r\n|\r|\n")
ESCAPES = "\\:#={}~n"  # `\\` first, as in Moodle: `\\n` is a backslash and an n
ESCAPE = re.compile(r"\\([\\:#={}~n])")
# Escaped characters become private-use placeholders while the block is cut up (Moodle's
# `&&058;`), one character each so that offsets still point at the right line.
HIDDEN = {char: chr(0xE000 + n) for n, char in enumerate(ESCAPES)}
RESTORE = str.maketrans({hidden: "\n" if c == "n" else c for c, hidden in HIDDEN.items()})
FORMATS = {"moodle": "plain", "plain": "plain", "markdown": "markdown", "html": "html"}
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
CHOICE_MARKS = re.compile(r"[~=]")
EQUALS = re.compile(r"=")
WEIGHT = re.compile(r"%([^%]*)%")
PERCENT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
IMAGE = re.compile(r"<img\b[^>]*>|!\[[^\]\n]*\]\([^)\n]*\)", re.IGNORECASE)
IMAGE_SOURCE = re.compile(r"""src\s*=\s*["']?([^"'\s>]*)|\]\(\s*<?([^)\s>]*)""", re.IGNORECASE)
# Numeric's `~#feedback` (Moodle's answer `*`, any other number) as the widest range the
# kind stores: a 0% answer that only carries the feedback.
ANY_NUMBER = Decimal("999999999999999")
PATH = re.compile(r"(choices|answers|pairs|distractors)\[(\d+)\](?:\.(\w+))?")
WHAT = {"choices": "answer", "answers": "answer", "pairs": "pair", "distractors": "distractor"}
FIELDS = {"text": "", "weight": "weight", "feedback": "feedback", "value": "number"}
FIELDS |= {"prompt": "prompt", "answer": "answer", "tolerance": "tolerance"}
FIELDS |= {"min": "minimum", "max": "maximum"}
TOP = {"text": "question text", "explanation": "general feedback (####)"}
TOP |= {"feedback_true": "feedback", "feedback_false": "feedback"}
SUMMARY = 60


class _Words(NamedTuple):
    """Words shown as written: in a GIFT format (`moodle`, `html`…), made one of the
    question's own when the whole question is read."""

    format: str
    text: str


class _UnreadableError(Exception):
    """The question cannot be read; `offset` places the problem in its block."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset, self.message = offset, message


def read(text: str, *, title: str) -> Parsed:
    """Every question of a GIFT file, problems at their lines; never raises on bad input."""
    parsed = Parsed(title=title)
    block: list[str] = []
    start = 0
    for number, raw in enumerate(LINES.split(text.removeprefix("\ufeff")), 1):
        line = raw.strip()
        if line:
            start = start or number
            block.append(" " if line.startswith("//") else line)
        elif block:
            _Block(parsed, "\n".join(block), start).read()
            block, start = [], 0
    if block:
        _Block(parsed, "\n".join(block), start).read()
    if not (parsed.questions or parsed.problems or parsed.skipped):
        parsed.problems.append(Problem(Place(), "no questions found (is this a GIFT file?)"))
    return parsed


def _visible(text: str) -> str:
    return text.translate(RESTORE).strip()


def _formatted(raw: str, default: str) -> _Words:
    """Moodle's parse_text_with_format: a leading `[html]`, `[markdown]`, `[plain]` or
    `[moodle]` names the format; anything else in brackets is part of the text."""
    raw = raw.strip()
    if raw.startswith("[") and (end := raw.find("]")) > 0 and raw[1:end] in FORMATS:
        return _Words(raw[1:end], _visible(raw[end + 1 :]))
    return _Words(default, _visible(raw))


def _category(path: str) -> str:
    """`$course$/top/Science/Physics` names "Physics"; Moodle writes a `/` in a name as
    `//`, and `top` and the `$context$` are the bank's roots, not names."""
    parts = [part.replace("\0", "/").strip() for part in path.replace("//", "\0").split("/")]
    names = [part for part in parts if part and not part.startswith("$") and part != "top"]
    return names[-1] if names else ""


class _Block:
    """One question's lines (comments blanked), its escapes hidden."""

    def __init__(self, parsed: Parsed, raw: str, line: int) -> None:
        self.parsed, self.line = parsed, line
        self.text = ESCAPE.sub(lambda m: HIDDEN[m[1]], raw)
        self.lines: dict[str, int] = {}  # "choices[2]" -> its line, for pydantic's errors
        self.format = "moodle"
        self.first = line  # the question's first line that is not a comment

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)

    def problem(self, offset: int, message: str) -> None:
        self.parsed.problems.append(Problem(Place(line=self.line_at(offset)), message))

    def read(self) -> None:
        text = self.text
        start = len(text) - len(text.lstrip())
        if not text.strip():
            return  # only comments
        if text.startswith("$CATEGORY:", start):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            if not (self.parsed.questions or self.parsed.problems or self.parsed.skipped):
                self.parsed.category = _category(_visible(text[start + 10 : end]))
            if not text[end:].strip():
                return
            start = end + 1  # Moodle would take the rest for the category's name
            start += len(text[start:]) - len(text[start:].lstrip())
        self.first = self.line_at(start)
        try:
            self.question(start)
        except _UnreadableError as error:
            self.problem(error.offset, error.message)

    def question(self, start: int) -> None:
        text, title = self.text, ""
        if text.startswith("::", start):
            start += 2
            if (end := text.find("::", start)) >= 0:
                title, start = _visible(text[start:end]), end + 2
        opened, closed = text.find("{", start), text.find("}", start)
        if opened < 0 and closed < 0:
            reason = "a description (text without an answer block) is not a question"
            return self.skip(title, _visible(text[start:]), reason)
        if closed < 0:
            raise _UnreadableError(opened, "the answer block `{` is never closed")
        if opened < 0 or closed < opened:
            raise _UnreadableError(closed, "a `}` closes no answer block (write \\} for a brace)")
        if (again := text.find("{", opened + 1, closed)) >= 0:
            raise _UnreadableError(
                again, "a second `{` inside an answer block (write \\{ for a brace)"
            )
        words = _formatted(text[start:opened], "moodle")
        self.format = words.format
        if text[closed + 1 :].strip():
            reason = "missing word: the answer block is inside the text, not after it"
            return self.skip(title, f"{words.text} _____ {_visible(text[closed + 1 :])}", reason)
        answers, at = text[opened + 1 : closed], opened + 1
        explanation = _Words(self.format, "")
        if (general := answers.rfind("####")) >= 0:
            explanation = _formatted(answers[general + 4 :], self.format)
            answers = answers[:general]
        if not answers.strip():
            return self.skip(title, words.text, "an essay `{}` is marked by hand, not by Hyperquiz")
        kind, body = self.kind(answers, at)
        fields = {"text": words, "explanation": explanation, "points": 1.0, **body}
        self.build(kind, fields)
        return None

    def skip(self, title: str, text: str, reason: str) -> None:
        summary = " ".join(text.split())
        summary = summary if len(summary) <= SUMMARY else summary[: SUMMARY - 1] + "…"
        self.parsed.skipped.append(Skipped(Place(line=self.first), title or summary, reason))

    def kind(self, answers: str, at: int) -> tuple[str, dict[str, Any]]:
        """Moodle's order: numeric, choice, matching, true/false, else short answer."""
        lead = len(answers) - len(answers.lstrip())
        if answers.lstrip().startswith("#"):
            return "numeric", self.numeric(answers[lead + 1 :], at + lead + 1)
        if "~" in answers:
            return self.choice(answers, at)
        if "=" in answers and "->" in answers:
            return "matching", self.matching(answers, at)
        stated = answers.strip()
        if stated.find("#") > 0:
            stated = stated[: stated.find("#")].strip()
        if stated in TRUE_FALSE:
            return "true_false", self.true_false(answers, TRUE_FALSE[stated])
        return "short_answer", self.short_answer(answers, at)

    def pieces(self, text: str, at: int, marks: re.Pattern[str]) -> list[tuple[str, str, int]]:
        """(mark, words, offset) per answer; words before the first mark are an answer too,
        as Moodle reads them."""
        cuts = [found.start() for found in marks.finditer(text)]
        head = text[: cuts[0]] if cuts else text
        found = [("", head, at + len(head) - len(head.lstrip()))] if head.strip() else []
        ends = [*cuts[1:], len(text)] if cuts else []
        found += [
            (text[cut], text[cut + 1 : end], at + cut) for cut, end in zip(cuts, ends, strict=True)
        ]
        return found

    def weight(self, words: str, offset: int, default: float) -> tuple[float, str]:
        stripped = words.lstrip()
        found = WEIGHT.match(stripped)
        if not found:
            return default, words
        if not PERCENT.fullmatch(found[1].strip()) or abs(float(found[1])) > 100:  # noqa: PLR2004
            message = f"a weight is a percentage from -100 to 100, like %50%; found {found[0]!r}"
            raise _UnreadableError(offset, message)
        return float(found[1]), stripped[found.end() :]

    def said(self, words: str) -> tuple[_Words, _Words]:
        answer, _, feedback = words.partition("#")
        return _formatted(answer, self.format), _formatted(feedback, self.format)

    def choice(self, answers: str, at: int) -> tuple[str, dict[str, Any]]:
        single = "=" in answers  # Moodle: several may be chosen when none is marked `=`
        choices: list[dict[str, Any]] = []
        for n, (mark, words, offset) in enumerate(self.pieces(answers, at, CHOICE_MARKS)):
            self.lines[f"choices[{n}]"] = self.line_at(offset)
            if mark == "=" and WEIGHT.match(words.lstrip()):
                message = "an answer marked = is worth 100%; write ~%50% for part of the points"
                raise _UnreadableError(offset, message)
            weight, said = self.weight(words, offset, 0.0) if mark != "=" else (100.0, words)
            text, feedback = self.said(said)
            choices.append({"text": text, "weight": weight, "feedback": feedback})
        self.counted(len(choices), "a choice question", at)
        if not single and not any(choice["weight"] > 0 for choice in choices):
            message = (
                "no right answer: mark it with = (or give the right answers weights like ~%50%)"
            )
            raise _UnreadableError(at, message)
        kind = "single_choice" if single else "multiple_response"
        return kind, {"choices": choices, **({} if single else {"scoring": "weights"})}

    def counted(self, count: int, what: str, at: int) -> None:
        if count < 2:  # noqa: PLR2004 - a choice needs two options
            raise _UnreadableError(at, f"{what} needs at least 2 answers (found {count})")
        if count > MAX_OPTIONS:
            message = f"{what} has {count} answers; at most {MAX_OPTIONS} (keys 1-9 pick one)"
            raise _UnreadableError(at, message)

    def true_false(self, answers: str, answer: bool) -> dict[str, Any]:
        """Moodle: `{T#feedback for a wrong answer#feedback for the right one}`."""
        _, wrong, right = [*answers.split("#", 2), "", ""][:3]
        wrong_words, right_words = _formatted(wrong, self.format), _formatted(right, self.format)
        chosen_true, chosen_false = (
            (right_words, wrong_words) if answer else (wrong_words, right_words)
        )
        return {"answer": answer, "feedback_true": chosen_true, "feedback_false": chosen_false}

    def matching(self, answers: str, at: int) -> dict[str, Any]:
        pairs: list[dict[str, Any]] = []
        distractors: list[str] = []
        for _, words, offset in self.pieces(answers, at, EQUALS):
            if "->" not in words:
                found = _visible(words)
                raise _UnreadableError(
                    offset, f"a matching answer is `=prompt -> answer`, not {found!r}"
                )
            prompt, _, answer = words.partition("->")
            if not prompt.strip():  # Moodle's `= -> extra`: an answer that matches no prompt
                self.lines[f"distractors[{len(distractors)}]"] = self.line_at(offset)
                distractors.append(_visible(answer))
                continue
            self.lines[f"pairs[{len(pairs)}]"] = self.line_at(offset)
            pairs.append({"prompt": _formatted(prompt, self.format), "answer": _visible(answer)})
        if len(pairs) < 2:  # noqa: PLR2004
            raise _UnreadableError(
                at, f"a matching question needs at least 2 pairs (found {len(pairs)})"
            )
        return {"pairs": pairs, "distractors": distractors}

    def short_answer(self, answers: str, at: int) -> dict[str, Any]:
        accepted = []
        for n, (_, words, offset) in enumerate(self.pieces(answers, at, EQUALS)):
            self.lines[f"answers[{n}]"] = self.line_at(offset)
            weight, said = self.weight(words, offset, 100.0)
            text, feedback = self.said(said)
            accepted.append({"text": text.text, "weight": weight, "feedback": feedback})
        if not accepted:
            raise _UnreadableError(at, "the answer block needs at least one answer, like {=Paris}")
        return {"answers": accepted, "case_sensitive": False}

    def numeric(self, answers: str, at: int) -> dict[str, Any]:
        """`{#3.14:0.01}`, `{#1..5}`, `{# =%50%3.1:0.1 ...}`; after a `~`, Moodle's feedback
        for any other number."""
        other = answers.find("~")
        found, rest = (answers[other:], answers[:other]) if other >= 0 else ("", answers)
        numbers = []
        for n, (_, words, offset) in enumerate(self.pieces(rest, at, EQUALS)):
            self.lines[f"answers[{n}]"] = self.line_at(offset)
            weight, said = self.weight(words, offset, 100.0)
            stated, feedback = self.said(said)
            answer = {"weight": weight, "feedback": feedback, **_numbers(stated.text, offset)}
            numbers.append(answer)
        if not numbers:
            raise _UnreadableError(at, "a numeric answer block needs a number, like {#3.14:0.01}")
        if found:
            self.lines[f"answers[{len(numbers)}]"] = self.line_at(at + other)
            feedback = self.said(found[1:])[1]
            numbers.append(
                {"min": -ANY_NUMBER, "max": ANY_NUMBER, "weight": 0.0, "feedback": feedback}
            )
        return {"answers": numbers}

    def build(self, kind: str, fields: dict[str, Any]) -> None:
        words = [*_all_words(fields)]
        names = {FORMATS[piece.format] for piece in words if piece.text}
        target = "html" if "html" in names else "markdown" if "markdown" in names else "plain"
        shown = _shown(fields, target, self.dropped)
        question = question_from(kind, {"text_format": target, **shown})
        if isinstance(question, dict):
            for path, message in question.items():
                self.parsed.problems.append(self.placed(path, message))
            return
        self.parsed.questions.append(ParsedQuestion(Place(line=self.first), question))

    def dropped(self, message: str) -> None:
        self.parsed.problems.append(Problem(Place(line=self.first), message))

    def placed(self, path: str, message: str) -> Problem:
        found = PATH.match(path)
        if not found:
            return Problem(Place(line=self.first), f"{TOP.get(path, 'the answers')}: {message}")
        what, n, leaf = WHAT[found[1]], int(found[2]), found[3] or ""
        line = self.lines.get(f"{found[1]}[{n}]", self.first)
        field = FIELDS.get(leaf, leaf)
        return Problem(Place(line=line), f"{what} {n + 1}{' ' + field if field else ''}: {message}")


def _numbers(stated: str, offset: int) -> dict[str, Any]:
    """One numeric answer: `value`, `value:tolerance` or `min..max` (Moodle's order)."""
    if stated.strip() == "*":
        return {"min": -ANY_NUMBER, "max": ANY_NUMBER}
    if stated.find("..") > 0:
        low, _, high = stated.partition("..")
        return {"min": _number(low, offset), "max": _number(high, offset)}
    if stated.find(":") > 0:
        value, _, tolerance = stated.partition(":")
        return {"value": _number(value, offset), "tolerance": _number(tolerance, offset)}
    return {"value": _number(stated, offset)}


def _number(text: str, offset: int) -> str:
    text = text.strip()
    if not NUMBER.fullmatch(text):
        raise _UnreadableError(offset, f"a numeric answer needs a number, found {text!r}")
    return text


def _all_words(value: Any) -> Any:
    if isinstance(value, _Words):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _all_words(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_words(item)


def _shown(value: Any, target: str, report: Callable[[str], None]) -> Any:
    """Every piece of words in the question's one format; images it cannot keep removed."""
    if isinstance(value, dict):
        return {key: _shown(item, target, report) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item, target, report) for item in value]
    if not isinstance(value, _Words):
        return value
    text = value.text
    if target == "html" and FORMATS[value.format] == "plain":
        text = html.escape(text, quote=False).replace("\n", "<br>")
    if target != "plain" and FORMATS[value.format] != "plain":
        text = IMAGE.sub(lambda found: _image(found[0], report), text)
    return text


def _image(tag: str, report: Callable[[str], None]) -> str:
    source = IMAGE_SOURCE.search(tag)
    src = (source[1] or source[2] or "") if source else ""
    if src.lower().startswith("data:"):
        return tag
    report(f"image dropped: {src or tag} (a GIFT file cannot carry images; data: images are kept)")
    return ""
