"""Timed quizzes: the deadline holds on the server, with or without JavaScript."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

import pytest
from quart import Quart

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import attempts_of
from tests.integration.quiz_helpers import expire
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import quiz_doc
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import stored_answers

TIME_IS_UP = "Time is up: this attempt ended at its time limit."
DEADLINE = re.compile(r'data-deadline="([^"]+)"')


async def test_the_countdown_is_on_timed_quizzes_only(player: Player, app: Quart) -> None:
    """The countdown carries the server's deadline; untimed quizzes have none."""
    timed = await player.start("timed")
    page = await (await player.get(question_url(timed, 1))).get_data(as_text=True)
    match = DEADLINE.search(page)
    assert match
    attempt = await fetch_attempt(app, timed)
    assert datetime.fromisoformat(match.group(1)) == attempt.deadline_at
    assert "Time left:" in read(page).text

    untimed = await player.start("capitals")
    plain = await (await player.get(question_url(untimed, 1))).get_data(as_text=True)
    assert "data-deadline" not in plain
    assert "Time left" not in plain


async def test_an_answer_after_the_deadline_is_refused_and_ends_the_attempt(
    player: Player, app: Quart
) -> None:
    """Past the deadline and its grace an answer does not count; the attempt ends at the
    deadline itself, not when the late answer arrived."""
    attempt_id = await player.start("timed")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))
    late_card = await player.card(attempt_id, 2)
    before = await expire(app, attempt_id, ago=30)

    late = await player.answer(attempt_id, 2, late_card.pick(right=True))
    assert late.status_code == 303
    assert late.headers["Location"] == f"/attempts/{attempt_id}/results"
    results = await (await player.get(late.headers["Location"])).get_data(as_text=True)
    assert TIME_IS_UP in results
    assert "You scored 1 of 3" in read(results).text

    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.finished_at == before.deadline_at
    assert attempt.duration_seconds == 60
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)
    assert len(await stored_answers(app, attempt_id)) == 1


async def test_a_late_htmx_answer_is_sent_to_the_results(player: Player, app: Quart) -> None:
    """With htmx the refusal is a redirect the browser follows, not a swapped card."""
    attempt_id = await player.start("timed")
    card = await player.card(attempt_id, 1)
    before = await expire(app, attempt_id, ago=10)
    late = await player.answer(attempt_id, 1, card.pick(right=True), htmx=True)
    assert late.status_code == 200
    assert late.headers["HX-Redirect"] == f"/attempts/{attempt_id}/results"
    results = await (await player.get(f"/attempts/{attempt_id}/results")).get_data(as_text=True)
    assert TIME_IS_UP in results
    assert (await fetch_attempt(app, attempt_id)).finished_at == before.deadline_at
    assert await stored_answers(app, attempt_id) == []


async def test_an_answer_within_the_grace_still_counts(player: Player, app: Quart) -> None:
    """A submit that left the browser in time may arrive just after the deadline."""
    attempt_id = await player.start("timed")
    card = await player.card(attempt_id, 1)
    await expire(app, attempt_id, ago=0.5)
    response = await player.answer(attempt_id, 1, card.pick(right=True))
    assert response.status_code == 303
    assert response.headers["Location"] == question_url(attempt_id, 1)
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)


async def test_a_one_second_quiz_runs_out_in_real_time(app: Quart) -> None:
    """No clock tricks: a 1 s limit plus the 2 s grace has passed after 3.2 s."""
    await seed_quizzes(app, quiz_doc("sprint", time_limit_seconds=1))
    player = await sign_in(app)
    attempt_id = await player.start("sprint")
    card = await player.card(attempt_id, 1)
    await asyncio.sleep(3.2)
    late = await player.answer(attempt_id, 1, card.pick(right=True))
    assert late.headers["Location"] == f"/attempts/{attempt_id}/results"
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.finished_at == attempt.deadline_at
    assert attempt.duration_seconds == 1
    assert attempt.answered_count == 0


@pytest.mark.parametrize("path", ["/attempts/{id}", "/attempts/{id}/questions/2"])
async def test_opening_an_expired_attempt_finishes_it_and_shows_results(
    player: Player, app: Quart, path: str
) -> None:
    """Without JavaScript nobody redirects at the deadline: the next page view does it."""
    attempt_id = await player.start("timed")
    before = await expire(app, attempt_id)
    response = await player.get(path.format(id=attempt_id))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/attempts/{attempt_id}/results"
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.finished_at == before.deadline_at
    results = await player.get(f"/attempts/{attempt_id}/results")
    assert results.status_code == 200
    assert "You scored 0 of 3" in read(await results.get_data(as_text=True)).text


async def test_the_dashboard_settles_expired_attempts(player: Player, app: Quart) -> None:
    """An attempt left to run out is finished, not shown as in progress forever."""
    attempt_id = await player.start("timed")
    before = await expire(app, attempt_id)
    page = await (await player.get("/dashboard")).get_data(as_text=True)
    outline = read(page)
    assert outline.link("Resume Timed Quiz") is None
    assert outline.link("Timed Quiz") == f"/attempts/{attempt_id}/results"
    assert outline.definition("Attempts") == "1"
    assert (await fetch_attempt(app, attempt_id)).finished_at == before.deadline_at


async def test_starting_after_expiry_begins_a_new_attempt(player: Player, app: Quart) -> None:
    """ "Start quiz" on a run-out attempt starts afresh instead of resuming a dead one."""
    old = await player.start("timed")
    before = await expire(app, old)
    new = await player.start("timed")
    assert new != old
    assert (await fetch_attempt(app, old)).finished_at == before.deadline_at
    fresh = await fetch_attempt(app, new)
    assert fresh.finished_at is None
    assert len(await attempts_of(app, player.user_id)) == 2
