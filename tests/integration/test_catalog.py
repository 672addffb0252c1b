"""The catalog and each quiz's page: what is listed, how it is found, and who may start."""

from __future__ import annotations

import re

import pytest
from quart import Quart
from quart.testing import QuartClient

from tests.integration.quiz_helpers import HTMX
from tests.integration.quiz_helpers import STANDARD
from tests.integration.quiz_helpers import Outline
from tests.integration.quiz_helpers import add_finished_attempt
from tests.integration.quiz_helpers import expire
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import quiz_doc
from tests.integration.quiz_helpers import quiz_id
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import seed_user
from tests.integration.quiz_helpers import sign_in
from web.db import get_session
from web.services.archive import set_archived
from web.services.catalog import PAGE_SIZE

LEADERBOARD_ROW = re.compile(
    r'<tr><td>(\d+)</td><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>'
)


async def browse(client: QuartClient, query: str = "", *, htmx: bool = False) -> Outline:
    response = await client.get(f"/quizzes{query}", headers=HTMX if htmx else {})
    assert response.status_code == 200
    return read(await response.get_data(as_text=True))


def quiz_titles(outline: Outline) -> list[str]:
    """The quizzes listed: links into /quizzes/<slug> (navigation links go elsewhere)."""
    return [name for name, href in outline.links if href.startswith("/quizzes/")]


# --------------------------------------------------------------------------- the catalog


async def test_catalog_lists_published_quizzes_with_their_details(
    app: Quart, client: QuartClient
) -> None:
    """Drafts stay hidden; each card names its category, difficulty, size and time limit."""
    await seed_quizzes(app)
    response = await client.get("/quizzes")
    body = await response.get_data(as_text=True)
    outline = read(body)
    assert response.status_code == 200
    assert outline.all("h1") == ["Quizzes"]
    assert outline.labels["quiz-search"] == "Search quizzes"
    assert 'id="quiz-search" type="search" name="q"' in body
    assert sorted(quiz_titles(outline)) == ["Capitals", "Exam Quiz", "Shuffled", "Timed Quiz"]
    assert outline.link("Capitals") == "/quizzes/capitals"
    assert "Secret Draft" not in body
    assert "/quizzes/draft" not in body
    assert "4 quizzes" in outline.all("h2")
    assert "General · Easy · 3 questions" in outline.text
    assert "General · Hard · 3 questions · 1 min limit" in outline.text
    assert "Exams · Easy · 3 questions · Exam mode" in outline.text
    assert "General · Easy · 6 questions" in outline.text


@pytest.mark.parametrize("query", ["CAPITAL", "capital", "cApItAlS", "CITIES", "exams"])
async def test_search_ignores_case_and_looks_at_title_description_and_category(
    app: Quart, client: QuartClient, query: str
) -> None:
    """People type as they like; "cities" is only in the description, "exams" the category."""
    await seed_quizzes(app)
    outline = await browse(client, f"?q={query}")
    expected = ["Exam Quiz"] if query == "exams" else ["Capitals"]
    assert quiz_titles(outline) == expected
    assert f"matching “{query}”" in outline.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["100% Fun"]),
        ("0%", ["100% Fun"]),
        ("_", ["Snake_case Basics"]),
        ("e_c", ["Snake_case Basics"]),
        ("\\", []),
        ("%_%", []),
        ("\uff05", ["100% Fun"]),  # a full-width percent sign folds to "%", still literal
    ],
)
async def test_search_treats_wildcards_literally(
    app: Quart, client: QuartClient, query: str, expected: list[str]
) -> None:
    """% and _ are LIKE wildcards; typed into the box they must mean themselves."""
    await seed_quizzes(
        app,
        quiz_doc("percent", title="100% Fun"),
        quiz_doc("snake", title="Snake_case Basics"),
        quiz_doc("plain", title="Plain Words"),
    )
    response = await client.get("/quizzes", query_string={"q": query})
    assert response.status_code == 200
    assert quiz_titles(read(await response.get_data(as_text=True))) == expected


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("cafe", "Café Culture"),
        ("CAFE", "Café Culture"),
        ("café", "Cafe Racers"),
        ("Ecole", "École Française"),
        ("ecole", "École Française"),
        ("aland", "Åland Islands"),
        ("ÅLAND", "Åland Islands"),
        ("strasse", "Straße Names"),
        ("\ufb01nance", "Finance Basics"),  # the "fi" ligature
    ],
)
async def test_search_ignores_accents(
    app: Quart, client: QuartClient, query: str, title: str
) -> None:
    """Typed "cafe" finds "Café" and the other way round; ligatures and ß fold as typed."""
    titles = ["Café Culture", "Cafe Racers", "École Française", "Åland Islands", "Straße Names"]
    await seed_quizzes(
        app,
        *(quiz_doc(f"accent-{n}", title=t, description="x") for n, t in enumerate(titles)),
        quiz_doc("finance", title="Finance Basics", description="x"),
    )
    response = await client.get("/quizzes", query_string={"q": query})
    assert response.status_code == 200
    found = quiz_titles(read(await response.get_data(as_text=True)))
    assert title in found
    if query.casefold() in ("cafe", "café"):
        assert sorted(found) == ["Cafe Racers", "Café Culture"]
    else:
        assert found == [title]


@pytest.mark.parametrize("query", ["über", "ÜBER", "Über"])
async def test_search_ignores_case_beyond_ascii(
    app: Quart, client: QuartClient, query: str
) -> None:
    """Titles are not all English: "ÜBER" must find "Über Geography" as "CAPITAL" finds Capitals."""
    await seed_quizzes(app, quiz_doc("uber", title="Über Geography"), quiz_doc("other"))
    response = await client.get("/quizzes", query_string={"q": query})
    assert response.status_code == 200
    assert quiz_titles(read(await response.get_data(as_text=True))) == ["Über Geography"]


async def test_category_filter_lists_one_category(app: Quart, client: QuartClient) -> None:
    """The filter narrows the list and offers only categories that have published quizzes."""
    await seed_quizzes(app, *STANDARD, quiz_doc("hidden", category="Hidden", published=False))
    outline = await browse(client, "?category=Exams")
    assert quiz_titles(outline) == ["Exam Quiz"]
    assert "1 quiz in Exams" in outline.all("h2")
    body = await (await client.get("/quizzes")).get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"', body)
    assert options == ["", "Exams", "General"]
    assert quiz_titles(await browse(client, "?category=Nothing")) == []
    combined = await browse(client, "?category=General&q=timed")
    assert quiz_titles(combined) == ["Timed Quiz"]


async def test_pagination_splits_the_catalog_into_pages(app: Quart, client: QuartClient) -> None:
    """A page holds PAGE_SIZE quizzes: one more makes two pages that together list each once."""
    count = PAGE_SIZE + 1
    await seed_quizzes(app, *(quiz_doc(f"quiz-{n:02d}") for n in range(1, count + 1)))
    first, second = await browse(client), await browse(client, "?page=2")
    assert len(quiz_titles(first)) == PAGE_SIZE
    assert len(quiz_titles(second)) == 1
    assert sorted(quiz_titles(first) + quiz_titles(second)) == [
        f"Quiz {n:02d}" for n in range(1, count + 1)
    ]


def many_quizzes(count: int, category: str = "General") -> list[dict[str, object]]:
    return [quiz_doc(f"{category.lower()}-{n:02d}", category=category) for n in range(1, count + 1)]


@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("", "19 quizzes, page 1 of 2"),
        ("?page=2", "19 quizzes, page 2 of 2"),
        ("?page=99", "19 quizzes, page 2 of 2"),
        ("?category=General&page=2", "19 quizzes in General, page 2 of 2"),
        ("?q=general&page=2", "19 quizzes matching “general”, page 2 of 2"),
    ],
)
async def test_the_result_heading_names_the_page(
    app: Quart, client: QuartClient, query: str, heading: str
) -> None:
    """The count's heading says where in the list you are; the page's heading stays "Quizzes"."""
    await seed_quizzes(app, *many_quizzes(19))
    for outline in (await browse(client, query), await browse(client, query, htmx=True)):
        assert outline.all("h2")[0] == heading
    assert (await browse(client, query)).all("h1") == ["Quizzes"]


@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("", "4 quizzes"),
        ("?q=capital", "1 quiz matching “capital”"),
        ("?category=Exams", "1 quiz in Exams"),
        ("?q=zzz", "No quizzes match “zzz”"),
        ("?q=zzz&category=Exams", "No quizzes match “zzz” in Exams"),
        ("?category=Nothing", "No quizzes in Nothing"),
    ],
)
async def test_one_page_of_results_needs_no_page_number(
    app: Quart, client: QuartClient, query: str, heading: str
) -> None:
    """One result is "1 quiz", none reads as words, and a single page is not numbered."""
    await seed_quizzes(app)
    outline = await browse(client, query)
    assert outline.all("h2")[0] == heading
    assert outline.link("Previous page") is None
    assert outline.link("Next page") is None


async def test_an_empty_catalog_says_so(client: QuartClient) -> None:
    assert (await browse(client)).all("h2")[0] == "No quizzes yet"


@pytest.mark.parametrize("htmx", [False, True])
async def test_previous_and_next_page_keep_the_search_and_category(
    app: Quart, client: QuartClient, htmx: bool
) -> None:
    """Each link is there only when that page is; both carry the search and the category."""
    await seed_quizzes(app, *many_quizzes(2 * PAGE_SIZE + 1), *many_quizzes(3, "Other"))
    kept = "q=general&category=General"
    first = await browse(client, f"?{kept}", htmx=htmx)
    middle = await browse(client, f"?{kept}&page=2", htmx=htmx)
    last = await browse(client, f"?{kept}&page=3", htmx=htmx)
    assert first.link("Previous page") is None
    assert first.link("Next page") == f"/quizzes?{kept}&page=2"
    assert middle.link("Previous page") == f"/quizzes?{kept}&page=1"
    assert middle.link("Next page") == f"/quizzes?{kept}&page=3"
    assert last.link("Previous page") == f"/quizzes?{kept}&page=2"
    assert last.link("Next page") is None


def selected_category(body: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', body)


@pytest.mark.parametrize(
    "query",
    ["?category=Other", "?category=Other&q=other", "?category=General&page=2", "?category=Gone"],
)
async def test_the_chosen_category_stays_selected(
    app: Quart, client: QuartClient, query: str
) -> None:
    """After a search, a page change or a link to a category that has emptied, the select
    shows the filter the list obeys (an emptied category stays offered, so it can be seen)."""
    await seed_quizzes(app, *many_quizzes(PAGE_SIZE + 1), *many_quizzes(2, "Other"))
    body = await (await client.get(f"/quizzes{query}")).get_data(as_text=True)
    chosen = query.split("category=")[1].split("&", maxsplit=1)[0]
    assert selected_category(body) == [chosen]
    assert selected_category(await (await client.get("/quizzes")).get_data(as_text=True)) == []


@pytest.mark.parametrize("number", ["abc", "99999999999", "0", "-1", "", "1.5", "99", "²", "٣"])
async def test_odd_page_numbers_still_show_a_page(
    app: Quart, client: QuartClient, number: str
) -> None:
    """A hand-edited ?page= shows the first (or last) page, never an error."""
    await seed_quizzes(app, *many_quizzes(PAGE_SIZE + 1))
    response = await client.get("/quizzes", query_string={"page": number})
    assert response.status_code == 200
    assert quiz_titles(read(await response.get_data(as_text=True)))


async def test_htmx_gets_the_results_fragment(app: Quart, client: QuartClient) -> None:
    """The search box swaps #quiz-results only; caches must keep page and fragment apart."""
    await seed_quizzes(app)
    response = await client.get("/quizzes?q=capital", headers=HTMX)
    body = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="quiz-results"')
    assert quiz_titles(read(body)) == ["Capitals"]
    assert "HX-Request" in response.headers["Vary"]
    page = await client.get("/quizzes?q=capital")
    assert "HX-Request" in page.headers["Vary"]
    assert "<html" in await page.get_data(as_text=True)


# --------------------------------------------------------------------------- a quiz's page


async def test_quiz_page_describes_the_quiz(app: Quart) -> None:
    """Before starting, people see what they are in for: size, limit and kind of feedback."""
    await seed_quizzes(app)
    player = await sign_in(app)
    capitals = read(await (await player.get("/quizzes/capitals")).get_data(as_text=True))
    assert capitals.all("h1") == ["Capitals"]
    assert "Capital cities of the world." in capitals.text
    assert capitals.definition("Category") == "General"
    assert capitals.definition("Difficulty") == "Easy"
    assert capitals.definition("Questions") == "3"
    assert capitals.definition("Time limit") == "None"
    assert capitals.definition("Feedback", "").startswith("Immediate")
    assert capitals.definition("Your best score") == "Not taken yet"
    timed = read(await (await player.get("/quizzes/timed")).get_data(as_text=True))
    assert timed.definition("Time limit") == "1 min"
    assert timed.definition("Difficulty") == "Hard"
    exam = read(await (await player.get("/quizzes/exam")).get_data(as_text=True))
    assert exam.definition("Feedback", "").startswith("Exam mode")


async def test_start_becomes_resume_while_an_attempt_is_open(app: Quart) -> None:
    """One open attempt per quiz: the button says what it will do; the best score follows."""
    await seed_quizzes(app)
    player = await sign_in(app)

    async def page() -> Outline:
        return read(await (await player.get("/quizzes/capitals")).get_data(as_text=True))

    assert "Start quiz" in (await page()).all("button")
    attempt_id = await player.start("capitals")
    after_start = await page()
    assert "Resume quiz" in after_start.all("button")
    assert "Start quiz" not in after_start.all("button")
    await player.play(attempt_id, [True, True, False])
    finished = await page()
    assert "Start quiz" in finished.all("button")
    assert finished.definition("Your best score") == "2 of 3 (67%)"


async def test_an_attempt_past_its_deadline_offers_a_new_start_not_resume(app: Quart) -> None:
    """The quiz page settles an expired attempt first, so the button tells the truth."""
    await seed_quizzes(app)
    player = await sign_in(app)
    attempt_id = await player.start("timed")
    await expire(app, attempt_id)
    page = read(await (await player.get("/quizzes/timed")).get_data(as_text=True))
    assert "Start quiz" in page.all("button")
    assert (await fetch_attempt(app, attempt_id)).finished_at is not None


async def test_anonymous_visitors_get_a_login_link(app: Quart, client: QuartClient) -> None:
    """No start button for strangers; the link brings them back to this quiz after logging in."""
    await seed_quizzes(app)
    outline = read(await (await client.get("/quizzes/capitals")).get_data(as_text=True))
    href = outline.link("Log in to take this quiz")
    assert href is not None
    assert href.startswith("/auth/login?next=")
    assert "capitals" in href
    assert "Start quiz" not in outline.all("button")
    assert outline.definition("Your best score") is None


async def test_unverified_people_see_why_they_cannot_start(app: Quart) -> None:
    """Without a verified email the page explains what to do instead of offering the button."""
    await seed_quizzes(app)
    player = await sign_in(app, verified=False)
    outline = read(await (await player.get("/quizzes/capitals")).get_data(as_text=True))
    assert "Verify your email" in outline.all("h2")
    assert "Start quiz" not in outline.all("button")


@pytest.mark.parametrize("slug", ["nope", "draft", "CAPITALS", "capitals-", "x" * 300])
async def test_unknown_or_unpublished_quizzes_are_not_found(app: Quart, slug: str) -> None:
    """A draft is invisible to everyone, signed in or not, and cannot be started."""
    await seed_quizzes(app)
    player = await sign_in(app)
    anonymous = app.test_client()
    for client in (anonymous, player.client):
        response = await client.get(f"/quizzes/{slug}")
        assert response.status_code == 404
        assert "could not find that quiz" in await response.get_data(as_text=True)
    started = await player.post(f"/quizzes/{slug}/attempts")
    assert started.status_code == 404


async def test_a_slug_with_a_nul_byte_is_not_found(app: Quart) -> None:
    """A pasted or forged NUL must read as "no such quiz" (PostgreSQL refuses NUL in text)."""
    await seed_quizzes(app)
    player = await sign_in(app)
    page = await player.get("/quizzes/capitals%00")
    start = await player.post("/quizzes/capitals%00/attempts")
    assert {"page": page.status_code, "start": start.status_code} == {"page": 404, "start": 404}


async def test_leaderboard_ranks_each_persons_best_then_the_fastest(app: Quart) -> None:
    """Top ten people by best score; a tie goes to the quicker one, then the name."""
    await seed_quizzes(app)
    capitals, exam = await quiz_id(app, "capitals"), await quiz_id(app, "exam")
    results = {
        "ann": [(3, 50), (2, 10)],  # her best is 3 in 50 s; the quick 2 does not count
        "ben": [(3, 40)],
        "dan": [(3, 40)],  # same as ben: the name decides
        "cat": [(2, 5)],
        "eve": [(2, 30), (1, 3)],
        "fay": [(2, 31)],
        "gus": [(1, 20)],
        "hal": [(1, 21)],
        "ida": [(1, 22)],
        "jon": [(0, 10)],
        "kim": [(0, 11)],  # eleventh: off the board
    }
    for username, attempts in results.items():
        user_id = await seed_user(app, username)
        for correct, seconds in attempts:
            await add_finished_attempt(app, user_id, capitals, correct=correct, seconds=seconds)
    slow = await seed_user(app, "zed")
    await add_finished_attempt(app, slow, exam, correct=3, seconds=1)  # another quiz
    player = await sign_in(app, "viewer")
    await player.start("capitals")  # an open attempt is not on the board

    body = await (await player.get("/quizzes/capitals")).get_data(as_text=True)
    rows = LEADERBOARD_ROW.findall(body)
    assert [(rank, name, score) for rank, name, score, _time in rows] == [
        ("1", "ben", "100% (3 of 3)"),
        ("2", "dan", "100% (3 of 3)"),
        ("3", "ann", "100% (3 of 3)"),
        ("4", "cat", "67% (2 of 3)"),
        ("5", "eve", "67% (2 of 3)"),
        ("6", "fay", "67% (2 of 3)"),
        ("7", "gus", "33% (1 of 3)"),
        ("8", "hal", "33% (1 of 3)"),
        ("9", "ida", "33% (1 of 3)"),
        ("10", "jon", "0% (0 of 3)"),
    ]
    assert rows[0][3] == "40 s"
    assert rows[2][3] == "50 s"


async def test_leaderboard_includes_attempts_played_through(app: Quart) -> None:
    """A real finished attempt reaches the board with its stored time."""
    await seed_quizzes(app)
    player = await sign_in(app)
    attempt_id = await player.start("capitals")
    await player.play(attempt_id, [True, False, True])
    attempt = await fetch_attempt(app, attempt_id)
    body = await (await app.test_client().get("/quizzes/capitals")).get_data(as_text=True)
    assert LEADERBOARD_ROW.findall(body) == [
        ("1", "ada", "67% (2 of 3)", f"{attempt.duration_seconds} s"),
    ]


async def test_leaderboard_across_revisions_ranks_by_percent(app: Quart) -> None:
    """Attempts of revisions that offer different points compare by their share of them."""
    await seed_quizzes(app)
    capitals = await quiz_id(app, "capitals")
    scores = {"amy": (4, 6), "bob": (2.5, 3), "cy": (3, 4.5)}  # 67%, 83%, 67% but slower
    for seconds, (username, (points, possible)) in enumerate(scores.items(), start=10):
        user_id = await seed_user(app, username)
        await add_finished_attempt(
            app, user_id, capitals, correct=points, total=3, possible=possible, seconds=seconds
        )
    body = await (await app.test_client().get("/quizzes/capitals")).get_data(as_text=True)
    assert [row[:3] for row in LEADERBOARD_ROW.findall(body)] == [
        ("1", "bob", "83% (2.5 of 3)"),
        ("2", "amy", "67% (4 of 6)"),
        ("3", "cy", "67% (3 of 4.5)"),
    ]


async def test_an_archived_quiz_leaves_the_catalog_and_keeps_its_results(app: Quart) -> None:
    """Removing a quiz archives it: no new attempts, but every result stays readable."""
    await seed_quizzes(app)
    player = await sign_in(app)
    attempt_id = await player.start("capitals")
    await player.play(attempt_id, [True, False, True])
    async with app.app_context():
        await set_archived(get_session(), "capitals", archived=True)

    catalog = await (await player.get("/quizzes")).get_data(as_text=True)
    assert "Capitals" not in read(catalog).all("a")
    assert (await player.get("/quizzes/capitals")).status_code == 404
    assert (await player.post("/quizzes/capitals/attempts", {})).status_code == 404
    results = await player.get(f"/attempts/{attempt_id}/results")
    assert results.status_code == 200
    assert "You scored 2 of 3 (67%)." in read(await results.get_data(as_text=True)).text

    async with app.app_context():
        await set_archived(get_session(), "capitals", archived=False)
    assert (await player.get("/quizzes/capitals")).status_code == 200
