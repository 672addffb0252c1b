"""Journey: the quiz when the browser is not on the happy path: Back mid-quiz, a second tab,
a retake from old results; and the card itself: title, focus, key hints, whole-row targets."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import Mailbox
from e2e.conftest import log_in_by_keyboard
from e2e.conftest import sign_up

QUESTION_URL = re.compile(r"/attempts/(\d+)/questions/(\d+)$")


def start(page: Page, mailbox: Mailbox, slug: str) -> None:
    account = sign_up(page, mailbox, prefix="back")
    log_in_by_keyboard(page, account)
    page.goto(f"/quizzes/{slug}")
    page.get_by_role("button", name="Start quiz").click()
    page.wait_for_function("() => typeof window.htmx === 'object'")


def position_in_url(page: Page) -> int:
    match = QUESTION_URL.search(page.url)
    assert match, page.url
    return int(match.group(2))


def test_back_in_exam_mode_never_answers_another_question_than_the_one_shown(
    page: Page, mailbox: Mailbox
) -> None:
    """Back from question 3 used to show /questions/2 while the card, and its submit, were
    question 3's. Now the address, the card and what gets answered agree."""
    start(page, mailbox, "world-capitals")
    for number in (1, 2):
        expect(page.get_by_text(f"Question {number} of 6")).to_be_visible()
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("Question 3 of 6")).to_be_visible()
    page.go_back()
    # Answers replace the entry: Back leaves the exam (answered questions never come back).
    expect(page).to_have_url(re.compile(r"/quizzes/world-capitals$"))
    page.go_forward()
    expect(page.get_by_text("Question 3 of 6")).to_be_visible()
    assert position_in_url(page) == 3
    action = page.locator("#question-card").get_attribute("action")
    assert action is not None
    assert action.endswith("/questions/3")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("Question 4 of 6")).to_be_visible()
    assert position_in_url(page) == 4


def test_back_in_immediate_mode_shows_the_previous_questions_feedback(
    page: Page, mailbox: Mailbox
) -> None:
    start(page, mailbox, "python-basics")
    for number in (1, 2):
        expect(page.get_by_text(f"Question {number} of 5")).to_be_visible()
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Submit answer").click()
        page.get_by_role("button", name="Next question").click()
    expect(page.get_by_text("Question 3 of 5")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_visible()
    assert position_in_url(page) == 2
    expect(page).to_have_title("Question 2 of 5 · Python Basics · Hyperquiz")
    page.go_back()
    expect(page.get_by_text("Question 1 of 5")).to_be_visible()
    assert position_in_url(page) == 1
    page.go_forward()
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    page.go_forward()
    expect(page.get_by_text("Question 3 of 5")).to_be_visible()
    expect(page.get_by_role("button", name="Submit answer")).to_be_visible()
    assert position_in_url(page) == 3


def test_a_second_tab_is_told_the_question_was_answered(
    page: Page, context: BrowserContext, mailbox: Mailbox
) -> None:
    start(page, mailbox, "python-basics")
    second = context.new_page()
    second.goto(page.url)
    second.wait_for_function("() => typeof window.htmx === 'object'")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_visible()

    second.get_by_role("radio").nth(1).check()
    second.get_by_role("button", name="Submit answer").click()
    expect(second.locator("#messages")).to_contain_text("You already answered this question")
    first_choice = page.locator("#answer-feedback strong").first.inner_text()
    expect(second.locator("#messages")).to_contain_text(f"Your answer: {first_choice}")


def test_retake_from_old_results_offers_the_open_attempt(page: Page, mailbox: Mailbox) -> None:
    start(page, mailbox, "python-basics")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish quiz").click()
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    results = page.url
    page.get_by_role("button", name="Retake quiz").click()
    expect(page.get_by_text("Question 1 of 5")).to_be_visible()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Submit answer").click()
    # The answer is stored before its feedback shows; leaving sooner could cancel it.
    expect(page.locator("#feedback-heading")).to_be_visible()
    page.goto(results)
    expect(
        page.get_by_text(
            re.compile(r"You have an attempt in progress, started .+?, question 2 of 5")
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Retake quiz")).to_have_count(0)
    page.get_by_role("button", name="Resume quiz").click()
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()


def test_the_card_names_the_question_takes_focus_and_has_whole_row_targets(
    page: Page, mailbox: Mailbox
) -> None:
    start(page, mailbox, "python-basics")
    # A full page load into the quiz: focus is on the question, as after every swap.
    expect(page.locator("legend")).to_be_focused()
    expect(page).to_have_title("Question 1 of 5 · Python Basics · Hyperquiz")
    expect(page.get_by_text("Press 1 to 4 to choose an answer")).to_be_visible()
    described = page.locator("fieldset").get_attribute("aria-describedby") or ""
    assert "answer-keys" in described.split()

    row = page.locator(".choice").nth(2)
    box = row.bounding_box()
    assert box is not None
    assert box["height"] >= 24
    page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)  # far right
    expect(page.get_by_role("radio").nth(2)).to_be_checked()

    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_focused()
    page.get_by_role("button", name="Next question").click()
    expect(page.locator("legend")).to_be_focused()
    expect(page).to_have_title("Question 2 of 5 · Python Basics · Hyperquiz")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish quiz").click()
    expect(page).to_have_title("Results: Python Basics · Hyperquiz")
