"""Journey: a live game. The admin hosts a three-question quiz untimed; three players join
(Ada and Bea with JavaScript, following the game's stream, Cy without, whose page reloads
itself); a fourth is removed from the lobby. Ada answers by keyboard alone, Bea reloads
mid-question and keeps her seat and score, the host pauses and resumes, every question
locks itself once all have answered, and the game runs to the podium and its end. axe on
the host's and a player's lobby, question, reveal and results."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from e2e.conftest import BIN
from e2e.conftest import ROOT
from e2e.conftest import Account
from e2e.conftest import assert_accessible
from e2e.conftest import log_in_by_keyboard
from e2e.conftest import tab_to

ADMIN = Account("admin", "admin@example.com", "Admin12345")  # owns what it imports here
DEMO = Account("demo", "demo@example.com", "Demo12345")
SLUG = "live-planets"
TITLE = "Live Planets"
TOTAL = 3
# Each question and its choices, in the order the card shows them (the quiz shuffles
# nothing); RIGHT holds the right choice of each.
QUESTIONS = (
    ("Which planet is closest to the Sun?", ("Mercury", "Venus", "Earth", "Mars")),
    ("Which planet is the largest?", ("Saturn", "Jupiter", "Neptune", "Earth")),
    ("Which planet has the Great Red Spot?", ("Mars", "Venus", "Jupiter", "Uranus")),
)
RIGHT = ("Mercury", "Jupiter", "Jupiter")
# Without JavaScript the page reloads itself every LIVE_REFRESH_SECONDS (3): allow a few.
REFRESHED = 12_000


@pytest.fixture(scope="session")
def live_quiz(
    live_server: str, server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> str:
    """Three single-choice questions, owned by the admin, imported by the CLI as an
    operator would (the demo's single-choice quizzes are longer)."""
    questions = [
        {
            "kind": "single_choice",
            "text": text,
            "points": 1,
            "choices": [{"text": choice, "correct": choice == right} for choice in choices],
        }
        for (text, choices), right in zip(QUESTIONS, RIGHT, strict=True)
    ]
    document = {
        "quizzes": [
            {
                "slug": SLUG,
                "title": TITLE,
                "category": "Science",
                "published": True,
                "questions": questions,
            }
        ]
    }
    path: Path = tmp_path_factory.mktemp("live") / "live.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    subprocess.run(
        [str(BIN / "hyperquiz"), "import", str(path), "--author", ADMIN.username],
        env=server_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return SLUG


@dataclass(frozen=True)
class Seat:
    """One browser in the game: the host or a player."""

    nickname: str
    page: Page
    errors: list[str]

    def heading(self, name: str) -> Locator:
        return self.page.get_by_role("heading", name=name, exact=True)

    def card(self, number: int) -> Locator:
        """The question card of question `number`, as its heading says."""
        name = re.compile(rf"^Question {number} of {TOTAL}\b")
        return self.page.get_by_role("heading", name=name)

    def rank(self, place: str, correct: int, points: int) -> Locator:
        # "1 points" is what the page says today (reported); either reading passes.
        wording = rf"^You are {place} of {TOTAL}, with {correct} correct and {points} points?\.$"
        return self.page.get_by_text(re.compile(wording))


@pytest.fixture
def browsers(browser: Browser, base_url: str) -> Iterator[dict[str, Seat]]:
    """The host's and the players' browsers, each a context of its own (its own cookies,
    so its own seat), recording console errors; Cy's runs no JavaScript."""
    contexts: list[BrowserContext] = []

    def open_seat(name: str, *, javascript: bool = True) -> Seat:
        context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return Seat(name, page, errors)

    seats = {
        "host": open_seat("host"),
        "Ada": open_seat("Ada"),
        "Bea": open_seat("Bea"),
        "Cy": open_seat("Cy", javascript=False),
        "Dud": open_seat("Dud"),
    }
    try:
        yield seats
    finally:
        for context in contexts:
            context.close()


# --------------------------------------------------------------------------- the host


def host_game(host: Seat) -> tuple[str, str]:
    """From the quiz page, untimed: the game's code and its join link."""
    page = host.page
    log_in_by_keyboard(page, ADMIN)
    page.goto(f"/quizzes/{SLUG}")
    seconds = page.get_by_label("Seconds per question")
    expect(seconds).to_have_value("20")
    seconds.fill("")  # untimed (WCAG 2.2.1)
    page.get_by_role("button", name="Host live game").click()
    expect(page.get_by_role("heading", name=f"{TITLE}: live game", level=1)).to_be_visible()
    expect(host.heading("Lobby")).to_be_visible()
    line = page.get_by_text(re.compile(r"^Game code \d{6} · join at "))
    found = re.search(r"Game code (\d{6})", line.inner_text())
    assert found, line.inner_text()
    code = found.group(1)
    join = page.get_by_role("link", name=re.compile(rf"play\?code={code}$")).first
    link = join.get_attribute("href")
    assert link, "no join link"
    expect(page.get_by_role("img", name="QR code of the join link")).to_be_visible()
    expect(page.get_by_text("Nobody has joined yet.")).to_be_visible()
    page.wait_for_function("() => typeof window.htmx === 'object'")
    return code, link


def press(host: Seat, name: str) -> None:
    host.page.get_by_role("button", name=name, exact=True).click()


def expect_progress(host: Seat, text: str) -> None:
    expect(host.page.get_by_text(text, exact=True)).to_be_visible()


def expect_reveal(host: Seat, number: int, right: str, tally: dict[str, int]) -> None:
    page = host.page
    expect(host.heading(f"Answers to question {number} of {TOTAL}")).to_be_visible()
    expect(page.get_by_text(f"Correct answer: {right}", exact=True)).to_be_visible()
    for answer, count in tally.items():
        mark = " (correct)" if answer == right else ""
        name = f"{answer}{mark} {count}"
        expect(page.get_by_role("row", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Top five")).to_be_visible()


# --------------------------------------------------------------------------- players


def join_by_keyboard(player: Seat, code: str) -> None:
    """Ada: logged in, from the home page's "Join a game", keys only."""
    page = player.page
    log_in_by_keyboard(page, DEMO)
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Join a game"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Join a game", level=1)).to_be_visible()
    tab_to(page, page.get_by_label("Game code"))
    page.keyboard.type(code)
    tab_to(page, page.get_by_label("Nickname"))
    page.keyboard.type(player.nickname)
    page.keyboard.press("Enter")
    expect(player.heading("Waiting for the host")).to_be_visible()


def join_by_link(player: Seat, link: str, code: str) -> None:
    """A guest who scanned the QR code: the link fills the code in."""
    page = player.page
    page.goto(link)
    expect(page.get_by_label("Game code")).to_have_value(code)
    page.get_by_label("Nickname").fill(player.nickname)
    page.get_by_role("button", name="Join game").click()
    expect(player.heading("Waiting for the host")).to_be_visible()


def join_plainly(player: Seat, code: str) -> None:
    """Cy, without JavaScript: /play, both fields, a plain post."""
    page = player.page
    page.goto("/play")
    page.get_by_label("Game code").fill(code)
    page.get_by_label("Nickname").fill(player.nickname)
    page.get_by_role("button", name="Join game").click()
    expect(player.heading("Waiting for the host")).to_be_visible()
    expect(page.get_by_text(f"You joined as {player.nickname}.")).to_be_visible()
    expect(page.get_by_role("button", name="Refresh")).to_be_visible()


def question_arrives(player: Seat, number: int, *, streamed: bool = True) -> None:
    """The card of question `number`; with the stream, focus on its legend (the question)."""
    text, _choices = QUESTIONS[number - 1]
    timeout = None if streamed else REFRESHED
    expect(player.card(number)).to_be_visible(timeout=timeout)
    legend = player.page.get_by_text(text, exact=True)
    expect(legend).to_be_visible()
    if streamed:
        expect(legend).to_be_focused()


def answer_by_keys(player: Seat, number: int, choice: str) -> None:
    """A number key picks the Nth choice, Enter on it submits (app.js)."""
    _text, choices = QUESTIONS[number - 1]
    page = player.page
    page.keyboard.press(str(choices.index(choice) + 1))
    radio = page.get_by_role("radio", name=choice, exact=True)
    expect(radio).to_be_checked()
    expect(radio).to_be_focused()
    page.keyboard.press("Enter")


def answer_by_pointer(player: Seat, choice: str) -> None:
    page = player.page
    page.get_by_role("radio", name=choice, exact=True).check()
    page.get_by_role("button", name="Submit answer").click()


def answer_received(player: Seat) -> None:
    expect(player.heading("Answer received")).to_be_visible()


def verdict(player: Seat, name: str, *, streamed: bool = True) -> None:
    heading = player.heading(name)
    expect(heading).to_be_visible(timeout=None if streamed else REFRESHED)
    if streamed:
        expect(heading).to_be_focused()


# --------------------------------------------------------------------------- the journey


@dataclass(frozen=True)
class Room:
    host: Seat
    ada: Seat
    bea: Seat
    cy: Seat
    dud: Seat


def lobby(room: Room, axe: Axe) -> None:
    """Each player appears on the host's page as they join, by the stream; one is removed."""
    host, ada, bea, cy, dud = room.host, room.ada, room.bea, room.cy, room.dud
    code, link = host_game(host)
    join_by_keyboard(ada, code)
    expect(host.page.get_by_role("button", name="Remove player Ada")).to_be_visible()
    join_by_link(bea, link, code)
    join_plainly(cy, code)
    join_by_link(dud, link, code)
    for name in ("Bea", "Cy", "Dud"):
        expect(host.page.get_by_role("button", name=f"Remove player {name}")).to_be_visible()
    expect_progress(host, "4 players")
    press(host, "Remove player Dud")
    expect(host.page.get_by_role("button", name="Remove player Dud")).to_have_count(0)
    expect_progress(host, "3 players")
    expect(dud.heading("You were removed from this game")).to_be_visible()
    expect(ada.page.get_by_text("3 players are in")).to_be_visible()
    assert_accessible(axe, host.page)  # the host's lobby
    assert_accessible(axe, ada.page)  # a player's lobby


def first_question(room: Room, axe: Axe) -> None:
    """Ada by keys, Bea by pointer, Cy last: its answer locks the question."""
    host, ada, bea, cy = room.host, room.ada, room.bea, room.cy
    press(host, "Start game")
    expect(host.heading(f"Question 1 of {TOTAL}")).to_be_visible()
    expect(host.page.get_by_text("Time left")).to_have_count(0)  # untimed
    expect_progress(host, "0 of 3 answered")
    question_arrives(ada, 1)
    question_arrives(bea, 1)
    assert_accessible(axe, host.page)  # the host's question
    assert_accessible(axe, ada.page)  # a player's question card
    answer_by_keys(ada, 1, "Mercury")
    answer_received(ada)
    expect_progress(host, "1 of 3 answered")
    answer_by_pointer(bea, "Mercury")
    answer_received(bea)
    expect_progress(host, "2 of 3 answered")
    question_arrives(cy, 1, streamed=False)
    expect(cy.page.get_by_text("Press 1 to")).to_be_hidden()  # no keys without app.js
    answer_by_pointer(cy, "Venus")
    verdict(cy, "Incorrect", streamed=False)  # the last answer locked it
    expect(cy.rank("3rd", 0, 0)).to_be_visible()
    verdict(ada, "Correct")
    expect(ada.rank("1st", 1, 1)).to_be_visible()
    verdict(bea, "Correct")
    expect(bea.rank("1st", 1, 1)).to_be_visible()  # tied players share a rank
    expect_reveal(host, 1, "Mercury", {"Mercury": 2, "Venus": 1, "Earth": 0, "Mars": 0})
    assert_accessible(axe, host.page)  # the host's reveal
    assert_accessible(axe, ada.page)  # a player's reveal


def second_question(room: Room) -> None:
    """Bea reloads before answering and keeps her seat and score; Ada answers last."""
    host, ada, bea, cy = room.host, room.ada, room.bea, room.cy
    press(host, "Next question")
    expect(host.heading(f"Question 2 of {TOTAL}")).to_be_visible()
    question_arrives(ada, 2)
    question_arrives(bea, 2)
    bea.page.reload()
    question_arrives(bea, 2)  # the same seat: the card again, not the join form
    answer_by_pointer(bea, "Saturn")
    answer_received(bea)
    question_arrives(cy, 2, streamed=False)
    answer_by_pointer(cy, "Jupiter")
    answer_received(cy)
    expect_progress(host, "2 of 3 answered")
    answer_by_keys(ada, 2, "Jupiter")
    verdict(ada, "Correct")
    expect(ada.rank("1st", 2, 2)).to_be_visible()
    verdict(bea, "Incorrect")
    expect(bea.rank("2nd", 1, 1)).to_be_visible()  # her first point survived the reload
    verdict(cy, "Correct", streamed=False)
    expect(cy.rank("2nd", 1, 1)).to_be_visible()
    expect_reveal(host, 2, "Jupiter", {"Saturn": 1, "Jupiter": 2, "Neptune": 0, "Earth": 0})


def third_question(room: Room) -> None:
    """The host pauses and resumes; Bea answers last; the last reveal offers the results."""
    host, ada, bea, cy = room.host, room.ada, room.bea, room.cy
    press(host, "Next question")
    expect(host.heading(f"Question 3 of {TOTAL}")).to_be_visible()
    question_arrives(ada, 3)
    press(host, "Pause game")
    expect(host.heading(f"Question 3 of {TOTAL} (paused)")).to_be_visible()
    expect(ada.heading("Paused")).to_be_visible()
    expect(bea.heading("Paused")).to_be_visible()
    press(host, "Resume game")
    expect(host.heading(f"Question 3 of {TOTAL}")).to_be_visible()
    question_arrives(ada, 3)
    question_arrives(bea, 3)
    answer_by_keys(ada, 3, "Jupiter")
    answer_received(ada)
    question_arrives(cy, 3, streamed=False)
    answer_by_pointer(cy, "Mars")
    answer_received(cy)
    answer_by_pointer(bea, "Jupiter")
    verdict(bea, "Correct")
    expect_reveal(host, 3, "Jupiter", {"Mars": 1, "Venus": 0, "Jupiter": 2, "Uranus": 0})
    expect(host.page.get_by_role("button", name="Next question")).to_have_count(0)


def expect_csv(host: Seat) -> None:
    """The host's download: the ranking, with the account of a logged-in player."""
    href = host.page.get_by_role("link", name="Download results (CSV)").get_attribute("href")
    assert href, "no CSV link"
    response = host.page.request.get(href)
    assert response.ok, response.status
    assert response.text().splitlines() == [
        "rank,nickname,account,correct,points,speed bonus,total",
        f"1,Ada,{DEMO.username},3,3,0,3",
        "2,Bea,,2,2,0,2",
        "3,Cy,,1,1,0,1",
    ]


def podium_and_end(room: Room, axe: Axe) -> None:
    host, ada, bea, cy = room.host, room.ada, room.bea, room.cy
    press(host, "Show results")
    expect(host.heading("Results")).to_be_visible()
    podium = host.page.get_by_role("list", name="Podium").get_by_role("listitem")
    expect(podium).to_have_text(
        [
            re.compile(r"^1st: Ada, 3 points$"),
            re.compile(r"^2nd: Bea, 2 points$"),
            re.compile(r"^3rd: Cy, 1 points?$"),
        ]
    )
    expect(host.page.get_by_role("table", name="Final ranking")).to_be_visible()
    expect_csv(host)
    verdict(ada, "Results")
    expect(ada.rank("1st", 3, 3)).to_be_visible()
    expect(ada.page.get_by_role("link", name="Review your answers")).to_be_visible()
    verdict(bea, "Results")
    expect(bea.rank("2nd", 2, 2)).to_be_visible()
    verdict(cy, "Results", streamed=False)
    expect(cy.rank("3rd", 1, 1)).to_be_visible()
    assert_accessible(axe, host.page)  # the host's results
    assert_accessible(axe, ada.page)  # a player's results

    # "End game" asks first; then every page says the game is over.
    host.page.once("dialog", lambda dialog: dialog.accept())
    press(host, "End game")
    expect(host.heading("Game over")).to_be_visible()
    verdict(ada, "The game has ended")
    verdict(cy, "The game has ended", streamed=False)
    expect(cy.rank("3rd", 1, 1)).to_be_visible()

    # A logged-in player's answers are an attempt of theirs, with its review.
    ada.page.get_by_role("link", name="Review your answers").click()
    expect(ada.page.get_by_role("heading", name=re.compile("Results"), level=1)).to_be_visible()
    expect(ada.page.get_by_text("You scored 3 of 3 (100%).")).to_be_visible()


@pytest.mark.usefixtures("live_quiz")
def test_a_live_game_to_the_podium(browsers: dict[str, Seat], axe: Axe) -> None:
    room = Room(*(browsers[name] for name in ("host", "Ada", "Bea", "Cy", "Dud")))
    lobby(room, axe)
    first_question(room, axe)
    second_question(room)
    third_question(room)
    podium_and_end(room, axe)
    for seat in browsers.values():
        assert seat.errors == [], f"{seat.nickname}: {seat.errors}"


@pytest.mark.usefixtures("live_quiz")
def test_a_finished_game_stops_streaming(browsers: dict[str, Seat]) -> None:
    """Once the game is over its pages stop asking for the stream: htmx's SSE extension
    reconnects half a second after any stream ends, so a stream that closes on a finished
    game, untold, is asked for again and again by every open page."""
    host, player = browsers["host"], browsers["Bea"]
    code, link = host_game(host)
    join_by_link(player, link, code)
    expect(host.page.get_by_role("button", name="Remove player Bea")).to_be_visible()
    host.page.once("dialog", lambda dialog: dialog.accept())
    press(host, "End game")
    expect(host.heading("Game over")).to_be_visible()
    verdict(player, "The game has ended")
    reconnects: list[str] = []
    player.page.on("request", lambda r: reconnects.append(r.url) if "/events" in r.url else None)
    player.page.wait_for_timeout(2_000)  # four reconnect delays: long enough to see them
    assert reconnects == [], f"{len(reconnects)} requests for {code}'s stream in 2 s"
