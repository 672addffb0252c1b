"""Journey: a phone (375 px wide). The header keeps "Log out" beside the other links, and the
admin's user table scrolls inside its own section instead of widening the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import ViewportSize
from playwright.sync_api import expect

# The demo accounts that `hyperquiz seed-demo` creates (web/services/demo.py): a player sees
# five links in the header, the admin six.
PLAYER = ("demo", "Demo12345")
ADMIN = ("admin", "Admin12345")
PHONE = ViewportSize(width=375, height=740)


def log_in_on_a_phone(browser: Browser, base_url: str, account: tuple[str, str]) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, base_url=base_url)
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    yield page
    context.close()


@pytest.fixture(params=[PLAYER, ADMIN], ids=["player", "admin"])
def phone(browser: Browser, base_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone-sized page, logged in."""
    yield from log_in_on_a_phone(browser, base_url, request.param)


@pytest.fixture
def admin_phone(browser: Browser, base_url: str) -> Iterator[Page]:
    yield from log_in_on_a_phone(browser, base_url, ADMIN)


def page_overflow(page: Page) -> int:
    """How many pixels the document is wider than the screen (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_log_out_shares_a_line_with_the_other_links(phone: Page, tmp_path: Path) -> None:
    phone.goto("/dashboard")
    phone.screenshot(path=tmp_path / "header-375.png")
    log_out = phone.get_by_role("button", name="Log out").bounding_box()
    links = phone.get_by_role("navigation", name="Main").get_by_role("link")
    assert log_out is not None
    lines_of_links = {
        round(box["y"])
        for box in (links.nth(i).bounding_box() for i in range(links.count()))
        if box
    }
    # "Log out" sits on a line that also holds a link, not alone below them.
    assert any(abs(log_out["y"] - line) <= 4 for line in lines_of_links), (log_out, lines_of_links)
    assert log_out["x"] + log_out["width"] <= PHONE["width"]
    assert page_overflow(phone) == 0


def test_the_user_table_scrolls_inside_its_section_not_the_page(
    admin_phone: Page, tmp_path: Path
) -> None:
    phone = admin_phone
    phone.goto("/admin/users")
    expect(phone.get_by_role("table")).to_be_visible()
    phone.screenshot(path=tmp_path / "users-375.png", full_page=True)
    assert page_overflow(phone) == 0
    section = phone.locator("#user-table")
    box = section.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]
    # The table itself is wider than the phone; its section is what scrolls sideways.
    widths = section.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] > widths[1]
    section.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    assert section.evaluate("element => element.scrollLeft") > 0
