"""Journey: find a quiz in the catalog: search without caring for accents, filter by
category, and page through the results, with JavaScript and without."""

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
from e2e.conftest import assert_accessible
from web.services.catalog import PAGE_SIZE

CATEGORY = "Trivia"  # sorts after the demo's categories: their quizzes stay on page 1
COUNT = PAGE_SIZE + 2
ACCENTED = ("Café Culture", "École Française", "Åland Islands")


def _quiz(slug: str, title: str, category: str) -> dict[str, object]:
    return {
        "slug": slug,
        "title": title,
        "category": category,
        "published": True,
        "questions": [
            {
                "text": "Pick the first answer.",
                "choices": [
                    {"text": "First", "correct": True},
                    {"text": "Second", "correct": False},
                ],
            }
        ],
    }


@pytest.fixture(scope="session")
def catalog_quizzes(
    live_server: str, server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """More quizzes than a page holds in one category, and titles with accents, imported by
    the CLI as an operator would."""
    quizzes = [_quiz(f"trivia-{n:02d}", f"Trivia {n:02d}", CATEGORY) for n in range(1, COUNT + 1)]
    quizzes += [_quiz(f"travel-{n}", title, "Travel") for n, title in enumerate(ACCENTED)]
    path: Path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    path.write_text(json.dumps({"quizzes": quizzes}), encoding="utf-8")
    subprocess.run(
        [str(BIN / "hyperquiz"), "import", str(path)],
        env=server_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def results_heading(page: Page, name: str):
    return page.get_by_role("heading", name=name, exact=True)


def wait_for_htmx(page: Page) -> None:
    page.wait_for_function("() => typeof window.htmx === 'object'")


@pytest.mark.usefixtures("catalog_quizzes")
@pytest.mark.parametrize(
    ("typed", "title"),
    [("cafe", "Café Culture"), ("Ecole", "École Française"), ("aland", ACCENTED[2])],
)
def test_search_ignores_accents(page: Page, axe: Axe, typed: str, title: str) -> None:
    page.goto("/quizzes")
    wait_for_htmx(page)
    page.get_by_label("Search quizzes").press_sequentially(typed, delay=30)
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(results_heading(page, f"1 quiz matching “{typed}”")).to_be_visible()
    assert_accessible(axe, page)


@pytest.mark.usefixtures("catalog_quizzes")
def test_paging_keeps_the_category_with_htmx(page: Page, axe: Axe) -> None:
    """Filter, then Next and Previous page: one document, the select keeps the category,
    focus lands on the count's heading, and the URL follows so reload and Back work."""
    page.goto("/quizzes")
    wait_for_htmx(page)
    page.evaluate("window.__sameDocument = true")
    category = page.get_by_label("Category")
    category.select_option(CATEGORY)
    expect(results_heading(page, f"{COUNT} quizzes in {CATEGORY}, page 1 of 2")).to_be_visible()
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
    page.get_by_role("link", name="Next page").click()
    second = results_heading(page, f"{COUNT} quizzes in {CATEGORY}, page 2 of 2")
    expect(second).to_be_focused()
    expect(page).to_have_url(re.compile(rf"category={CATEGORY}&page=2"))
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    expect(page.get_by_role("link", name="Trivia 14", exact=True)).to_be_visible()
    expect(category).to_have_value(CATEGORY)
    expect(page.get_by_role("heading", name="Quizzes", level=1)).to_be_visible()
    assert page.evaluate("window.__sameDocument === true"), "a full page load happened"
    assert_accessible(axe, page)
    page.get_by_role("link", name="Previous page").click()
    expect(results_heading(page, f"{COUNT} quizzes in {CATEGORY}, page 1 of 2")).to_be_focused()
    page.go_back()
    expect(second).to_be_visible()
    expect(page.get_by_label("Category")).to_have_value(CATEGORY)
    page.reload()
    expect(second).to_be_visible()
    expect(page.get_by_label("Category")).to_have_value(CATEGORY)


@pytest.mark.usefixtures("catalog_quizzes")
def test_paging_keeps_the_search_and_category_without_javascript(no_js_page: Page) -> None:
    """Plain GET forms and links (axe cannot run where scripts are off; the markup is the same
    as in the test above)."""
    page = no_js_page
    page.goto("/quizzes")
    page.get_by_label("Category").select_option(CATEGORY)
    page.get_by_label("Search quizzes").fill("trivia")
    page.get_by_role("button", name="Search").click()
    heading = f"{COUNT} quizzes in {CATEGORY} matching “trivia”, page 1 of 2"
    expect(results_heading(page, heading)).to_be_visible()
    page.get_by_role("link", name="Next page").click()
    expect(results_heading(page, heading.replace("1 of 2", "2 of 2"))).to_be_visible()
    expect(page.get_by_label("Category")).to_have_value(CATEGORY)
    expect(page.get_by_label("Search quizzes")).to_have_value("trivia")
    page.get_by_role("link", name="Previous page").click()
    expect(results_heading(page, heading)).to_be_visible()
    expect(page.get_by_label("Category")).to_have_value(CATEGORY)
