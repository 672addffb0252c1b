"""Formats: Open Trivia DB API responses (opentdb.com/api.php) read as questions.

{"response_code": 0, "results": [{"type": "multiple" | "boolean", "difficulty", "category",
"question", "correct_answer", "incorrect_answers": [...]}]}. The default encoding (HTML
entities) is decoded, and so are `encode=url3986` and `encode=base64`, recognised by the
`type` field they spell differently. A multiple question becomes single choice (the right
answer first: shuffling is the quiz's setting), a boolean one true/false. The quiz's
category is the results' own when they all share one; per-question difficulty is not kept.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from web.formats import Parsed
from web.formats import ParsedQuestion
from web.formats import Place
from web.formats import Problem
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import question_from
from web.kinds.base import MAX_OPTIONS

RESPONSE_CODES = {
    1: "no results: the query asked for more questions than the category holds",
    2: "invalid parameter: the query's arguments were refused",
    3: "token not found: the session token does not exist",
    4: "token empty: the session token has returned every question; reset it",
    5: "rate limit: too many requests (one every 5 seconds)",
}
TYPES = ("multiple", "boolean")
BASE64_TYPES = {"bXVsdGlwbGU=": "multiple", "Ym9vbGVhbg==": "boolean"}
TRUTH = {"true": True, "false": False}
CHOICE = re.compile(r"choices\[(\d+)\]")


def read(text: str, *, title: str) -> Parsed:
    """Every question of an Open Trivia DB response; never raises on bad input."""
    parsed = Parsed(title=title)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        place = Place(line=error.lineno)
        parsed.problems.append(Problem(place, f"the file is not valid JSON ({error.msg})"))
        return parsed
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        message = 'must be an Open Trivia DB response: {"response_code": 0, "results": [...]}'
        parsed.problems.append(Problem(Place(path="document"), message))
        return parsed
    code = document.get("response_code", 0)
    if code != 0:
        message = RESPONSE_CODES.get(code, f"the response says it failed (code {code!r})")
        parsed.problems.append(Problem(Place(path="response_code"), message))
        return parsed
    results: list[Any] = document["results"]
    decode = _decoder(results)
    categories = set()
    for number, result in enumerate(results):
        path = f"results[{number}]"
        if not isinstance(result, dict):
            parsed.problems.append(Problem(Place(path=path), "must be an object"))
            continue
        categories.add(_text(result.get("category"), decode))
        _result(parsed, result, path, decode)
    if len(categories) == 1:
        parsed.category = categories.pop()
    if not results:
        parsed.problems.append(Problem(Place(path="results"), "holds no questions"))
    return parsed


def _decoder(results: list[Any]) -> Callable[[str], str]:
    """How the response was encoded, told by how it spells the types it always has."""
    types = {result.get("type") for result in results if isinstance(result, dict)}
    if types and types <= set(BASE64_TYPES):
        return _base64
    words = [result.get("question", "") for result in results if isinstance(result, dict)]
    if any("%20" in word for word in words if isinstance(word, str)) and not any(
        " " in word for word in words if isinstance(word, str)
    ):
        return unquote
    return html.unescape


def _base64(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return value


def _text(value: Any, decode: Callable[[str], str]) -> str:
    return decode(value).strip() if isinstance(value, str) else ""


def _result(
    parsed: Parsed, result: dict[str, Any], path: str, decode: Callable[[str], str]
) -> None:
    kind = _text(result.get("type"), decode)
    if kind not in TYPES:
        message = f"type must be 'multiple' or 'boolean', not {kind or 'nothing'!r}"
        parsed.problems.append(Problem(Place(path=f"{path}.type"), message))
        return
    question = _text(result.get("question"), decode)
    correct = _text(result.get("correct_answer"), decode)
    wrong = result.get("incorrect_answers")
    if not isinstance(wrong, list):
        message = "must be a list of the wrong answers"
        parsed.problems.append(Problem(Place(path=f"{path}.incorrect_answers"), message))
        return
    if kind == "boolean":
        if correct.lower() not in TRUTH:
            message = f"must be 'True' or 'False', not {correct!r}"
            parsed.problems.append(Problem(Place(path=f"{path}.correct_answer"), message))
            return
        fields: dict[str, Any] = {"answer": TRUTH[correct.lower()]}
    else:
        choices = [{"text": correct, "weight": 100}]
        choices += [{"text": _text(answer, decode), "weight": 0} for answer in wrong]
        fields = {"choices": choices}
    kind_name = "true_false" if kind == "boolean" else "single_choice"
    built = question_from(kind_name, {"text": question, **fields})
    if isinstance(built, QuestionData):
        parsed.questions.append(ParsedQuestion(Place(path=path), built))
        return
    for where, message in built.items():
        # the right answer is one of the choices: count the wrong ones
        words = f"must hold 1 to {MAX_OPTIONS - 1} wrong answers" if where == "choices" else message
        parsed.problems.append(Problem(Place(path=f"{path}.{_field(where)}"), words))


def _field(where: str) -> str:
    """A body's path in the response's own words: choices[0] is the correct answer."""
    if where == "text":
        return "question"
    if choice := CHOICE.match(where):
        index = int(choice[1])
        return "correct_answer" if index == 0 else f"incorrect_answers[{index - 1}]"
    return "incorrect_answers" if where == "choices" else where
