"""What the quiz page says and announces: key hints only with JavaScript, the score panel's
live region, the page title, and focus styles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from quart import Response

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import read

STYLESHEET = Path(__file__).resolve().parents[2] / "web" / "static" / "css" / "app.css"
TITLE = re.compile(r"<title>([^<]*)</title>")


async def text_of(response: Response) -> str:
    return await response.get_data(as_text=True)


def element(html: str, element_id: str) -> str:
    """The element with this id, start tag to its matching end tag (no nesting of its tag)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no #{element_id}"
    tag = match.group(1)
    end = html.index(f"</{tag}>", match.end())
    return html[match.start() : end + len(tag) + 3]


def live_text(html: str) -> str:
    """What the score panel's live region reads out (aria-hidden parts are not read)."""
    return read(element(html, "score-panel")).text


# --------------------------------------------------------------------------- key hints


async def test_key_hints_are_hidden_until_javascript_shows_them(player: Player) -> None:
    """Keys 1-9 and Enter-to-move-on are app.js's work: a page without it must not offer them,
    nor describe the question with them."""
    attempt_id = await player.start("capitals")
    card = await text_of(await player.get(question_url(attempt_id, 1)))
    hint = element(card, "answer-keys")
    assert " hidden" in hint.split(">")[0]
    assert "Press 1 to 3" in hint
    assert "answer-keys" not in re.search(r"<fieldset[^>]*>", card).group(0)  # type: ignore[union-attr]

    first = re.search(r'name="choice" value="(\d+)"', card)
    assert first
    await player.answer(attempt_id, 1, first.group(1))
    feedback = await text_of(await player.get(question_url(attempt_id, 1)))
    move_on = re.search(r"<p[^>]*>Press Enter here[^<]*</p>", feedback)
    assert move_on
    assert " hidden" in move_on.group(0).split(">")[0]


# --------------------------------------------------------------------------- the score panel


@pytest.mark.parametrize("slug", ["capitals", "exam"])
async def test_the_score_panel_reads_no_answers_yet_before_the_first(
    player: Player, slug: str
) -> None:
    attempt_id = await player.start(slug)
    page = await text_of(await player.get(question_url(attempt_id, 1)))
    assert live_text(page) == "No answers yet"


@pytest.mark.parametrize(
    ("slug", "spoken"), [("capitals", "Score: 1 of 1"), ("exam", "Answered: 1 of 3")]
)
async def test_the_score_panel_says_its_sentence_once_and_nothing_else(
    player: Player, slug: str, spoken: str
) -> None:
    """The progress bar repeats "Question N of M" from the card: not inside the live region."""
    attempt_id = await player.start(slug)
    page = await text_of(await player.get(question_url(attempt_id, 1)))
    choice = re.search(r'name="choice" value="(\d+)"', page)
    assert choice
    for htmx in (True, False):
        answered = await player.answer(attempt_id, 1, choice.group(1), htmx=htmx)
        if htmx:
            body = await text_of(answered)
        else:
            body = await text_of(await player.get(answered.headers["Location"]))
        assert live_text(body) == spoken


# --------------------------------------------------------------------------- the title


async def test_the_page_title_names_the_question(player: Player) -> None:
    """Full page in <head>; a fragment carries a <title> too, which htmx 4 puts in
    document.title after the swap."""
    attempt_id = await player.start("capitals")
    page = await text_of(await player.get(question_url(attempt_id, 1)))
    titles = TITLE.findall(page)
    assert titles == ["Question 1 of 3 · Capitals · Hyperquiz"]

    fragment = await text_of(await player.get(question_url(attempt_id, 1), htmx=True))
    assert TITLE.findall(fragment) == ["Question 1 of 3 · Capitals · Hyperquiz"]
    choice = re.search(r'name="choice" value="(\d+)"', fragment)
    assert choice
    answered = await text_of(await player.answer(attempt_id, 1, choice.group(1), htmx=True))
    assert TITLE.findall(answered) == ["Question 1 of 3 · Capitals · Hyperquiz"]


# --------------------------------------------------------------------------- focus styles


def test_focus_rings_use_focus_visible() -> None:
    """A mouse click must not draw a ring; the keyboard always does (:focus-visible)."""
    css = STYLESHEET.read_text(encoding="utf-8")
    plain_focus = re.findall(r"[^\s,{}]*:focus(?![-\w])[^,{]*", css)
    assert plain_focus == []
