"""Journey: take whole quizzes by keyboard (no page load from first question to results),
without JavaScript, and against the clock."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import BIN
from e2e.conftest import ROOT
from e2e.conftest import Mailbox
from e2e.conftest import assert_accessible
from e2e.conftest import log_in_by_keyboard
from e2e.conftest import sign_up
from e2e.conftest import tab_to

SHORT_LIMIT_SECONDS = 3


def mark_page(page: Page) -> None:
    """A flag that lives only as long as this document: a full page load would erase it."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "a full page load happened"


def open_quiz_by_keyboard(page: Page, title: str) -> None:
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Quizzes", exact=True)).to_be_visible()
    tab_to(page, page.get_by_role("link", name=title, exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def score_panel(page: Page):
    return page.get_by_role("status", name="Score")


def test_immediate_feedback_quiz_by_keyboard(page: Page, mailbox: Mailbox, axe: Axe) -> None:
    account = sign_up(page, mailbox)
    log_in_by_keyboard(page, account)
    assert_accessible(axe, page)  # dashboard
    open_quiz_by_keyboard(page, "Python Basics")
    assert_accessible(axe, page)  # quiz page
    tab_to(page, page.get_by_role("button", name="Start quiz"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Question 1 of 5")).to_be_visible()
    expect(score_panel(page)).to_have_text("No answers yet")
    page.wait_for_function("() => typeof window.htmx === 'object'")
    assert_accessible(axe, page)  # question card
    mark_page(page)

    correct = 0
    for number in range(1, 6):
        expect(page.get_by_text(f"Question {number} of 5")).to_be_visible()
        # Keys pick the answer: the second choice this time, to vary which one is right.
        page.keyboard.press("2")
        expect(page.get_by_role("radio").nth(1)).to_be_checked()
        page.keyboard.press("Enter")
        verdict = page.locator("#feedback-heading")
        expect(verdict).to_be_focused()
        correct += verdict.inner_text() == "Correct"
        expect(score_panel(page)).to_contain_text(f"Score: {correct} of {number}")
        if number == 1:
            assert_accessible(axe, page)  # feedback
        page.keyboard.press("Enter")  # "Next question", or "See results" after the last
        if number < 5:
            expect(page.locator("legend")).to_be_focused()

    results = page.get_by_role("heading", name=re.compile("Results"))
    expect(results).to_be_focused()
    expect(page.get_by_text(f"You scored {correct} of 5")).to_be_visible()
    assert page.url.endswith("/results")
    assert_same_document(page)
    assert_accessible(axe, page)  # results

    page.goto("/dashboard")
    stats = page.locator("dl.stats")
    expect(stats).to_contain_text(re.compile(r"Attempts\s*1\b"))
    expect(stats).to_contain_text(re.compile(rf"Best score\s*{round(100 * correct / 5)}%"))
    assert_accessible(axe, page)


def test_exam_mode_quiz_by_keyboard(page: Page, mailbox: Mailbox) -> None:
    account = sign_up(page, mailbox)
    log_in_by_keyboard(page, account)
    open_quiz_by_keyboard(page, "World Capitals")
    tab_to(page, page.get_by_role("button", name="Start quiz"))
    page.keyboard.press("Enter")
    expect(score_panel(page)).to_have_text("No answers yet")
    page.wait_for_function("() => typeof window.htmx === 'object'")
    mark_page(page)
    for number in range(1, 7):
        expect(page.get_by_text(f"Question {number} of 6")).to_be_visible()
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        if number < 6:
            expect(page.get_by_text(f"Question {number + 1} of 6")).to_be_visible()
            expect(page.locator("legend")).to_be_focused()
            expect(score_panel(page)).to_contain_text(f"Answered: {number} of 6")
            expect(page.get_by_text(re.compile("^(Correct|Incorrect)$"))).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_focused()
    expect(page.get_by_text(re.compile(r"You scored \d of 6"))).to_be_visible()
    assert_same_document(page)


def test_whole_quiz_without_javascript(no_js_page: Page, mailbox: Mailbox) -> None:
    page = no_js_page
    account = sign_up(page, mailbox, prefix="plain")
    page.get_by_label("Username or email").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    page.goto("/quizzes")
    page.get_by_label("Search quizzes").fill("python")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Python Basics").click()
    page.get_by_role("button", name="Start quiz").click()
    for number in range(1, 6):
        expect(page.get_by_text(f"Question {number} of 5")).to_be_visible()
        # The keys need app.js: without it, no hint offers them.
        expect(page.get_by_text("Press 1 to")).to_be_hidden()
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Submit answer").click()
        expect(
            page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))
        ).to_be_visible()
        expect(page.get_by_text("Press Enter here")).to_be_hidden()
        expect(page.get_by_role("status", name="Score")).to_contain_text(f"of {number}")
        next_name = "Next question" if number < 5 else "See results"
        page.get_by_role("button", name=next_name).click()
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"You scored \d of 5"))).to_be_visible()


def test_catalog_search_follows_typing_and_keeps_the_url(page: Page) -> None:
    page.goto("/quizzes")
    page.wait_for_function("() => typeof window.htmx === 'object'")
    mark_page(page)
    search = page.get_by_label("Search quizzes")
    search.press_sequentially("capitals", delay=30)
    expect(page.get_by_role("link", name="World Capitals")).to_be_visible()
    expect(page.get_by_role("link", name="Python Basics")).to_have_count(0)
    expect(search).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(re.compile(r"1 quiz\s+matching"))
    expect(page).to_have_url(re.compile(r"q=capitals"))
    assert_same_document(page)
    page.reload()
    expect(page.get_by_label("Search quizzes")).to_have_value("capitals")
    expect(page.get_by_role("link", name="Python Basics")).to_have_count(0)


@pytest.fixture(scope="session")
def short_quiz(live_server: str, server_env: dict[str, str], tmp_path_factory) -> str:
    document = {
        "quizzes": [
            {
                "slug": "blink",
                "title": "Blink Quiz",
                "category": "Testing",
                "time_limit_seconds": SHORT_LIMIT_SECONDS,
                "published": True,
                "questions": [
                    {
                        "text": f"Question number {n}?",
                        "explanation": "Any answer will do.",
                        "choices": [
                            {"text": "Yes", "correct": True},
                            {"text": "No", "correct": False},
                        ],
                    }
                    for n in range(1, 4)
                ],
            }
        ]
    }
    path: Path = tmp_path_factory.mktemp("quiz") / "blink.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    subprocess.run(
        [str(BIN / "hyperquiz"), "import", str(path)],
        env=server_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return "Blink Quiz"


def test_timed_quiz_finishes_itself_at_the_deadline(
    page: Page, mailbox: Mailbox, short_quiz: str
) -> None:
    account = sign_up(page, mailbox, prefix="timed")
    log_in_by_keyboard(page, account)
    page.goto("/quizzes/blink")
    page.get_by_role("button", name="Start quiz").click()
    expect(page.get_by_text("Time left:")).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status", name="Score")).to_contain_text("Score: 1 of 1")
    # Nobody touches anything: the page itself moves on once the server's deadline has passed.
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible(timeout=15_000)
    expect(page.get_by_text("You scored 1 of 3")).to_be_visible()
    expect(page.get_by_text("Time is up")).to_be_visible()


def test_a_late_htmx_answer_says_time_is_up(page: Page, mailbox: Mailbox, short_quiz: str) -> None:
    """The answer leaves after the deadline (the countdown is stopped so it cannot go first):
    the htmx refusal lands on the results, which say why."""
    account = sign_up(page, mailbox, prefix="late")
    log_in_by_keyboard(page, account)
    page.goto("/quizzes/blink")
    page.get_by_role("button", name="Start quiz").click()
    page.wait_for_function("() => typeof window.htmx === 'object'")
    page.evaluate("document.querySelector('.countdown').remove()")
    page.wait_for_timeout((SHORT_LIMIT_SECONDS + 3) * 1000)  # the limit and the server's grace
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    expect(page.get_by_text("Time is up")).to_be_visible()
