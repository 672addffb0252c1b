"""Formats: Moodle XML question files (a question bank's export) read into the engine's kinds.

Parsed with defusedxml: a document declaring a DTD or entities is refused, nothing is fetched.
multichoice becomes single choice or multiple response (`<single>`, weights from `fraction`),
truefalse, shortanswer, numerical, matching and ordering their own kinds; other types
(essay, description, cloze, calculated, drag and drop...) are listed as skipped. Images
sent inside a text element (`<file name="x.png" encoding="base64">`, referred to as
`@@PLUGINFILE@@/x.png`) are inlined as `data:` URIs when they are PNG, JPEG, GIF or WebP
within MAX_IMAGE_BYTES and the text stays within its limit; any other reference is removed
and reported ("image dropped: ..."), the question kept.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError
from xml.etree.ElementTree import TreeBuilder

from annotated_types import MaxLen
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from web.formats import Parsed
from web.formats import ParsedQuestion
from web.formats import Place
from web.formats import Problem
from web.formats import Skipped
from web.forms.quiz_import import QUESTION_MODELS
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import question_from
from web.kinds.base import FEEDBACK_LIMIT
from web.kinds.base import TEXT_LIMIT

MAX_IMAGE_BYTES = 512 * 1024
IMAGE_TYPES = {  # by their first bytes, whatever the name says; never SVG (it can hold scripts)
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
FORMATS = {"html": "html", "moodle_auto_format": "plain", "plain_text": "plain"}
FORMATS |= {"markdown": "markdown", "wiki_like": "plain"}
SKIP_REASONS = {
    "essay": "an essay is marked by hand; Hyperquiz marks every answer itself",
    "description": "a description is text to read, not a question",
    "cloze": "embedded answers (Cloze) hold several questions in one text",
    "multianswer": "embedded answers (Cloze) hold several questions in one text",
    "random": "a random question is drawn from a category when a quiz starts",
    "randomsamatch": "a random matching question is drawn when a quiz starts",
    "ddwtos": "drag and drop into text needs dragging",
    "gapselect": "select missing words puts several answers in one text",
}
REFERENCE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>)]+)")
IMAGE_TAG = re.compile(r"<img\b[^>]*?@@PLUGINFILE@@/[^>]*>", re.IGNORECASE)
FIELD_WORDS = {"text": "text", "weight": "fraction", "prompt": "text", "value": "number"}
FIELD_WORDS |= {"feedback": "feedback", "answer": "answer", "tolerance": "tolerance"}
MESSAGES = {"answer": "one of the answers, true or false, must be worth 100%"}


def _max_length(name: str) -> int:
    field = QUESTION_MODELS["single_choice"].model_fields[name]
    return next(item.max_length for item in field.metadata if isinstance(item, MaxLen))


LIMITS = {"text": _max_length("text"), "explanation": _max_length("explanation")}


class _LineBuilder(TreeBuilder):
    """Remembers the line each element starts on (ElementTree itself forgets)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.expat: Any = None

    def start(self, tag: Any, attrs: Any) -> Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber
        return element


def read(text: str, *, title: str) -> Parsed:
    """Every question of a Moodle XML file that Hyperquiz can ask; never raises on bad input."""
    parsed = Parsed(title=title)
    builder = _LineBuilder()
    try:
        parser = DefusedXMLParser(target=builder, forbid_dtd=True)
        builder.expat = parser.parser
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException:
        message = "the file declares a DTD or entities, which Moodle never writes; refused"
        parsed.problems.append(Problem(Place(), f"{message} for safety (export it again)"))
        return parsed
    except ParseError as error:
        line = error.position[0] if error.position else None
        message = f"the file is not well-formed XML ({str(error).split(':')[0]})"
        parsed.problems.append(Problem(Place(line=line), message))
        return parsed
    if root.tag != "quiz":
        message = f"the file's root element is <{root.tag}>, not <quiz>: not Moodle XML"
        parsed.problems.append(Problem(Place(line=builder.lines.get(root)), message))
        return parsed
    for number, element in enumerate(root.findall("question"), 1):
        _Question(parsed, element, f"quiz/question[{number}]", builder.lines).read()
    if not parsed.questions and not parsed.problems and not parsed.skipped:
        parsed.problems.append(Problem(Place(path="quiz"), "the file holds no questions"))
    return parsed


class _Question:
    """One <question>: read by its type, its problems placed at its elements."""

    def __init__(
        self, parsed: Parsed, element: Element, path: str, lines: dict[Element, int]
    ) -> None:
        self.parsed, self.element, self.path, self.lines = parsed, element, path, lines
        self.type = element.get("type", "")
        self.format = FORMATS.get(_format(element.find("questiontext")), "html")
        self.target = _target(element, self.format)
        self.where: dict[str, tuple[str, Element | None]] = {
            "text": ("questiontext", element.find("questiontext")),
            "explanation": ("generalfeedback", element.find("generalfeedback")),
            "points": ("defaultgrade", element.find("defaultgrade")),
        }

    def place(self, element: Element | None, path: str) -> Place:
        line = self.lines.get(element if element is not None else self.element)
        return Place(line=line, path=f"{self.path}/{path}" if path else self.path)

    def read(self) -> None:
        if self.type == "category":
            self._category()
            return
        readers: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
            "multichoice": self._multichoice,
            "truefalse": self._truefalse,
            "shortanswer": self._shortanswer,
            "numerical": self._numerical,
            "matching": self._matching,
            "ordering": self._ordering,
        }
        if self.type not in readers:
            reason = SKIP_REASONS.get(self.type, f"Hyperquiz has no '{self.type}' questions")
            if self.type.startswith(("calculated", "dd")):
                reason = "calculated and drag-and-drop questions have no Hyperquiz kind"
            name = (self.element.findtext("name/text") or "").strip()
            self.parsed.skipped.append(Skipped(self.place(self.element, ""), name, reason))
            return
        text = self.rich(self.element.find("questiontext"), LIMITS["text"], "questiontext")
        explanation = self.rich(
            self.element.find("generalfeedback"), LIMITS["explanation"], "generalfeedback"
        )
        kind, body = readers[self.type]()
        fields = {"text": text, "explanation": explanation, "points": self._points(), **body}
        self._build(kind, {**fields, "text_format": self.target})

    def _category(self) -> None:
        """The category in force at the first question names the quiz's category."""
        path = (self.element.findtext("category/text") or "").strip()
        # Moodle writes a "/" inside a name as "//"; "top" is the bank's root, not a name.
        parts = [part.replace("\0", "/").strip() for part in path.replace("//", "\0").split("/")]
        names = [part for part in parts if part and not part.startswith("$") and part != "top"]
        if names and not self.parsed.questions:
            self.parsed.category = names[-1]

    def _points(self) -> Any:
        raw = (self.element.findtext("defaultgrade") or "1").strip()
        try:
            return float(raw)
        except ValueError:
            return raw

    def rich(self, element: Element | None, limit: int, path: str) -> str:
        """A text element's words in the question's format, its images inlined."""
        if element is None:
            return ""
        place = self.place(element, path)
        text = _inline(
            (element.findtext("text") or "").strip(),
            element.findall("file"),
            limit,
            lambda message: self.parsed.problems.append(Problem(place, message)),
        )
        fmt = FORMATS.get(_format(element, self.format), "html")
        if self.target == "html" and fmt != "html":  # plain words in an HTML question
            return html.escape(text, quote=False).replace("\n", "<br>")
        return text

    def answers(self) -> list[tuple[int, Element]]:
        return list(enumerate(self.element.findall("answer"), 1))

    def feedback(self, key: str, number: int, answer: Element) -> str:
        path = f"answer[{number}]/feedback"
        self.where[key] = (path, answer.find("feedback"))
        return self.rich(answer.find("feedback"), FEEDBACK_LIMIT, path)

    def _multichoice(self) -> tuple[str, dict[str, Any]]:
        choices = []
        for n, answer in self.answers():
            key = f"choices[{n - 1}]"
            self.where[key] = (f"answer[{n}]", answer)
            choices.append(
                {
                    "text": self.rich(answer, TEXT_LIMIT, f"answer[{n}]"),
                    "weight": _fraction(answer),
                    "feedback": self.feedback(f"{key}.feedback", n, answer),
                }
            )
        if (self.element.findtext("single") or "true").strip() in ("false", "0", ""):
            return "multiple_response", {"choices": choices, "scoring": "weights"}
        return "single_choice", {"choices": choices}

    def _truefalse(self) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {}
        self.where["answer"] = ("", None)
        for position, (n, answer) in enumerate(self.answers()):
            said = _plain(answer).lower()
            value = said == "true" if said in ("true", "false") else position == 0  # old files
            body["feedback_true" if value else "feedback_false"] = self.feedback(
                "feedback_true" if value else "feedback_false", n, answer
            )
            if _fraction(answer) == 100:  # noqa: PLR2004 - Moodle's full marks
                body["answer"] = value
        return "true_false", body

    def _typed(self, n: int, answer: Element, at: int) -> dict[str, Any]:
        self.where[f"answers[{at}]"] = (f"answer[{n}]", answer)
        feedback = self.feedback(f"answers[{at}].feedback", n, answer)
        return {"weight": _fraction(answer), "feedback": feedback}

    def _shortanswer(self) -> tuple[str, dict[str, Any]]:
        answers = [
            {**self._typed(n, answer, n - 1), "text": _plain(answer)}
            for n, answer in self.answers()
        ]
        case = (self.element.findtext("usecase") or "0").strip() not in ("0", "")
        return "short_answer", {"answers": answers, "case_sensitive": case}

    def _numerical(self) -> tuple[str, dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        for n, answer in self.answers():
            if _plain(answer) == "*":  # Moodle's "any other answer", there for its feedback
                continue
            fields = self._typed(n, answer, len(answers))
            fields["value"] = _number(_plain(answer))
            fields["tolerance"] = _number((answer.findtext("tolerance") or "0").strip())
            answers.append(fields)
        return "numeric", {"answers": answers}

    def _matching(self) -> tuple[str, dict[str, Any]]:
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        for n, sub in enumerate(self.element.findall("subquestion"), 1):
            answer = (sub.findtext("answer/text") or "").strip()
            prompt = self.rich(sub, TEXT_LIMIT, f"subquestion[{n}]")
            if prompt:
                self.where[f"pairs[{len(pairs)}]"] = (f"subquestion[{n}]", sub)
                pairs.append({"prompt": prompt, "answer": answer})
            else:  # Moodle: a subquestion without text is a wrong answer to choose from
                self.where[f"distractors[{len(distractors)}]"] = (f"subquestion[{n}]", sub)
                distractors.append(answer)
        return "matching", {"pairs": pairs, "distractors": distractors}

    def _ordering(self) -> tuple[str, dict[str, Any]]:
        items = []
        for n, answer in self.answers():
            self.where[f"items[{n - 1}]"] = (f"answer[{n}]", answer)
            items.append({"text": self.rich(answer, TEXT_LIMIT, f"answer[{n}]")})
        grading = (self.element.findtext("gradingtype") or "").strip().upper()
        scoring = "all_or_nothing" if grading in ("ALL_OR_NOTHING", "-1") else "partial"
        return "ordering", {"items": items, "scoring": scoring}

    def _build(self, kind: str, fields: dict[str, Any]) -> None:
        built = question_from(kind, fields)
        if isinstance(built, QuestionData):
            self.parsed.questions.append(ParsedQuestion(self.place(self.element, ""), built))
            return
        for path, said in built.items():
            # pydantic's own words for a Decimal that is not one
            message = "must be a number" if said.startswith("Input should be a valid dec") else said
            key = max((k for k in self.where if _within(path, k)), key=len, default="")
            sub, element = self.where.get(key, ("", None))
            leaf = path.rsplit(".", 1)[-1] if "." in path else ""
            words = MESSAGES.get(path) or (
                f"{FIELD_WORDS[leaf]}: {message}" if leaf in FIELD_WORDS else message
            )
            self.parsed.problems.append(Problem(self.place(element, sub), words))


def _within(path: str, key: str) -> bool:
    return path == key or path.startswith((f"{key}.", f"{key}["))


def _target(element: Element, default: str) -> str:
    """One format for all of a question's words: HTML if any of them is (typed answers and
    true/false's "true" are not words shown as written, so they do not count)."""
    tags = {"questiontext", "generalfeedback", "feedback", "subquestion"}
    if element.get("type") in ("multichoice", "ordering"):
        tags.add("answer")
    found = {
        FORMATS.get(_format(part, default), "html")
        for part in element.iter()
        if part.tag in tags and (part.findtext("text") or "").strip()
    }
    return "html" if "html" in found else "markdown" if "markdown" in found else default


def _format(element: Element | None, default: str = "html") -> str:
    return (element.get("format", default) if element is not None else default).strip()


def _plain(answer: Element) -> str:
    return (answer.findtext("text") or "").strip()


def _fraction(answer: Element) -> Any:
    raw = answer.get("fraction", "0").strip()
    try:
        return float(raw)
    except ValueError:
        return raw


def _number(raw: str) -> Any:
    try:
        return Decimal(raw)
    except InvalidOperation:
        return raw


def _image(file: Element) -> tuple[str | None, str]:
    """A sent file as a data: URI, or None and why it cannot be one."""
    name = file.get("name", "")
    try:
        data = base64.b64decode(file.text or "", validate=False)
    except (binascii.Error, ValueError):
        return None, f"image dropped: {name} is not valid base64"
    mime = next((m for magic, m in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        svg = name.lower().endswith(".svg") or b"<svg" in data[:1024]
        what = "an SVG image (it can hold scripts)" if svg else "not a PNG, JPEG, GIF or WebP image"
        return None, f"image dropped: {name} is {what}"
    if len(data) > MAX_IMAGE_BYTES:
        size = f"{len(data) // 1024} KiB"
        return None, f"image dropped: {name} is {size}, more than {MAX_IMAGE_BYTES // 1024} KiB"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", ""


def _inline(text: str, files: list[Element], limit: int, report: Callable[[str], None]) -> str:
    """`text` with its @@PLUGINFILE@@ references inlined, or removed and reported."""
    if "@@PLUGINFILE@@" not in text:
        return text
    sent = {}
    for file in files:
        folder = file.get("path", "/").strip("/")
        sent[f"{folder}/{file.get('name', '')}".lstrip("/")] = file
    images = {name: _image(file) for name, file in sent.items()}
    dropped: dict[str, str] = {}
    result = _replace(text, images, dropped)
    if len(result) > limit:  # the images do not fit: keep the words
        for name in _names(text):
            if images.get(name, (None, ""))[0]:
                why = f"would make the text longer than the {limit} characters it may hold"
                images[name] = (None, f"image dropped: {name} {why}")
        result = _replace(text, images, dropped)
    for message in dict.fromkeys(dropped.values()):
        report(message)
    return result


def _names(text: str) -> list[str]:
    return [unquote(match[1]) for match in REFERENCE.finditer(text)]


def _replace(text: str, images: dict[str, tuple[str | None, str]], dropped: dict[str, str]) -> str:
    """References to images that can be inlined replaced by them; an <img> of any other
    removed, and any other reference (a link to a sound file) emptied."""

    def uri(name: str) -> str:
        found, why = images.get(name, (None, f"image dropped: {name} is not in the file"))
        if found is None:
            dropped[name] = why
        return found or ""

    def in_tag(match: re.Match[str]) -> str:
        inlined = [uri(name) for name in _names(match[0])]
        return REFERENCE.sub(lambda m: uri(unquote(m[1])), match[0]) if all(inlined) else ""

    return REFERENCE.sub(lambda m: uri(unquote(m[1])), IMAGE_TAG.sub(in_tag, text))
