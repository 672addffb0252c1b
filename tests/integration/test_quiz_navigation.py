"""Off the happy path: Back (htmx history restores), a second tab, a retake from old results,
and the clock running out during an htmx request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from quart import Quart
from quart import Response

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import attempts_of
from tests.integration.quiz_helpers import expire
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import read_card
from tests.integration.quiz_helpers import stored_answers
from web.models import utcnow

# What htmx 4.0.1 sends when Back or Forward lands on an entry it pushed: its restore replaces
# the request's headers, so HX-Request is missing (dist/htmx.js, #restoreHistory). A later
# htmx may send both; either way the answer is the full page (CONTRACT.md, htmx).
RESTORE_4_0_1 = {"HX-History-Restore-Request": "true", "HX-Request-Type": "full"}
RESTORE_WITH_HX_REQUEST = {**RESTORE_4_0_1, "HX-Request": "true"}
ALREADY = "You already answered this question"
TIME_IS_UP = "Time is up"


async def text_of(response: Response) -> str:
    return await response.get_data(as_text=True)


def vary_of(response: Response) -> set[str]:
    return {name.strip() for name in response.headers.get("Vary", "").split(",")}


def form_action(html: str, button: str) -> str:
    """The action of the form whose submit button is named `button`."""
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.DOTALL):
        if re.search(rf"<button[^>]*>\s*{re.escape(button)}\s*<", form):
            match = re.search(r'action="([^"]+)"', form)
            assert match, form
            return match.group(1)
    raise AssertionError(f"no form with a {button!r} button")


# --------------------------------------------------------------------------- Back (htmx)


@pytest.mark.parametrize(
    "headers", [RESTORE_4_0_1, RESTORE_WITH_HX_REQUEST], ids=["htmx-4.0.1", "with-hx-request"]
)
async def test_a_history_restore_gets_the_full_page_and_varies_on_it(
    player: Player, headers: dict[str, str]
) -> None:
    """htmx swaps a restore over the whole body: a fragment there would wipe out the page."""
    attempt_id = await player.start("capitals")
    response = await player.client.get(question_url(attempt_id, 1), headers=headers)
    body = await text_of(response)
    assert response.status_code == 200
    assert "<html" in body
    assert read_card(body).position == 1
    assert {"HX-Request", "HX-History-Restore-Request"} <= vary_of(response)
    assert "HX-Push-Url" not in response.headers  # a restore must never add a history entry


async def test_fragments_vary_on_every_htmx_header_they_read(player: Player) -> None:
    attempt_id = await player.start("capitals")
    response = await player.get(question_url(attempt_id, 1), htmx=True)
    assert "<html" not in await text_of(response)
    assert {"HX-Request", "HX-History-Restore-Request"} <= vary_of(response)


async def test_back_onto_an_answered_exam_question_shows_where_you_are_under_its_url(
    player: Player,
) -> None:
    """Back from question 3 lands on /questions/2, answered and never shown again in exam
    mode. The server answers with question 3; the restored entry must take question 3's URL,
    so the address, the card and what "Submit answer" answers are one question."""
    attempt_id = await player.start("exam")
    for position in (1, 2):
        card = await player.card(attempt_id, position, htmx=True)
        await player.answer(attempt_id, position, card.pick(right=True), htmx=True)

    back = await player.client.get(question_url(attempt_id, 2), headers=RESTORE_4_0_1)
    assert back.status_code == 303
    shown = await player.client.get(back.headers["Location"], headers=RESTORE_4_0_1)
    body = await text_of(shown)
    assert read_card(body).position == 3
    assert shown.headers["HX-Replace-Url"] == question_url(attempt_id, 3)
    assert form_action(body, "Submit answer") == question_url(attempt_id, 3)


async def test_back_onto_an_answered_question_in_immediate_mode_shows_its_feedback(
    player: Player,
) -> None:
    attempt_id = await player.start("capitals")
    for position in (1, 2):
        card = await player.card(attempt_id, position, htmx=True)
        await player.answer(attempt_id, position, card.pick(right=position == 1), htmx=True)
    back = await player.client.get(question_url(attempt_id, 2), headers=RESTORE_4_0_1)
    body = await text_of(back)
    assert back.status_code == 200
    assert read(body).all("h2") == ["Incorrect"]
    assert "Question 2 of 3" in read(body).text
    assert back.headers["HX-Replace-Url"] == question_url(attempt_id, 2)


async def test_an_answer_replaces_the_history_entry_instead_of_adding_one(
    player: Player,
) -> None:
    """Answering changes what this entry shows (the card becomes its feedback, or the exam's
    next card): Back then goes to the previous question, not to the same one again."""
    immediate = await player.start("capitals")
    card = await player.card(immediate, 1, htmx=True)
    answered = await player.answer(immediate, 1, card.pick(right=True), htmx=True)
    assert "HX-Push-Url" not in answered.headers
    assert answered.headers["HX-Replace-Url"] == question_url(immediate, 1)

    exam = await player.start("exam")
    card = await player.card(exam, 1, htmx=True)
    answered = await player.answer(exam, 1, card.pick(right=True), htmx=True)
    assert read_card(await text_of(answered)).position == 2
    assert "HX-Push-Url" not in answered.headers
    assert answered.headers["HX-Replace-Url"] == question_url(exam, 2)


# --------------------------------------------------------------------------- a second tab


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_second_tab_answering_again_is_told_and_shown_the_stored_answer(
    player: Player, app: Quart, htmx: bool
) -> None:
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))  # the first tab
    again = await player.answer(attempt_id, 1, card.pick(right=False), htmx=htmx)
    if htmx:
        assert again.status_code == 200
        body = await text_of(again)
    else:
        assert again.status_code == 303
        assert again.headers["Location"] == question_url(attempt_id, 1)
        body = await text_of(await player.get(again.headers["Location"]))
    outline = read(body)
    assert ALREADY in outline.text
    assert "Your answer: Right 1" in outline.text
    assert outline.all("h2") == ["Correct"]
    assert len(await stored_answers(app, attempt_id)) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_second_tab_in_exam_mode_is_told_and_moves_on(player: Player, htmx: bool) -> None:
    """Exam mode never reveals right or wrong, but your own answer is yours to see."""
    attempt_id = await player.start("exam")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=False))
    again = await player.answer(attempt_id, 1, card.pick(right=True), htmx=htmx)
    if htmx:
        body = await text_of(again)
    else:
        assert again.headers["Location"] == question_url(attempt_id, 2)
        body = await text_of(await player.get(again.headers["Location"]))
    outline = read(body)
    assert ALREADY in outline.text
    assert "Your answer: Wrong 1a" in outline.text
    assert read_card(body).position == 2
    assert "Correct" not in outline.text
    assert "Incorrect" not in outline.text


# --------------------------------------------------------------------------- retakes


async def play_to_the_end(player: Player, slug: str) -> int:
    attempt_id = await player.start(slug)
    await player.play(attempt_id, [True, True, True])
    return attempt_id


async def test_old_results_offer_to_resume_the_open_attempt(player: Player, app: Quart) -> None:
    """ "Retake quiz" would silently drop you into the middle of the open attempt: say so."""
    old = await play_to_the_end(player, "capitals")
    open_attempt = await player.start("capitals")
    await player.play(open_attempt, [True, False])
    body = await text_of(await player.get(f"/attempts/{old}/results"))
    outline = read(body)
    assert "You have an attempt in progress, started" in outline.text
    assert "question 3 of 3" in outline.text
    assert "Retake quiz" not in outline.all("button")
    assert form_action(body, "Resume quiz") == f"/attempts/{open_attempt}"
    assert len(await attempts_of(app, player.user_id)) == 2


async def test_a_retake_from_a_stale_results_page_offers_the_open_attempt(
    player: Player, app: Quart
) -> None:
    """The results page was opened before another tab started again: the retake does not
    resume behind your back, it shows which attempt is open and offers it."""
    old = await play_to_the_end(player, "capitals")
    stale = await text_of(await player.get(f"/attempts/{old}/results"))
    retake = form_action(stale, "Retake quiz")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', stale))
    fields.pop("csrf_token")
    open_attempt = await player.start("capitals")  # another tab
    await player.play(open_attempt, [True])

    offered = await player.post(retake, fields)
    body = await text_of(offered)
    assert offered.status_code == 200
    assert "You have an attempt in progress, started" in read(body).text
    assert "question 2 of 3" in read(body).text
    assert form_action(body, "Resume quiz") == f"/attempts/{open_attempt}"
    assert len(await attempts_of(app, player.user_id)) == 2


async def test_a_retake_without_an_open_attempt_starts_one(player: Player, app: Quart) -> None:
    old = await play_to_the_end(player, "capitals")
    stale = await text_of(await player.get(f"/attempts/{old}/results"))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', stale))
    fields.pop("csrf_token")
    started = await player.post(form_action(stale, "Retake quiz"), fields)
    assert started.status_code == 303
    new = int(started.headers["Location"].rsplit("/", 1)[1])
    assert new != old
    assert (await fetch_attempt(app, new)).answered_count == 0


# --------------------------------------------------------------------------- the clock


async def test_an_htmx_request_after_the_deadline_ends_on_results_saying_time_is_up(
    player: Player, app: Quart
) -> None:
    """ "Next question" (an htmx GET) after the deadline: the results must say why."""
    attempt_id = await player.start("timed")
    card = await player.card(attempt_id, 1, htmx=True)
    await player.answer(attempt_id, 1, card.pick(right=True), htmx=True)
    await expire(app, attempt_id)
    moved = await player.get(question_url(attempt_id, 2), htmx=True)
    assert moved.headers["HX-Redirect"] == f"/attempts/{attempt_id}/results"
    results = read(await text_of(await player.get(moved.headers["HX-Redirect"])))
    assert TIME_IS_UP in results.text
    assert "You scored 1 of 3" in results.text


async def test_the_countdowns_own_move_to_results_says_time_is_up(
    player: Player, app: Quart
) -> None:
    """At zero app.js opens the attempt's URL; the results it lands on say what happened."""
    attempt_id = await player.start("timed")
    await expire(app, attempt_id)
    entry = await player.get(f"/attempts/{attempt_id}")
    results = read(await text_of(await player.get(entry.headers["Location"])))
    assert TIME_IS_UP in results.text


async def test_results_finished_in_time_do_not_say_time_is_up(player: Player) -> None:
    attempt_id = await player.start("timed")
    await player.play(attempt_id, [True, True, True])
    results = read(await text_of(await player.get(f"/attempts/{attempt_id}/results")))
    assert TIME_IS_UP not in results.text


async def test_the_answer_statement_itself_refuses_an_answer_past_the_deadline(
    player: Player, app: Quart, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline passes between Python's check and the UPDATE (here: the model's clock
    lags five minutes): the UPDATE's own deadline condition refuses, and the INSERT rolls
    back with it."""
    attempt_id = await player.start("timed")
    card = await player.card(attempt_id, 1)
    await expire(app, attempt_id, ago=30)
    monkeypatch.setattr("web.models.attempt.utcnow", lambda: utcnow() - timedelta(minutes=5))
    late = await player.answer(attempt_id, 1, card.pick(right=True))
    monkeypatch.undo()
    assert late.status_code == 303
    assert late.headers["Location"] == f"/attempts/{attempt_id}/results"
    assert await stored_answers(app, attempt_id) == []
    assert (await fetch_attempt(app, attempt_id)).answered_count == 0
