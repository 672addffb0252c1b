"""Every question kind through HTTP, by plain forms and by htmx: the card's accessible names,
right, partly right and wrong answers in points, refused forms, double submits, the review.

The table CASES holds, for each kind in the registry (web.kinds.KINDS), a question and the
forms that answer it; a kind registered without a row here fails every test below.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from quart import Quart
from quart import Response

from tests.integration.quiz_helpers import HTMX
from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import stored_answers
from web.db import get_session
from web.forms.quiz_import import parse_quiz_document
from web.kinds import KINDS
from web.services.quiz_import import import_quizzes

Form = Sequence[tuple[str, str]]
SCORE = re.compile(r"No answers yet|Score: [0-9.]+ of [0-9.]+|Answered: \d+ of \d+")
FILLER = {
    "kind": "single_choice",
    "text": "Filler question?",
    "points": 1,
    "choices": [{"text": "Filler right", "weight": 100}, {"text": "Filler wrong"}],
}


@dataclass(frozen=True)
class Control:
    """A form control as a screen reader meets it: its role, accessible name and options."""

    role: str  # radio, checkbox, textbox or combobox
    name: str  # the accessible name (its label)
    options: tuple[str, ...] = ()  # a select's option texts, the empty first one included


@dataclass(frozen=True)
class Answered:
    """A form, what the stored response and points must be, and how the review shows it."""

    form: Form
    response: dict[str, Any]
    points: str  # as the page writes them
    review: str  # text the review shows for this answer (after "<verdict>: X of Y points.")


@dataclass(frozen=True)
class Case:
    question: dict[str, Any]
    controls: tuple[Control, ...]  # in any order (ordering items are always shuffled)
    right: Answered
    partial: Answered | None
    wrong: Answered
    refused: tuple[tuple[Form, str], ...]  # (form, the kind's message)
    texts: tuple[str, ...] = ()  # other text the card shows (contract names)

    @property
    def points(self) -> str:
        return str(self.question["points"])


def radio(name: str) -> Control:
    return Control("radio", name)


def checkbox(name: str) -> Control:
    return Control("checkbox", name)


POSITIONS = ("", "1", "2", "3", "4")
MATCHES = ("", "Bright rings", "Great Red Spot", "Liquid water oceans", "Phobos", "Sideways spin")
TOO_LONG = "x" * 501

CASES: dict[str, Case] = {
    "single_choice": Case(
        question={
            "kind": "single_choice",
            "text": "Which planet is the Red Planet?",
            "points": 2,
            "choices": [
                {"text": "Mars", "weight": 100},
                {"text": "Venus", "weight": 50, "feedback": "Close: also rocky."},
                {"text": "Jupiter"},
                {"text": "Mercury"},
            ],
        },
        controls=(radio("Mars"), radio("Venus"), radio("Jupiter"), radio("Mercury")),
        right=Answered([("choice", "1")], {"choice": 1}, "2", "Your answer: Mars"),
        partial=Answered(
            [("choice", "2")], {"choice": 2}, "1", "Your answer: Venus Correct answer: Mars"
        ),
        wrong=Answered(
            [("choice", "3")], {"choice": 3}, "0", "Your answer: Jupiter Correct answer: Mars"
        ),
        refused=(
            ([], "Choose one of the answers, then submit."),
            ([("choice", "99")], "Choose one of the answers, then submit."),
            ([("choice", "zero")], "Choose one of the answers, then submit."),
            ([("choice", "1"), ("choice", "2")], "Send one answer to this question."),
        ),
    ),
    "multiple_response": Case(
        question={
            "kind": "multiple_response",
            "text": "Which are gas giants?",
            "points": 4.5,
            "choices": [
                {"text": "Jupiter", "weight": 50},
                {"text": "Saturn", "weight": 50},
                {"text": "Mars", "weight": -50},
                {"text": "Earth", "weight": -100},
            ],
        },
        controls=(checkbox("Jupiter"), checkbox("Saturn"), checkbox("Mars"), checkbox("Earth")),
        texts=("Select all that apply",),
        right=Answered(
            [("choice", "2"), ("choice", "1")],
            {"choices": [1, 2]},
            "4.5",
            "Your answer: Jupiter; Saturn",
        ),
        partial=Answered(
            [("choice", "1")],
            {"choices": [1]},
            "2.25",
            "Your answer: Jupiter Correct answer: Jupiter; Saturn",
        ),
        # Only the negative choices: -150% of the points, floored at nothing.
        wrong=Answered(
            [("choice", "3"), ("choice", "4")],
            {"choices": [3, 4]},
            "0",
            "Your answer: Mars; Earth Correct answer: Jupiter; Saturn",
        ),
        refused=(
            ([], "Choose at least one answer, then submit."),
            ([("choice", "1"), ("choice", "7")], "Choose among the listed answers, then submit."),
            ([("choice", "2"), ("choice", "2")], "Send each answer once."),
        ),
    ),
    "true_false": Case(
        question={
            "kind": "true_false",
            "text": "The Sun is a star.",
            "points": 0.5,
            "answer": True,
            "feedback_false": "It is: a yellow dwarf.",
        },
        controls=(radio("True"), radio("False")),
        right=Answered([("choice", "true")], {"value": True}, "0.5", "Your answer: True"),
        partial=None,
        wrong=Answered(
            [("choice", "false")],
            {"value": False},
            "0",
            "Your answer: False Correct answer: True It is: a yellow dwarf.",
        ),
        refused=(
            ([], "Choose True or False, then submit."),
            ([("choice", "maybe")], "Choose True or False, then submit."),
            ([("choice", "true"), ("choice", "false")], "Send one answer to this question."),
        ),
    ),
    "short_answer": Case(
        question={
            "kind": "short_answer",
            "text": "What is the largest moon of Saturn?",
            "points": 1,
            "answers": [
                {"text": "Titan"},
                {"text": "Tit*", "weight": 50, "feedback": "Spell it out."},
            ],
        },
        controls=(Control("textbox", "Your answer"),),
        right=Answered([("answer", "  titan ")], {"text": "titan"}, "1", "Your answer: titan"),
        partial=Answered(
            [("answer", "Titania")],
            {"text": "Titania"},
            "0.5",
            "Your answer: Titania Correct answer: Titan Spell it out.",
        ),
        wrong=Answered(
            [("answer", "Io")], {"text": "Io"}, "0", "Your answer: Io Correct answer: Titan"
        ),
        refused=(
            ([], "Type an answer, then submit."),
            ([("answer", "   ")], "Type an answer, then submit."),
            ([("answer", TOO_LONG)], "Keep your answer under 500 characters, then submit."),
            (
                [("answer", "Ti\x07tan")],
                "Type your answer without special characters, then submit.",
            ),
            ([("answer", "Titan"), ("answer", "Io")], "Send one answer to this question."),
        ),
    ),
    "numeric": Case(
        question={
            "kind": "numeric",
            "text": "How many planets orbit the Sun?",
            "points": 3,
            "answers": [
                {"value": "8"},
                {"min": "9", "max": "9.5", "weight": 25, "feedback": "Pluto no longer counts."},
            ],
        },
        controls=(Control("textbox", "Your answer"),),
        right=Answered([("answer", "8,0")], {"text": "8,0", "value": "8"}, "3", "Your answer: 8,0"),
        partial=Answered(
            [("answer", "9")],
            {"text": "9", "value": "9"},
            "0.75",
            "Your answer: 9 Correct answer: 8 Pluto no longer counts.",
        ),
        wrong=Answered(
            [("answer", "7")], {"text": "7", "value": "7"}, "0", "Your answer: 7 Correct answer: 8"
        ),
        refused=(
            ([], "Enter a number, like 3.14 or 3,14 (no thousands separators)."),
            (
                [("answer", "1,000.5")],
                "Enter a number, like 3.14 or 3,14 (no thousands separators).",
            ),
            ([("answer", "eight")], "Enter a number, like 3.14 or 3,14 (no thousands separators)."),
            ([("answer", "8"), ("answer", "9")], "Send one answer to this question."),
        ),
    ),
    "ordering": Case(
        question={
            "kind": "ordering",
            "text": "Nearest the Sun first.",
            "points": 4,
            "scoring": "partial",
            "items": [{"text": "Mercury"}, {"text": "Venus"}, {"text": "Earth"}, {"text": "Mars"}],
        },
        controls=tuple(
            Control("combobox", f"Position of {planet}", POSITIONS)
            for planet in ("Mercury", "Venus", "Earth", "Mars")
        ),
        right=Answered(
            [("position-4", "4"), ("position-2", "2"), ("position-1", "1"), ("position-3", "3")],
            {"order": [1, 2, 3, 4]},
            "4",
            "Your order: Mercury Venus Earth Mars",
        ),
        partial=Answered(
            [("position-1", "2"), ("position-2", "1"), ("position-3", "3"), ("position-4", "4")],
            {"order": [2, 1, 3, 4]},
            "2",
            "Your order: Venus Mercury Earth Mars Correct order: Mercury Venus Earth Mars",
        ),
        wrong=Answered(
            [("position-1", "4"), ("position-2", "3"), ("position-3", "2"), ("position-4", "1")],
            {"order": [4, 3, 2, 1]},
            "0",
            "Your order: Mars Earth Venus Mercury Correct order: Mercury Venus Earth Mars",
        ),
        refused=(
            ([], "Give every item a position from 1 to 4."),
            ([("position-1", "1"), ("position-3", "2")], "Give every item a position from 1 to 4."),
            (
                [
                    ("position-1", "1"),
                    ("position-2", "2"),
                    ("position-3", "3"),
                    ("position-4", "5"),
                ],
                "Give every item a position from 1 to 4.",
            ),
            (
                [
                    ("position-1", "3"),
                    ("position-2", "1"),
                    ("position-3", "3"),
                    ("position-4", "1"),
                ],
                "Position 1 is given to more than one item: each position once.",
            ),
        ),
    ),
    "matching": Case(
        question={
            "kind": "matching",
            "text": "Match each planet with what it is known for.",
            "points": 2,
            "pairs": [
                {"prompt": "Saturn", "answer": "Bright rings"},
                {"prompt": "Jupiter", "answer": "Great Red Spot"},
                {"prompt": "Uranus", "answer": "Sideways spin"},
                {"prompt": "Mars", "answer": "Phobos"},
            ],
            "distractors": ["Liquid water oceans"],
        },
        controls=tuple(
            Control("combobox", prompt, MATCHES)
            for prompt in ("Saturn", "Jupiter", "Uranus", "Mars")
        ),
        right=Answered(
            [
                ("match-1", "Bright rings"),
                ("match-2", "Great Red Spot"),
                ("match-3", "Sideways spin"),
                ("match-4", "Phobos"),
            ],
            {
                "pairs": {
                    "1": "Bright rings",
                    "2": "Great Red Spot",
                    "3": "Sideways spin",
                    "4": "Phobos",
                }
            },
            "2",
            "Saturn Your answer: Bright rings Jupiter Your answer: Great Red Spot",
        ),
        partial=Answered(
            [
                ("match-1", "Bright rings"),
                ("match-2", "Liquid water oceans"),
                ("match-3", "Phobos"),
                ("match-4", "Phobos"),
            ],
            {
                "pairs": {
                    "1": "Bright rings",
                    "2": "Liquid water oceans",
                    "3": "Phobos",
                    "4": "Phobos",
                }
            },
            "1",
            "Saturn Your answer: Bright rings Jupiter Your answer: Liquid water oceans. "
            "Correct answer: Great Red Spot",
        ),
        wrong=Answered(
            [
                ("match-1", "Phobos"),
                ("match-2", "Phobos"),
                ("match-3", "Phobos"),
                ("match-4", "Bright rings"),
            ],
            {"pairs": {"1": "Phobos", "2": "Phobos", "3": "Phobos", "4": "Bright rings"}},
            "0",
            "Mars Your answer: Bright rings. Correct answer: Phobos",
        ),
        refused=(
            ([], "Choose an answer for every prompt, then submit."),
            (
                [("match-1", "Bright rings"), ("match-2", "Phobos")],
                "Choose an answer for every prompt, then submit.",
            ),
            (
                [
                    ("match-1", "Bright rings"),
                    ("match-2", "Moon"),
                    ("match-3", "Phobos"),
                    ("match-4", "Phobos"),
                ],
                "Choose each prompt's answer from its list, then submit.",
            ),
        ),
    ),
}
NO_PARTIAL_CREDIT = frozenset({"true_false"})
PARTIAL_KINDS = [name for name in KINDS if name not in NO_PARTIAL_CREDIT]
REFUSALS = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in KINDS
    for index in range(len(CASES[name].refused) if name in CASES else 1)
]
MODES = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
EVERY_KIND = pytest.mark.parametrize("kind", list(KINDS))


def case_of(kind: str) -> Case:
    assert kind in CASES, f"kind {kind!r} is registered but has no row in CASES"
    return CASES[kind]


def slug_of(kind: str) -> str:
    return "kind-" + kind.replace("_", "-")


def kind_quiz(kind: str, **settings: Any) -> dict[str, Any]:
    """A quiz asking `kind`'s question first, then a filler, so one answer leaves it open."""
    return {
        "slug": slug_of(kind),
        "title": f"Kind {kind}",
        "category": "Kinds",
        "published": True,
        "questions": [case_of(kind).question, FILLER],
        **settings,
    }


def every_kind_quiz() -> dict[str, Any]:
    return {
        "slug": "every-kind",
        "title": "Every kind",
        "category": "Kinds",
        "published": True,
        "questions": [case_of(kind).question for kind in KINDS],
    }


async def seed_v2(app: Quart, *quizzes: dict[str, Any], replace: bool = False) -> None:
    """Import quizzes as a format 2 document, as `hyperquiz import [--replace]` would."""
    parsed = parse_quiz_document({"format": 2, "quizzes": list(quizzes)})
    assert parsed.data is not None, parsed.errors
    async with app.app_context():
        await import_quizzes(get_session(), parsed.data, replace=replace)


async def post_form(player: Player, path: str, form: Form, *, htmx: bool = False) -> Response:
    """A form post with repeated names (checkboxes), as a browser encodes it."""
    body = urlencode([("csrf_token", player.token), *form])
    headers = {"Content-Type": "application/x-www-form-urlencoded", **(HTMX if htmx else {})}
    return await player.client.post(path, data=body.encode(), headers=headers)


async def text_of(response: Response) -> str:
    return await response.get_data(as_text=True)


def score_text(html: str) -> str:
    """The sentence in #score-panel (the page's live region or its out-of-band update)."""
    panel = html[html.index('id="score-panel"') :]
    match = SCORE.search(panel)
    assert match, panel[:300]
    return match.group(0)


@pytest.fixture
async def kinds_player(app: Quart) -> Player:
    """A signed-in person, with a quiz per kind and one quiz of every kind."""
    await seed_v2(app, *(kind_quiz(kind) for kind in KINDS), every_kind_quiz())
    return await sign_in(app)


# --------------------------------------------------------------------------- reading controls


@dataclass
class _Input:
    tag: str
    attrs: dict[str, str]
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # (value, text, selected)


class _Controls(HTMLParser):
    """The form controls of a page, their attributes, and each select's options."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: list[_Input] = []
        self.alerts: list[str] = []
        self._select: _Input | None = None
        self._option: list[str] | None = None
        self._option_attrs: dict[str, str] = {}
        self._alert: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input" and attributes.get("type") in {"radio", "checkbox", "text"}:
            self.inputs.append(_Input(tag, attributes))
        elif tag == "select":
            self._select = _Input(tag, attributes)
            self.inputs.append(self._select)
        elif tag == "option":
            self._option, self._option_attrs = [], attributes
        elif attributes.get("role") == "alert":
            self._alert = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            text = "".join(self._option).strip()
            # As a browser submits it: the value attribute, else the text with its ASCII
            # whitespace stripped and collapsed (HTML, the option element's value).
            value = self._option_attrs.get("value", " ".join(text.split()))
            self._select.options.append((value, text, "selected" in self._option_attrs))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "p" and self._alert is not None:
            self.alerts.append(" ".join("".join(self._alert).split()))
            self._alert = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._alert is not None:
            self._alert.append(data)


def controls_of(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    parser.close()
    return parser


def answer_inputs(html: str) -> list[_Input]:
    """The question's own controls (not the CSRF field, not the page's search box)."""
    card = html[html.index('id="question-card"') :]
    card = card[: card.index("</form>")]
    return controls_of(card).inputs


def accessible(html: str) -> list[Control]:
    labels = read(html).labels
    found = []
    for control in answer_inputs(html):
        role = {"radio": "radio", "checkbox": "checkbox", "text": "textbox"}.get(
            control.attrs.get("type", ""), "combobox"
        )
        name = labels.get(control.attrs.get("id", ""), "")
        found.append(Control(role, name, tuple(text for _value, text, _s in control.options)))
    return found


def shown_again(html: str, form: Form) -> list[str]:
    """What of the refused form the card fails to show again: each value that fits a control
    is still ticked, typed or selected (a radio or a field shows the first value sent)."""
    missing = []
    inputs = answer_inputs(html)
    for name in dict.fromkeys(name for name, _value in form):
        sent = [value for key, value in form if key == name]
        named = [control for control in inputs if control.attrs.get("name") == name]
        for control in named:
            kind = control.attrs.get("type")
            if control.tag == "select":
                selected = [value for value, _text, chosen in control.options if chosen]
                offered = {value for value, _text, _chosen in control.options}
                if sent[0] in offered and selected != [sent[0]]:
                    missing.append(f"{name}={sent[0]} (selected: {selected})")
            elif kind == "text":
                if control.attrs.get("value") != sent[0]:
                    missing.append(f"{name}={sent[0]!r} (value: {control.attrs.get('value')!r})")
            else:
                value = control.attrs["value"]
                wanted = value in sent if kind == "checkbox" else value == sent[0]
                if wanted != ("checked" in control.attrs):
                    missing.append(f"{name}={value} checked={not wanted}")
    return missing


# --------------------------------------------------------------------------- the table itself


def test_every_registered_kind_has_a_row() -> None:
    assert set(CASES) == set(KINDS)
    assert set(PARTIAL_KINDS) | NO_PARTIAL_CREDIT == set(KINDS)
    for name in PARTIAL_KINDS:
        assert case_of(name).partial is not None, name
    for name in NO_PARTIAL_CREDIT:
        assert case_of(name).partial is None, name


# --------------------------------------------------------------------------- the card


@EVERY_KIND
@MODES
async def test_the_card_has_the_contract_names(kinds_player: Player, kind: str, htmx: bool) -> None:
    case = case_of(kind)
    attempt_id = await kinds_player.start(slug_of(kind))
    response = await kinds_player.get(question_url(attempt_id, 1), htmx=htmx)
    assert response.status_code == 200
    html = await text_of(response)
    outline = read(html)
    assert ("<html" in html) is not htmx
    assert outline.all("legend") == [case.question["text"]]
    assert html.count("<fieldset") == 1
    assert "Question 1 of 2" in outline.text
    assert "Submit answer" in outline.all("button")
    for text in case.texts:
        assert text in outline.text
    if kind != "multiple_response":
        assert "Select all that apply" not in outline.text
    found = accessible(html)
    assert sorted(found, key=repr) == sorted(case.controls, key=repr)
    if found[0].role in {"radio", "checkbox"}:  # choices in the author's order, unshuffled
        assert [control.name for control in found] == [c.name for c in case.controls]
    for control in answer_inputs(html):
        assert "aria-invalid" not in control.attrs
        if control.tag == "select":
            assert control.options[0][:2] == ("", ""), "the first option is empty"


# --------------------------------------------------------------------------- answering


async def answer_and_read(
    player: Player, attempt_id: int, form: Form, *, htmx: bool
) -> tuple[str, str]:
    """(the feedback's HTML, the score panel's sentence) after answering question 1."""
    response = await post_form(player, question_url(attempt_id, 1), form, htmx=htmx)
    if htmx:
        assert response.status_code == 200, await text_of(response)
        html = await text_of(response)
        assert 'hx-swap-oob="innerHTML"' in html
        return html, score_text(html)
    assert response.status_code == 303, await text_of(response)
    assert response.headers["Location"] == question_url(attempt_id, 1)
    page = await text_of(await player.get(question_url(attempt_id, 1)))
    return page, score_text(page)


def point_word(points: str) -> str:
    return "point" if points == "1" else "points"


async def check_answer(
    app: Quart, player: Player, kind: str, given: Answered, verdict: str, *, htmx: bool
) -> None:
    case = case_of(kind)
    attempt_id = await player.start(slug_of(kind))
    html, score = await answer_and_read(player, attempt_id, given.form, htmx=htmx)
    outline = read(html)
    assert outline.all("h2")[:1] == [verdict], outline.text[:400]
    earned = f"You earned {given.points} of {case.points} {point_word(case.points)}"
    assert earned in outline.text
    assert score == f"Score: {given.points} of {case.points}"
    assert "Next question" in outline.all("button")
    answers = await stored_answers(app, attempt_id)
    assert [answer.response for answer in answers] == [given.response]
    assert f"{answers[0].points:g}" == given.points
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.answered_count == 1
    assert f"{attempt.points_awarded:g}" == given.points


@EVERY_KIND
@MODES
async def test_a_right_answer_earns_every_point(
    app: Quart, kinds_player: Player, kind: str, htmx: bool
) -> None:
    await check_answer(app, kinds_player, kind, case_of(kind).right, "Correct", htmx=htmx)


@pytest.mark.parametrize("kind", PARTIAL_KINDS)
@MODES
async def test_a_partly_right_answer_earns_its_share(
    app: Quart, kinds_player: Player, kind: str, htmx: bool
) -> None:
    partial = case_of(kind).partial
    assert partial is not None
    await check_answer(app, kinds_player, kind, partial, "Partially correct", htmx=htmx)


@EVERY_KIND
@MODES
async def test_a_wrong_answer_earns_nothing(
    app: Quart, kinds_player: Player, kind: str, htmx: bool
) -> None:
    await check_answer(app, kinds_player, kind, case_of(kind).wrong, "Incorrect", htmx=htmx)


@pytest.mark.parametrize(
    ("form", "earned"),
    [
        ([("choice", "3")], "0"),  # -50%
        ([("choice", "4")], "0"),  # -100%
        ([("choice", "1"), ("choice", "3"), ("choice", "4")], "0"),  # 50 - 150 = -100%
        ([("choice", "1"), ("choice", "2"), ("choice", "3")], "2.25"),  # 100 - 50 = 50%
        ([("choice", "1"), ("choice", "2"), ("choice", "3"), ("choice", "4")], "0"),  # -50%
    ],
)
async def test_negative_weights_never_take_a_score_below_zero(
    app: Quart, kinds_player: Player, form: Form, earned: str
) -> None:
    attempt_id = await kinds_player.start(slug_of("multiple_response"))
    html, score = await answer_and_read(kinds_player, attempt_id, form, htmx=True)
    assert f"You earned {earned} of 4.5 points" in read(html).text
    assert score == f"Score: {earned} of 4.5"
    answers = await stored_answers(app, attempt_id)
    assert len(answers) == 1
    assert answers[0].points >= 0
    assert f"{answers[0].points:g}" == earned
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.points_awarded >= 0


# --------------------------------------------------------------------------- refused forms


@pytest.mark.parametrize(("kind", "index"), REFUSALS)
@MODES
async def test_a_refused_form_says_why_and_stores_nothing(
    app: Quart, kinds_player: Player, kind: str, index: int, htmx: bool
) -> None:
    form, message = case_of(kind).refused[index]
    attempt_id = await kinds_player.start(slug_of(kind))
    response = await post_form(kinds_player, question_url(attempt_id, 1), form, htmx=htmx)
    assert response.status_code == 422
    html = await text_of(response)
    assert ("<html" in html) is not htmx
    assert message in controls_of(html).alerts
    assert 'id="question-error"' in html
    inputs = answer_inputs(html)
    assert inputs
    for control in inputs:
        assert control.attrs.get("aria-invalid") == "true", control.attrs
        assert "question-error" in control.attrs.get("aria-describedby", "").split()
    assert shown_again(html, form) == []
    assert read(html).all("legend") == [case_of(kind).question["text"]]
    assert await stored_answers(app, attempt_id) == []
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded, attempt.finished_at) == (0, 0, None)
    assert score_text(html) == "No answers yet" if not htmx else "hx-swap-oob" not in html


@EVERY_KIND
async def test_a_refused_form_then_a_right_one_counts_once(
    app: Quart, kinds_player: Player, kind: str
) -> None:
    case = case_of(kind)
    attempt_id = await kinds_player.start(slug_of(kind))
    refused = await post_form(kinds_player, question_url(attempt_id, 1), case.refused[0][0])
    assert refused.status_code == 422
    accepted = await post_form(kinds_player, question_url(attempt_id, 1), case.right.form)
    assert accepted.status_code == 303
    answers = await stored_answers(app, attempt_id)
    assert [answer.response for answer in answers] == [case.right.response]


# --------------------------------------------------------------------------- double submits


@EVERY_KIND
@MODES
async def test_a_second_submit_keeps_the_first_answer(
    app: Quart, kinds_player: Player, kind: str, htmx: bool
) -> None:
    case = case_of(kind)
    attempt_id = await kinds_player.start(slug_of(kind))
    url = question_url(attempt_id, 1)
    first = await post_form(kinds_player, url, case.right.form, htmx=htmx)
    assert first.status_code in {200, 303}
    second = await post_form(kinds_player, url, case.wrong.form, htmx=htmx)
    if htmx:
        assert second.status_code == 200
        html = await text_of(second)
    else:
        assert second.status_code == 303
        assert second.headers["Location"] == url
        html = await text_of(await kinds_player.get(url))
    text = read(html).text
    assert "You already answered this question (question 1 of 2)." in text
    assert "Correct" in read(html).all("h2")
    assert score_text(html) == f"Score: {case.right.points} of {case.points}"
    answers = await stored_answers(app, attempt_id)
    assert [answer.response for answer in answers] == [case.right.response]
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.answered_count == 1
    assert f"{attempt.points_awarded:g}" == case.right.points


# --------------------------------------------------------------------------- a whole quiz


def given_in_review(kind: str, number: int) -> tuple[Answered, str]:
    """A mix: right, partly right, wrong in turn (wrong where no partial credit)."""
    case = case_of(kind)
    pick = number % 3
    if pick == 1 and case.partial is not None:
        return case.partial, "Partially correct"
    if pick == 0:
        return case.right, "Correct"
    return case.wrong, "Incorrect"


def total(points: Sequence[str]) -> str:
    value = round(sum(float(p) for p in points), 2)
    return f"{value:.2f}".rstrip("0").rstrip(".")


@MODES
async def test_every_kind_in_one_quiz_scores_and_reviews_in_points(
    app: Quart, kinds_player: Player, htmx: bool
) -> None:
    attempt_id = await kinds_player.start("every-kind")
    earned: list[str] = []
    possible: list[str] = []
    for number, kind in enumerate(KINDS, start=1):
        given, _verdict = given_in_review(kind, number)
        url = question_url(attempt_id, number)
        card = await kinds_player.get(url, htmx=htmx)
        assert read(await text_of(card)).all("legend") == [case_of(kind).question["text"]]
        response = await post_form(kinds_player, url, given.form, htmx=htmx)
        earned.append(given.points)
        possible.append(case_of(kind).points)
        last = number == len(KINDS)
        if htmx and not last:
            assert (
                score_text(await text_of(response))
                == f"Score: {total(earned)} of {total(possible)}"
            )
        if not htmx:
            assert response.status_code == 303
            if not last:
                page = await text_of(await kinds_player.get(url))
                assert score_text(page) == f"Score: {total(earned)} of {total(possible)}"

    stored = {answer.question_id: answer for answer in await stored_answers(app, attempt_id)}
    assert len(stored) == len(KINDS)
    results = await kinds_player.get(f"/attempts/{attempt_id}/results")
    assert results.status_code == 200
    outline = read(await text_of(results))
    assert f"You scored {total(earned)} of {total(possible)}" in outline.text
    assert outline.all("h3") == [case_of(kind).question["text"] for kind in KINDS]
    items = review_items(await text_of(results))
    assert len(items) == len(KINDS)
    for number, (kind, item) in enumerate(zip(KINDS, items, strict=True), start=1):
        given, verdict = given_in_review(kind, number)
        points = case_of(kind).points
        assert f"{verdict}: {given.points} of {points} {point_word(points)}." in item, item
        assert given.review in item, (kind, item)
    responses = sorted(repr(answer.response) for answer in stored.values())
    expected = sorted(repr(given_in_review(kind, n)[0].response) for n, kind in enumerate(KINDS, 1))
    assert responses == expected


def review_items(html: str) -> list[str]:
    """The text of each review item on the results page, in order."""
    review = html[html.index('<ol class="review">') :]
    parts = review.split('<li class="review-item')[1:]
    return [read("<li " + part.split("</li>\n", 1)[0]).text for part in parts]


# --------------------------------------------------------------------------- as a browser sends it


@pytest.mark.parametrize(
    "answer",
    ["Great  Red Spot", "Great\tRed Spot", "Great\nRed Spot"],
    ids=["spaces", "tab", "newline"],
)
async def test_a_matching_answer_is_accepted_as_a_browser_submits_it(
    app: Quart, answer: str
) -> None:
    """The format keeps a double space, a tab or a line break inside an answer; the select
    must still submit a value the grader accepts for the right match."""
    question = {
        "kind": "matching",
        "text": "Match each planet.",
        "points": 1,
        "pairs": [
            {"prompt": "Saturn", "answer": "Bright rings"},
            {"prompt": "Jupiter", "answer": answer},
        ],
    }
    quiz = {"slug": "spaced", "title": "Spaced", "category": "Kinds", "published": True}
    await seed_v2(app, {**quiz, "questions": [question, FILLER]})
    player = await sign_in(app)
    attempt_id = await player.start("spaced")
    html = await text_of(await player.get(question_url(attempt_id, 1)))
    labels = read(html).labels
    right = {"Saturn": "Bright rings", "Jupiter": " ".join(answer.split())}
    form = []
    for select in (control for control in answer_inputs(html) if control.tag == "select"):
        wanted = right[labels[select.attrs["id"]]]
        value = next(v for v, text, _s in select.options if " ".join(text.split()) == wanted)
        form.append((select.attrs["name"], value))
    response = await post_form(player, question_url(attempt_id, 1), form, htmx=True)
    html = await text_of(response)
    assert response.status_code == 200, controls_of(html).alerts
    assert read(html).all("h2")[:1] == ["Correct"]
