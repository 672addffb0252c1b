"""Journey: every kind of htmx form swap under the app's CSP (`style-src 'self'`), with no
refusal in the console: field errors, a failed log-in, the search, the quiz loop, admin search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import RECORD_CSP_VIOLATIONS
from e2e.conftest import Mailbox
from e2e.conftest import log_in_by_keyboard
from e2e.conftest import sign_up


@pytest.fixture
def watched(page: Page, console_errors: list[str]) -> tuple[Page, list[str]]:
    """The page, recording CSP refusals from its first byte, and its console errors."""
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    return page, console_errors


def assert_no_csp_violation(page: Page, console_errors: list[str]) -> None:
    assert page.evaluate("window.__cspViolations") == []
    assert [error for error in console_errors if "Content Security Policy" in error] == []


def wait_for_htmx(page: Page) -> None:
    page.wait_for_function("() => typeof window.htmx === 'object'")


def test_form_swaps_raise_no_csp_violation(
    watched: tuple[Page, list[str]], mailbox: Mailbox
) -> None:
    page, refusals = watched
    # Field errors swapped in place (422), on register and on log-in.
    page.goto("/auth/register")
    wait_for_htmx(page)
    # Inline checks as a field is left: the field is morphed in place.
    page.get_by_label("Username").fill("x")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Email").fill("not-an-email")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert_no_csp_violation(page, refusals)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    page.goto("/auth/login")
    wait_for_htmx(page)
    page.get_by_label("Username or email").fill("nobody_here")
    page.get_by_label("Password").fill("Wrong12345pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_no_csp_violation(page, refusals)

    # The catalog's live search, then the whole quiz loop: answer, next, finish.
    account = sign_up(page, mailbox, prefix="csp")
    log_in_by_keyboard(page, account)
    page.goto("/quizzes")
    wait_for_htmx(page)
    page.get_by_label("Search quizzes").fill("python")
    expect(page.get_by_role("link", name="Python Basics")).to_be_visible()
    page.get_by_role("link", name="Python Basics").click()
    page.get_by_role("button", name="Start quiz").click()
    wait_for_htmx(page)
    for _ in range(2):
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Submit answer").click()
        page.get_by_role("button", name="Next question").click()
    expect(page.get_by_text("Question 3 of 5")).to_be_visible()
    # Back and Forward restore swapped pages from htmx's history.
    page.go_back()
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    page.go_forward()
    expect(page.get_by_text("Question 3 of 5")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish quiz").click()
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    assert_no_csp_violation(page, refusals)


def test_a_swap_keeps_clear_of_style_attributes_put_on_the_old_fields(
    watched: tuple[Page, list[str]],
) -> None:
    """Password managers and other extensions style the fields they fill (through the CSSOM,
    which CSP allows). htmx's settle step copied an old element's `style` attribute onto its
    new twin with setAttribute, which `style-src 'self'` refuses: the console errors seen
    after a failed log-in. Without settling (defaultSettleDelay 0) nothing is copied."""
    page, refusals = watched
    page.goto("/auth/login")
    wait_for_htmx(page)
    page.get_by_label("Username or email").evaluate(
        "field => { field.style.backgroundColor = 'lightyellow'; }"
    )
    page.get_by_label("Username or email").fill("nobody_here")
    page.get_by_label("Password").fill("Wrong12345pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_no_csp_violation(page, refusals)


def test_admin_search_raises_no_csp_violation(watched: tuple[Page, list[str]]) -> None:
    page, refusals = watched
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill("Admin12345")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto("/admin/users")
    wait_for_htmx(page)
    page.get_by_label("Search users").fill("demo")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("1 account"))).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert_no_csp_violation(page, refusals)
