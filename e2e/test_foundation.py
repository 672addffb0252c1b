"""Journey: a visitor lands on the site, with and without JavaScript, by keyboard."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import assert_accessible


def test_home_loads_htmx_from_our_own_origin(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    script_urls: list[str] = []
    page.on(
        "request",
        lambda request: (
            script_urls.append(request.url) if request.resource_type == "script" else None
        ),
    )
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_function("() => typeof window.htmx === 'object'")
    assert script_urls
    assert all(url.startswith(base_url) for url in script_urls), script_urls
    assert console_errors == []


def test_home_and_404_pass_axe(page: Page, axe: Axe) -> None:
    page.goto("/")
    assert_accessible(axe, page)
    page.goto("/no/such/page")
    assert_accessible(axe, page)


def test_unknown_url_is_a_styled_404_with_navigation(page: Page) -> None:
    response = page.goto("/no/such/page")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
    ).to_be_visible()
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.notice-error')).borderLeftStyle"
    )
    assert background == "solid"  # our stylesheet applied


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_pages_work_without_javascript(no_js_page: Page) -> None:
    no_js_page.goto("/")
    expect(no_js_page.get_by_role("heading", level=1)).to_be_visible()
    expect(no_js_page.get_by_role("navigation", name="Main")).to_be_visible()
