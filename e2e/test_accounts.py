"""Journey: a newcomer registers, verifies by email, logs in and out (keyboard only; no JS)."""

from __future__ import annotations

import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import Mailbox
from e2e.conftest import assert_accessible
from e2e.conftest import tab_to
from web.forms.accounts import USERNAME_RULE

PASSWORD = "Keyb0ardOnly"


def unique(prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    return name, f"{name}@example.com"


def verify_by_keyboard(page: Page, link: str, axe: Axe) -> None:
    """Open the mailed link, press its button; opened again, it says it is done."""
    page.goto(link)  # opening the link verifies nothing: a mail scanner would do as much
    expect(page.get_by_role("heading", name="Verify your email")).to_be_visible()
    assert_accessible(axe, page)
    tab_to(page, page.get_by_role("button", name="Verify email"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your email is verified")

    page.goto(link)
    expect(page.get_by_role("heading", name="Email already verified")).to_be_visible()
    expect(page.get_by_text("Your email address is already verified.")).to_be_visible()
    assert_accessible(axe, page)
    tab_to(page, page.get_by_role("link", name="Log in").last)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_keyboard_only_register_verify_login_logout(page: Page, mailbox: Mailbox, axe: Axe) -> None:
    username, email = unique("kb")
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Register"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.wait_for_function("() => typeof window.htmx === 'object'")

    # Inline validation: leaving a bad username swaps its error in place; focus moves on as usual.
    username_field = page.get_by_label("Username")
    tab_to(page, username_field)
    page.keyboard.type("ab")
    page.keyboard.press("Tab")
    expect(page.locator("#field-username-error")).to_have_text(f"Use {USERNAME_RULE}")
    expect(username_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(f"Username: Use {USERNAME_RULE}")
    assert_accessible(axe, page)

    page.keyboard.press("Shift+Tab")
    expect(username_field).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(username_field).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("We sent a verification link")
    assert_accessible(axe, page)

    verify_by_keyboard(page, mailbox.link(email, "Verify your email"), axe)
    tab_to(page, page.get_by_label("Username or email"))
    page.keyboard.type(email.upper())
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hello, {username}")).to_be_visible()
    expect(page.get_by_text("Verify your email")).to_have_count(0)
    assert_accessible(axe, page)

    tab_to(page, page.get_by_role("button", name="Log out"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You have been logged out")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_failed_login_shows_a_focused_error_summary(page: Page, axe: Axe) -> None:
    page.goto("/auth/login")
    page.wait_for_function("() => typeof window.htmx === 'object'")
    page.get_by_label("Username or email").fill("nobody_here")
    page.get_by_label("Password").fill("Wrong1234")
    page.get_by_role("button", name="Log in").click()
    summary = page.get_by_role("heading", name="There is a problem")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Username or email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Invalid username/email or password.")
    assert page.url.endswith("/auth/login")
    assert_accessible(axe, page)


def test_forgot_password_pages_pass_axe(page: Page, axe: Axe) -> None:
    page.goto("/auth/forgot-password")
    expect(page.get_by_label("Email")).to_be_visible()
    expect(page.get_by_role("button", name="Send reset link")).to_be_visible()
    assert_accessible(axe, page)


def test_register_verify_login_without_javascript(no_js_page: Page, mailbox: Mailbox) -> None:
    page = no_js_page
    username, email = unique("nojs")
    page.goto("/auth/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid email address")
    expect(page.get_by_label("Username")).to_have_value(username)

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.goto(mailbox.link(email, "Verify your email"))
    page.get_by_role("button", name="Verify email").click()
    expect(page.get_by_role("status")).to_contain_text("Your email is verified")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("checkbox", name="Remember me").check()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Hello, {username}")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Register")).to_be_visible()
