"""Kinds' editors: each kind's `editor` macro posts back, through its `from_form`, the body
it showed; blank rows are dropped, errors land on their fields, CONTRACT.md's labels hold."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from jinja2 import FileSystemLoader
from jinja2 import PrefixLoader
from werkzeug.datastructures import MultiDict

from web import templating
from web.kinds import KINDS
from web.kinds import numeric
from web.services.drafts import BodyInvalidError
from web.services.drafts import validate_body

COMPONENTS = Path(__file__).resolve().parents[3] / "components"
FILTERS = ("duration", "clock", "ago", "points", "verdict_class")
FILTERS += ("rich_inline", "rich_block", "rich_plain")
ENV = Environment(
    loader=PrefixLoader({"components": FileSystemLoader(COMPONENTS)}), autoescape=True
)
ENV.filters.update({name: getattr(templating, name) for name in FILTERS})

# CONTRACT.md "Authoring" (N from 1), plus the additions the brief names.
LABELS = {
    "single_choice": [
        "Choice {n}",
        "Choice {n} is correct",
        "Choice {n} weight (%)",
        "Choice {n} feedback",
    ],
    "multiple_response": [
        "Choice {n}",
        "Choice {n} is correct",
        "Choice {n} weight (%)",
        "Choice {n} feedback",
        "Scoring",
    ],
    "true_false": ["Correct answer", "Feedback for True", "Feedback for False"],
    "short_answer": [
        "Accepted answer {n}",
        "Accepted answer {n} weight (%)",
        "Accepted answer {n} feedback",
        "Case sensitive",
    ],
    "numeric": [
        "Answer {n} value",
        "Answer {n} tolerance",
        "Answer {n} weight (%)",
        "Answer {n} feedback",
    ],
    "ordering": ["Item {n}", "Scoring"],
    "matching": ["Prompt {n}", "Match for prompt {n}", "Distractor {n}"],
}
BUTTONS = {
    "single_choice": {"choice": "Add choice"},
    "multiple_response": {"choice": "Add choice"},
    "true_false": {},
    "short_answer": {"answer": "Add answer"},
    "numeric": {"answer": "Add answer"},
    "ordering": {"item": "Add item"},
    "matching": {"pair": "Add pair", "distractor": "Add distractor"},
}
# Bodies beyond the starters: every field the editor shows, filled.
FULL_BODIES: list[tuple[str, dict[str, Any]]] = [
    (
        "single_choice",
        {
            "choices": [
                {"id": 4, "text": "Paris", "weight": 100, "feedback": "Yes."},
                {"id": 2, "text": "Lyon", "weight": 33.5, "feedback": "Close <b>enough</b>?"},
                {"id": 9, "text": "Nice & sunny", "weight": -25},
            ]
        },
    ),
    (
        "multiple_response",
        {
            "choices": [
                {"text": "a", "weight": 100},
                {"text": "b", "weight": 100, "feedback": "also"},
                {"text": "c", "weight": -50},
            ],
            "scoring": "all_or_nothing",
        },
    ),
    ("true_false", {"answer": False, "feedback_true": "No.", "feedback_false": "Yes.\nIndeed."}),
    (
        "short_answer",
        {
            "answers": [{"text": "Paris", "feedback": "ok"}, {"text": "par*", "weight": 50}],
            "case_sensitive": True,
        },
    ),
    (
        "numeric",
        {
            "answers": [
                {"value": "3.14", "tolerance": "0.01"},
                {"min": "3", "max": "3.5", "weight": 50, "feedback": "roughly"},
            ]
        },
    ),
    ("ordering", {"items": [{"text": "b"}, {"text": "a"}, {"text": "c"}], "scoring": "partial"}),
    (
        "matching",
        {
            "pairs": [
                {"id": 3, "prompt": "1+1", "answer": "2"},
                {"id": 1, "prompt": "2+2", "answer": "4"},
            ],
            "distractors": ["5", "six"],
        },
    ),
]


class Page(HTMLParser):
    """What a browser would submit (no button pressed), and what assistive tech reads:
    labels, ids, aria-invalid and aria-describedby."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}  # for → text
        self.controls: dict[str, dict[str, str]] = {}  # id → attributes
        self.texts: dict[str, str] = {}  # id → text of a message element
        self.ids: list[str] = []
        self.buttons: list[tuple[str, str, str]] = []  # (name, value, text)
        self.legends: list[str] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._open: list[tuple[str, str, dict[str, str]]] = []  # (tag, key, attrs) capturing text
        self._captured: dict[int, list[str]] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        assert "style" not in attributes, f"inline style on {tag}"
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls[attributes["id"]] = {**attributes, "tag": tag}
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind == "checkbox":
                if "checked" in attributes:
                    self.fields.append((attributes["name"], attributes.get("value", "on")))
            else:
                self.fields.append((attributes["name"], attributes.get("value", "")))
        elif tag == "select":
            self._select = (attributes["name"], [])
        elif tag == "option" and self._select:
            self._select[1].append((attributes.get("value", ""), "selected" in attributes))
        if tag in ("label", "textarea", "p", "legend", "button"):
            self._open.append((tag, attributes.get("for") or attributes.get("id", ""), attributes))

    def handle_data(self, data: str) -> None:
        for index in range(len(self._open)):
            self._captured.setdefault(index, []).append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [options[0][0]]
            self.fields.append((name, chosen[-1]))
            self._select = None
        if self._open and self._open[-1][0] == tag:
            _, key, attributes = self._open.pop()
            text = "".join(self._captured.pop(len(self._open), []))
            if tag == "label":
                self.labels[key] = " ".join(text.split())
            elif tag == "textarea":
                self.fields.append((attributes["name"], text))
            elif tag == "legend":
                self.legends.append(" ".join(text.split()))
            elif tag == "button":
                self.buttons.append((attributes.get("name", ""), attributes.get("value", ""), text))
            elif key:
                self.texts[key] = text

    def form(self) -> MultiDict[str, str]:
        return MultiDict(self.fields)

    def control(self, label: str) -> dict[str, str]:
        ids = [key for key, text in self.labels.items() if text == label]
        assert len(ids) == 1, f"{label!r} labels {len(ids)} controls"
        return self.controls[ids[0]]

    def messages(self, control: dict[str, str]) -> list[str]:
        return [self.texts.get(key, "") for key in control.get("aria-describedby", "").split()]


def render(
    kind: str, body: dict[str, Any], errors: dict[str, str] | None = None, **kw: Any
) -> Page:
    module = ENV.get_template(f"components/kinds/{kind}.html").module
    return Page(str(module.editor(12, body, errors or {}, **kw)))  # type: ignore[attr-defined]


def editable(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """A body as the page passes it: validated and stored, then through editor_body."""
    return KINDS[kind].editor_body(validate_body(kind, raw))


def refused(kind: str, form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    raw = KINDS[kind].from_form(form)
    with pytest.raises(BodyInvalidError) as caught:
        validate_body(kind, raw)
    return raw, caught.value.errors


@pytest.mark.parametrize("kind", KINDS)
def test_the_starter_goes_round_the_editor(kind: str) -> None:
    stored = validate_body(kind, KINDS[kind].starter)
    page = render(kind, editable(kind, KINDS[kind].starter))
    assert validate_body(kind, KINDS[kind].from_form(page.form())) == stored


@pytest.mark.parametrize(("kind", "raw"), FULL_BODIES, ids=[kind for kind, _ in FULL_BODIES])
def test_every_field_goes_round_the_editor(kind: str, raw: dict[str, Any]) -> None:
    stored = validate_body(kind, raw)
    again = validate_body(kind, KINDS[kind].from_form(render(kind, editable(kind, raw)).form()))
    if kind == "numeric":  # a range comes back as value ± tolerance: the same numbers
        shown = again["answers"][1]
        assert (shown["value"], shown["tolerance"], shown["min"], shown["max"]) == (
            "3.25",
            "0.25",
            None,
            None,
        )
        shown |= {"value": None, "tolerance": "0", "min": "3", "max": "3.5"}
    assert again == stored
    # after a refused save the page renders from_form's output: the same fields again
    page = render(kind, editable(kind, raw))
    twice = render(kind, KINDS[kind].from_form(page.form()))
    assert sorted(twice.fields) == sorted(page.fields)


def test_a_range_is_shown_as_exactly_the_same_numbers() -> None:
    raw = {"answers": [{"min": "0.1", "max": "0.30000000000001"}]}
    shown = editable("numeric", raw)["answers"][0]
    assert "min" not in shown
    assert "max" not in shown
    value, tolerance = Decimal(shown["value"]), Decimal(shown["tolerance"])
    assert (value - tolerance, value + tolerance) == (
        Decimal("0.1"),
        Decimal(raw["answers"][0]["max"]),
    )
    body = numeric.Body.model_validate(
        KINDS["numeric"].from_form(render("numeric", {"answers": [shown]}).form())
    )
    assert body.answers[0].accepts(Decimal("0.1"))
    assert body.answers[0].accepts(Decimal(raw["answers"][0]["max"]))
    assert not body.answers[0].accepts(Decimal("0.0999999999999"))


@pytest.mark.parametrize("kind", KINDS)
def test_labels_are_contracts_and_every_control_has_one(kind: str) -> None:
    adds = BUTTONS[kind]
    add = list(adds)[-1] if adds else None  # matching: the starter has pairs, no distractor
    page = render(kind, editable(kind, KINDS[kind].starter), add=add)
    for label in LABELS[kind]:
        for n in (1, 2) if "{n}" in label else (1,):
            if kind == "matching" and label == "Distractor {n}" and n == 2:
                continue  # the added row is distractor 1
            page.control(label.format(n=n))
    assert set(page.controls) <= set(page.labels), "a control without a label"
    assert len(page.ids) == len(set(page.ids)), "ids repeat"
    assert [(name, value, text) for name, value, text in page.buttons] == [
        ("add", value, text) for value, text in adds.items()
    ]
    assert all(
        not control.get("required") and "required" not in control
        for control in page.controls.values()
    )


def test_two_editors_on_one_page_share_no_id() -> None:
    body = editable("single_choice", KINDS["single_choice"].starter)
    module = ENV.get_template("components/kinds/single_choice.html").module
    html = str(module.editor(1, body, {"choices": "x"})) + str(
        module.editor(2, body, {"choices": "x"})
    )  # type: ignore[attr-defined]
    ids = Page(html).ids
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("kind", "add"), [(k, a) for k in KINDS for a in BUTTONS[k]])
def test_add_shows_one_empty_row_and_a_blank_row_is_dropped(kind: str, add: str) -> None:
    body = editable(kind, KINDS[kind].starter)
    before, after = render(kind, body), render(kind, body, add=add)
    new = [field for field in after.fields if field not in before.fields]
    assert new
    assert all(value == "" for _, value in new)
    assert {name.split("-")[1] for name, _ in new} == {str(_count(before, add) + 1)}
    assert KINDS[kind].from_form(after.form()) == KINDS[kind].from_form(before.form())


def _count(page: Page, add: str) -> int:
    return len({name.split("-")[1] for name, _ in page.fields if name.startswith(f"{add}-")})


def _rows(*rows: dict[str, str], row: str = "choice") -> MultiDict[str, str]:
    return MultiDict(
        [
            (f"{row}-{n}-{key}", value)
            for n, fields in enumerate(rows, 1)
            for key, value in fields.items()
        ]
    )


def test_no_correct_choice_is_refused_above_the_rows_with_what_was_typed() -> None:
    form = _rows(
        {"id": "1", "text": "Paris", "weight": "50"}, {"id": "2", "text": "Lyon ", "weight": ""}
    )
    raw, errors = refused("single_choice", form)
    assert errors == {"choices": "needs one choice worth 100%"}
    page = render("single_choice", raw, errors)
    first = page.control("Choice 1")
    assert first["aria-invalid"] == "true"
    assert page.messages(first) == ["Choices: needs one choice worth 100%"]
    assert "aria-invalid" not in page.control("Choice 2")
    assert page.control("Choice 1 weight (%)")["value"] == "50"
    assert page.control("Choice 2")["value"] == "Lyon "


def test_a_bad_weight_is_marked_on_its_field() -> None:
    form = _rows({"text": "a", "correct": "on"}, {"text": "b", "weight": "lots"})
    raw, errors = refused("single_choice", form)
    assert errors == {"choices[1].weight": "must be a number"}
    page = render("single_choice", raw, errors)
    field = page.control("Choice 2 weight (%)")
    assert (field["aria-invalid"], field["value"]) == ("true", "lots")
    assert "must be a number" in page.messages(field)
    assert "checked" in page.control("Choice 1 is correct")


def test_a_tolerance_that_is_no_number_is_marked_on_its_field() -> None:
    form = _rows(
        {"value": "3,14", "tolerance": "a bit", "weight": "", "feedback": ""}, row="answer"
    )
    raw, errors = refused("numeric", form)
    assert set(errors) == {"answers[0].tolerance"}
    page = render("numeric", raw, errors)
    field = page.control("Answer 1 tolerance")
    assert (field["aria-invalid"], field["value"]) == ("true", "a bit")
    assert errors["answers[0].tolerance"] in page.messages(field)
    assert page.control("Answer 1 value")["value"] == "3.14"
    assert "aria-invalid" not in page.control("Answer 1 value")


def test_duplicate_prompts_are_refused_above_the_pairs() -> None:
    form = _rows(
        {"id": "1", "prompt": "Same", "answer": "x"},
        {"id": "2", "prompt": "Same", "answer": "y"},
        row="pair",
    )
    raw, errors = refused("matching", form)
    page = render("matching", raw, errors)
    first = page.control("Prompt 1")
    assert first["aria-invalid"] == "true"
    assert page.messages(first) == ["Pairs: each prompt must be different"]
    assert page.control("Prompt 2")["value"] == "Same"


def test_a_missing_item_text_is_marked_and_a_blank_item_dropped() -> None:
    form = _rows(
        {"id": "1", "text": "a"}, {"id": "2", "text": "   "}, {"id": "3", "text": "c"}, row="item"
    )
    assert KINDS["ordering"].from_form(form)["items"] == [
        {"id": 1, "text": "a"},
        {"id": 3, "text": "c"},
    ]
    refused_raw = {"items": [{"id": 1, "text": "a"}, {"id": 2, "text": ""}]}
    with pytest.raises(BodyInvalidError) as caught:
        validate_body("ordering", refused_raw)
    page = render("ordering", refused_raw, caught.value.errors)
    assert page.control("Item 2")["aria-invalid"] == "true"
    assert page.messages(page.control("Item 2")) == ["must not be empty"]


@pytest.mark.parametrize(
    ("kind", "form", "path", "weight"),
    [
        (
            "single_choice",
            _rows({"text": "a", "weight": "100"}, {"text": "b", "weight": "33,5"}),
            "choices",
            33.5,
        ),
        (
            "multiple_response",
            _rows({"text": "a", "weight": "66,5"}, {"text": "b", "weight": "33.5"}),
            "choices",
            66.5,
        ),
        (
            "short_answer",
            _rows({"text": "a"}, {"text": "b", "weight": " 33,5 "}, row="answer"),
            "answers",
            33.5,
        ),
        (
            "numeric",
            _rows({"value": "1"}, {"value": "2", "weight": "33,5"}, row="answer"),
            "answers",
            33.5,
        ),
    ],
)
def test_weights_take_a_decimal_comma(
    kind: str, form: MultiDict[str, str], path: str, weight: float
) -> None:
    body = validate_body(kind, KINDS[kind].from_form(form))
    assert weight in [row["weight"] for row in body[path]]


def test_a_ticked_choice_without_weight_is_worth_full_marks() -> None:
    form = _rows({"text": "a", "correct": "on"}, {"text": "b", "weight": ""})
    assert [
        c["weight"]
        for c in validate_body("single_choice", KINDS["single_choice"].from_form(form))["choices"]
    ] == [100, 0]


def test_new_rows_get_ids_after_every_id_sent() -> None:
    form = _rows(
        {"id": "2", "text": "a", "correct": "on"}, {"id": "7", "text": ""}, {"text": "new"}
    )
    assert [c["id"] for c in KINDS["single_choice"].from_form(form)["choices"]] == [2, 8]
    unnumbered = _rows({"text": "a", "correct": "on"}, {"text": "b"})
    assert [
        c["id"]
        for c in validate_body("single_choice", KINDS["single_choice"].from_form(unnumbered))[
            "choices"
        ]
    ] == [1, 2]


def test_true_false_and_case_sensitivity_keep_what_was_chosen() -> None:
    assert (
        KINDS["true_false"].from_form(MultiDict([("correct-answer", "false")]))["answer"] is False
    )
    assert (
        KINDS["true_false"].from_form(MultiDict([("correct-answer", "maybe")]))["answer"] == "maybe"
    )
    raw = KINDS["short_answer"].from_form(MultiDict([("answer-1-text", "x")]))
    assert raw["case_sensitive"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_every_component_documents_and_defines_its_editor(kind: str) -> None:
    text = (COMPONENTS / "kinds" / f"{kind}.html").read_text(encoding="utf-8")
    header = text.split("-#}", 1)[0]
    assert "editor(question_id, body, errors, add=None)" in header
    assert "{% macro editor(question_id, body, errors, add=None)" in text
    assert "|safe" not in text
