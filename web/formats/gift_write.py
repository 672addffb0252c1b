"""Formats: a quiz written as GIFT, the way Moodle's exporter writes it, read back the same.

Every word is escaped as Moodle's `repchar` does (`\\ ~ = # { } :`, line breaks as `\\n`), so
each question's parts stay on one line each. What GIFT cannot say (ordering questions,
all-or-nothing scoring, case-sensitive short answers, points, quiz settings) is returned as a
summary and written as a `//` comment above the question it concerns.
"""

from __future__ import annotations

from decimal import Decimal

from web.formats.gift_read import ANY_NUMBER
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import QuizData
from web.kinds.base import FULL
from web.kinds.matching import Body as MatchingBody
from web.kinds.multiple_response import Body as MultipleResponseBody
from web.kinds.numeric import Answer as NumericAnswer
from web.kinds.numeric import Body as NumericBody
from web.kinds.numeric import canonical
from web.kinds.ordering import Body as OrderingBody
from web.kinds.short_answer import Body as ShortAnswerBody
from web.kinds.single_choice import Body as SingleChoiceBody
from web.kinds.single_choice import Choice
from web.kinds.true_false import Body as TrueFalseBody

RESERVED = str.maketrans({c: f"\\{c}" for c in "\\~=#{}:"} | {"\n": "\\n", "\r": ""})
NAMES = {"plain": "plain", "markdown": "markdown", "html": "html"}
SETTINGS = {
    "description": lambda quiz: bool(quiz.description),
    "difficulty": lambda quiz: quiz.difficulty != "medium",
    "time limit": lambda quiz: quiz.time_limit_seconds is not None,
    "feedback mode": lambda quiz: quiz.feedback_mode != "immediate",
    "shuffled questions": lambda quiz: quiz.shuffle_questions,
    "shuffled answers": lambda quiz: quiz.shuffle_choices,
}


def write(quiz: QuizData) -> tuple[str, list[str]]:
    """The quiz as GIFT text, and what GIFT could not say ("question 3: ..."), each of
    which is also a `//` comment beside its question."""
    notes: list[str] = []
    head = [f"// {_line(quiz.title)}"]
    if settings := [name for name, isset in SETTINGS.items() if isset(quiz)]:
        said = f"quiz settings GIFT has no place for: {', '.join(settings)}"
        head.append(f"// {said}")
        notes.append(said)
    if quiz.category:
        head.append(f"$CATEGORY: $course$/top/{quiz.category.replace('/', '//')}")
    blocks = ["\n".join(head)]
    for number, question in enumerate(quiz.questions, 1):
        block, said_here = _question(question)
        notes += [f"question {number}: {said}" for said in said_here]
        blocks.append("\n".join([*(f"// {said}" for said in said_here), *block]))
    return "\n\n".join(blocks) + "\n", notes


def _line(text: str) -> str:
    return " ".join(text.split())


def _escaped(text: str, fmt: str, *, first: bool = False) -> str:
    """Words escaped; a format named where the words would otherwise be misread (a
    leading `[`, a leading `//` on the question's own line, HTML-looking plain text)."""
    words = text.translate(RESERVED)
    named = fmt != "plain" if first else False
    misread = words.startswith("//") or "<" in words or "&" in words
    if words.startswith("[") or (first and misread):
        named = True
    return f"[{NAMES[fmt]}]{words}" if named else words


def _percent(weight: float) -> str:
    return f"{round(weight, 5):.10g}"


def _question(question: QuestionData) -> tuple[list[str], list[str]]:
    """The question's lines, and what GIFT cannot say about it."""
    fmt, body = question.text_format, question.body
    said: list[str] = []
    if question.points != 1:
        said.append(f"worth {question.points:g} points; GIFT has no points (imported as 1)")
    if isinstance(body, OrderingBody):
        said.append("an ordering question; GIFT has none, so it is written as comments only")
        items = [f"// {n}. {_line(item.text)}" for n, item in enumerate(body.items, 1)]
        return [f"// {_line(question.text)}", *items], said
    text = _escaped(question.text, fmt, first=True)
    general = f"####{_escaped(question.explanation, fmt)}" if question.explanation else ""
    if isinstance(body, TrueFalseBody):
        right, wrong = (body.feedback_true, body.feedback_false)
        if not body.answer:
            right, wrong = wrong, right
        marks = "TRUE" if body.answer else "FALSE"
        if wrong or right:
            marks += f"#{_escaped(wrong, fmt)}"
        if right:
            marks += f"#{_escaped(right, fmt)}"
        return [f"{text}{{{marks}{general}}}"], said
    lines, opening = _answers(question, said)
    if general:
        lines.append(f"\t{general}")
    return [f"{text}{{{opening}", *lines, "}"], said


def _answers(question: QuestionData, said: list[str]) -> tuple[list[str], str]:
    """The answer block's lines (a tab, then one answer) and what follows its `{`."""
    fmt, body = question.text_format, question.body
    if isinstance(body, MultipleResponseBody):
        choices = body.choices
        if body.scoring == "all_or_nothing":
            said.append("all-or-nothing scoring; GIFT has weights: the right answers share 100%")
            share = FULL / len(body.right())
            choices = tuple(
                choice.model_copy(update={"weight": share if choice.weight > 0 else 0.0})
                for choice in choices
            )
        return [_choice(choice, fmt, single=False) for choice in choices], ""
    if isinstance(body, SingleChoiceBody):
        return [_choice(choice, fmt, single=True) for choice in body.choices], ""
    if isinstance(body, ShortAnswerBody):
        if body.case_sensitive:
            said.append("case-sensitive answers; GIFT short answers ignore case")
        if any("->" in answer.text or "->" in answer.feedback for answer in body.answers):
            said.append("an answer holds '->', which GIFT reads as a matching question")
        lines = [
            f"\t={_weight(answer.weight)}{_escaped(answer.text, fmt)}"
            + _feedback(answer.feedback, fmt)
            for answer in body.answers
        ]
        return lines, ""
    if isinstance(body, NumericBody):
        anything = [answer for answer in body.answers if _any_number(answer)]
        lines = [_numeric(answer, fmt) for answer in body.answers if answer not in anything]
        lines += [f"\t~{_feedback(answer.feedback, fmt) or '#'}" for answer in anything[:1]]
        return lines, "#"
    if isinstance(body, MatchingBody):
        lines = [
            f"\t={_escaped(pair.prompt, fmt)} -> {pair.answer.translate(RESERVED)}"
            for pair in body.pairs
        ]
        return lines + [f"\t= -> {extra.translate(RESERVED)}" for extra in body.distractors], ""
    raise TypeError(f"GIFT cannot write a {question.kind} question")  # a kind added since


def _weight(weight: float) -> str:
    return "" if weight == FULL else f"%{_percent(weight)}%"


def _feedback(feedback: str, fmt: str) -> str:
    return f"#{_escaped(feedback, fmt)}" if feedback else ""


def _choice(choice: Choice, fmt: str, *, single: bool) -> str:
    if single and choice.weight == FULL:
        mark = "="
    elif choice.weight == 0:
        mark = "~"
    else:
        mark = f"~%{_percent(choice.weight)}%"
    return f"\t{mark}{_escaped(choice.text, fmt)}{_feedback(choice.feedback, fmt)}"


def _any_number(answer: NumericAnswer) -> bool:
    return answer.weight == 0 and answer.min == -ANY_NUMBER and answer.max == ANY_NUMBER


def _numeric(answer: NumericAnswer, fmt: str) -> str:
    if answer.value is None:
        stated = f"{_number(answer.min)}..{_number(answer.max)}"
    else:
        spread = f":{_number(answer.tolerance)}" if answer.tolerance else ""
        stated = _number(answer.value) + spread
    return f"\t={_weight(answer.weight)}{stated}{_feedback(answer.feedback, fmt)}"


def _number(number: Decimal | None) -> str:
    return canonical(number) if number is not None else ""
