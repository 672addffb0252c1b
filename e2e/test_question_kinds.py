"""Journey: one quiz holding every question kind (the demo's Solar System quiz), taken by
keyboard alone with htmx (no page load from the first question to the results) and again
with JavaScript off; axe on every kind's card, feedback and review."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import Mailbox
from e2e.conftest import assert_accessible
from e2e.conftest import log_in_by_keyboard
from e2e.conftest import sign_up
from e2e.conftest import tab_to
from e2e.test_quiz import assert_same_document
from e2e.test_quiz import mark_page
from e2e.test_quiz import score_panel

TITLE = "The Solar System: every kind of question"
TOTAL = 8
POSSIBLE = "12"
ORDER = {"Mercury": "1", "Venus": "2", "Earth": "4", "Mars": "3"}  # two of four in place
MATCHES = {"Saturn": "Bright rings", "Jupiter": "Great Red Spot", "Uranus": "Liquid water oceans"}


@dataclass(frozen=True)
class Step:
    """One question: how to answer it, then the verdict, points and running score expected."""

    answer: Callable[[Page], None]
    verdict: str
    earned: str
    score: str


def _card(page: Page):
    return page.locator("#question-card")


def _press_keys(*keys: str) -> Callable[[Page], None]:
    def answer(page: Page) -> None:
        for key in keys:
            page.keyboard.press(key)
        page.keyboard.press("Enter")  # focus is on the last radio or checkbox picked

    return answer


def _type_in_answer(text: str) -> Callable[[Page], None]:
    def answer(page: Page) -> None:
        field = page.get_by_label("Your answer")
        tab_to(page, field)
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(text)
        page.keyboard.press("Enter")

    return answer


def _select_by_keyboard(page: Page, choices: dict[str, str], label: Callable[[str], str]) -> None:
    for name, option in choices.items():
        select = page.get_by_label(label(name), exact=True)
        tab_to(page, select)
        page.keyboard.type(option)
        expect(select).to_have_value(option) if option.isdigit() else expect(
            select.locator("option:checked")
        ).to_have_text(option)
    tab_to(page, page.get_by_role("button", name="Submit answer"))
    page.keyboard.press("Enter")


def _order_by_keyboard(page: Page) -> None:
    # First every item at 1: refused in place (422), nothing stored, the choices kept.
    _select_by_keyboard(page, dict.fromkeys(ORDER, "1"), lambda item: f"Position of {item}")
    expect(_card(page).get_by_role("alert")).to_contain_text("Position 1 is given to more")
    expect(page.get_by_label("Position of Mars")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Position of Mars")).to_have_value("1")
    expect(page.locator("legend")).to_be_focused()
    _select_by_keyboard(page, ORDER, lambda item: f"Position of {item}")


def _match_by_keyboard(page: Page) -> None:
    _select_by_keyboard(page, MATCHES, lambda prompt: prompt)


def _numeric_with_a_typo(page: Page) -> None:
    _type_in_answer("eight")(page)  # not a number: a field error, not a wrong answer
    field = page.get_by_label("Your answer")
    expect(_card(page).get_by_role("alert")).to_contain_text("Enter a number")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("eight")
    _type_in_answer("9")(page)  # worth half: Pluto no longer counts


def _checkboxes(page: Page) -> None:
    page.keyboard.press("3")  # toggles Mars on ...
    expect(page.get_by_role("checkbox", name="Mars")).to_be_checked()
    page.keyboard.press("3")  # ... and off again
    expect(page.get_by_role("checkbox", name="Mars")).not_to_be_checked()
    _press_keys("1", "2")(page)


KEYBOARD_STEPS = (
    Step(_press_keys("1"), "Correct", "You earned 1 of 1 point", "Score: 1 of 1"),
    Step(_checkboxes, "Correct", "You earned 2 of 2 points", "Score: 3 of 3"),
    Step(_press_keys("2"), "Incorrect", "You earned 0 of 1 point", "Score: 3 of 4"),
    Step(_type_in_answer("  TITAN "), "Correct", "You earned 1 of 1 point", "Score: 4 of 5"),
    Step(_numeric_with_a_typo, "Partially correct", "You earned 0.5 of 1 point", "Score: 4.5 of 6"),
    Step(_type_in_answer("1,88"), "Correct", "You earned 1 of 1 point", "Score: 5.5 of 7"),
    Step(_order_by_keyboard, "Partially correct", "You earned 1 of 2 points", "Score: 6.5 of 9"),
    Step(_match_by_keyboard, "Partially correct", "You earned 2 of 3 points", "Score: 8.5 of 12"),
)


def _open_by_search(page: Page) -> None:
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Search quizzes"))
    page.keyboard.type("every kind")
    link = page.get_by_role("link", name=TITLE, exact=True)
    expect(link).to_be_visible()
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()


def test_every_kind_by_keyboard_in_one_document(page: Page, mailbox: Mailbox, axe: Axe) -> None:
    account = sign_up(page, mailbox, prefix="kinds")
    log_in_by_keyboard(page, account)
    _open_by_search(page)
    tab_to(page, page.get_by_role("button", name="Start quiz"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => typeof window.htmx === 'object'")
    expect(score_panel(page)).to_have_text("No answers yet")
    mark_page(page)

    for number, step in enumerate(KEYBOARD_STEPS, start=1):
        expect(page.get_by_text(f"Question {number} of {TOTAL}")).to_be_visible()
        expect(page.locator("legend")).to_be_focused()
        assert_accessible(axe, page)  # this kind's card
        step.answer(page)
        verdict = page.locator("#feedback-heading")
        expect(verdict).to_have_text(step.verdict)
        expect(verdict).to_be_focused()
        expect(page.get_by_text(step.earned, exact=True)).to_be_visible()
        expect(score_panel(page)).to_contain_text(step.score)
        assert_accessible(axe, page)  # this kind's feedback
        page.keyboard.press("Enter")  # "Next question", or "See results" after the last

    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_focused()
    expect(page.get_by_text(f"You scored 8.5 of {POSSIBLE} (71%).")).to_be_visible()
    review = page.locator("ol.review > li")
    expect(review).to_have_count(TOTAL)
    expect(review.nth(4)).to_contain_text("Partially correct: 0.5 of 1 point.")
    expect(review.nth(7)).to_contain_text("Correct answer: Spins on its side")
    assert_same_document(page)
    assert_accessible(axe, page)  # every kind's review


def test_every_kind_without_javascript(no_js_page: Page, mailbox: Mailbox) -> None:
    page = no_js_page
    account = sign_up(page, mailbox, prefix="plainkinds")
    page.get_by_label("Username or email").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    page.goto("/quizzes?q=every+kind")
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_role("button", name="Start quiz").click()

    def submit() -> None:
        page.get_by_role("button", name="Submit answer").click()

    answers: list[Callable[[], None]] = [
        lambda: page.get_by_role("radio", name="Venus").check(),
        lambda: (
            page.get_by_role("checkbox", name="Jupiter").check(),
            page.get_by_role("checkbox", name="Mars").check(),
        ),
        lambda: page.get_by_role("radio", name="True").check(),
        lambda: page.get_by_label("Your answer").fill("Ganymede"),
        lambda: page.get_by_label("Your answer").fill("8"),
        lambda: page.get_by_label("Your answer").fill("2"),
        lambda: [
            page.get_by_label(f"Position of {item}").select_option(str(n))
            for n, item in enumerate(ORDER, start=1)
        ],
        lambda: [
            page.get_by_label(prompt, exact=True).select_option(label=answer)
            for prompt, answer in (
                ("Saturn", "Bright rings"),
                ("Jupiter", "Great Red Spot"),
                ("Uranus", "Spins on its side"),
            )
        ],
    ]
    verdicts = [
        "Incorrect",
        "Incorrect",
        "Correct",
        "Incorrect",
        "Correct",
        "Incorrect",
        "Correct",
        "Correct",
    ]
    for number, (answer, verdict) in enumerate(zip(answers, verdicts, strict=True), start=1):
        expect(page.get_by_text(f"Question {number} of {TOTAL}")).to_be_visible()
        expect(page.get_by_text("Press 1 to")).to_be_hidden()
        if number == 2:  # checkboxes cannot be `required`: the server refuses none ticked
            submit()
            expect(page.get_by_role("alert")).to_have_text(
                "Choose at least one answer, then submit."
            )
        answer()
        submit()
        expect(page.get_by_role("heading", name=verdict, exact=True)).to_be_visible()
        next_name = "Next question" if number < TOTAL else "See results"
        page.get_by_role("button", name=next_name).click()
    # 0 + 0 (Jupiter 50% + Mars -50%) + 1 + 0 + 1 + 0 + 2 + 3
    expect(page.get_by_text(f"You scored 7 of {POSSIBLE} (58%).")).to_be_visible()
    expect(page.get_by_text("Ganymede is Jupiter's largest moon.")).to_be_visible()
