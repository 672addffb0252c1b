"""Live games by HTTP: joining (codes, nicknames, seats), answering (locks, pauses, repeats),
host-only actions, time-outs, scoring and ranks, the CSV, players with accounts, no-JS."""

from __future__ import annotations

import asyncio
import csv
import html
import io
from datetime import timedelta

import pytest
from quart import Quart
from quart import Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from tests.integration.live_helpers import answers_in
from tests.integration.live_helpers import game_of
from tests.integration.live_helpers import host_game
from tests.integration.live_helpers import join
from tests.integration.live_helpers import players_of
from tests.integration.live_helpers import seat_named
from tests.integration.live_helpers import seated
from tests.integration.live_helpers import update_game
from tests.integration.quiz_helpers import HTMX
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import quiz_doc
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import stored_answers
from web.db import get_session
from web.models import Attempt
from web.models import Game
from web.models import Quiz
from web.models import utcnow

LOCKED = "Answers for this question are locked."
PAUSED = "The host paused the game: answer when it resumes."
NOT_FOUND = "We could not find that game. Check the code and try again."
FINISHED = "This game has finished: it takes no new players."
CODE_RULE = "Enter the 6-digit code shown on the host's screen."
LENGTH_RULE = "Use 2 to 24 characters."
CHARACTER_RULE = "Use letters, digits, spaces and punctuation only."


async def text_of(response: Response) -> str:
    """The body with entities decoded: messages hold apostrophes (host's)."""
    return html.unescape(await response.get_data(as_text=True))


def other_code(code: str) -> str:
    """A well-formed code that is not this game's."""
    return f"{(int(code) + 1) % 10**6:06d}"


# --- joining -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12a456", "", "١٢٣٤٥٦"], ids=repr)
async def test_a_malformed_code_is_refused_on_the_form(app: Quart, code: str) -> None:
    await host_game(app)
    _, response = await join(app, code, "Ana")
    assert response.status_code == 422
    body = await text_of(response)
    assert CODE_RULE in body
    assert 'aria-invalid="true"' in body


async def test_an_unknown_code_is_refused_on_the_form(app: Quart) -> None:
    host = await host_game(app)
    _, response = await join(app, other_code(host.code), "Ana")
    assert response.status_code == 422
    assert NOT_FOUND in await text_of(response)
    assert await players_of(app, host.game_id) == []


async def test_a_code_read_off_the_screen_with_a_space_joins(app: Quart) -> None:
    host = await host_game(app)
    _, response = await join(app, f"{host.code[:3]} {host.code[3:]}", "Ana")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/play/{host.code}"


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("", "Enter a nickname."),
        ("   ", "Enter a nickname."),
        ("A", LENGTH_RULE),
        ("x" * 25, LENGTH_RULE),
        ("Ana\x07", CHARACTER_RULE),
        ("Ana\x00B", CHARACTER_RULE),
        ("Ana\u200bB", CHARACTER_RULE),  # a zero-width space (Cf): looks like "AnaB"
        ("Ana\u202eB", CHARACTER_RULE),  # right-to-left override
    ],
    ids=repr,
)
async def test_a_bad_nickname_is_refused_on_the_form(
    app: Quart, nickname: str, message: str
) -> None:
    host = await host_game(app)
    _, response = await join(app, host.code, nickname)
    assert response.status_code == 422
    assert message in await text_of(response)
    assert await players_of(app, host.game_id) == []


async def test_the_longest_nickname_fits(app: Quart) -> None:
    host = await host_game(app)
    await seated(app, host.code, "x" * 24)
    assert [p.nickname for p in await players_of(app, host.game_id)] == ["x" * 24]


@pytest.mark.parametrize("second", ["ana", "ANA", " Ana ", "\uff21\uff4e\uff41"], ids=repr)
async def test_a_nickname_someone_has_is_refused_whatever_its_case(app: Quart, second: str) -> None:
    host = await host_game(app)
    await seated(app, host.code, "Ana")
    _, response = await join(app, host.code, second)
    assert response.status_code == 422
    assert "Someone in this game is already called" in await text_of(response)
    assert [p.nickname for p in await players_of(app, host.game_id)] == ["Ana"]


async def test_a_refused_join_by_htmx_swaps_the_form(app: Quart) -> None:
    host = await host_game(app)
    guest, _ = await join(app, host.code, "A")
    response = await guest.client.post(
        "/play",
        form={"csrf_token": guest.token, "game_code": host.code, "nickname": "A"},
        headers=HTMX,
    )
    assert response.status_code == 422
    body = await text_of(response)
    assert body.lstrip().startswith('<form id="join-form"')
    assert LENGTH_RULE in body


async def test_the_same_browser_joining_again_gets_its_own_seat_back(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    [seat] = await players_of(app, host.game_id)
    again, response = await join(app, host.code, "Somebody Else", client=ana.client)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/play/{host.code}"
    assert "Set-Cookie" not in response.headers  # the seat it had stands
    [still] = await players_of(app, host.game_id)
    assert (still.id, still.nickname, still.attempt_id) == (seat.id, "Ana", seat.attempt_id)
    assert "You joined as <strong>Ana</strong>" in await again.text()


async def test_a_finished_game_takes_no_new_players(app: Quart) -> None:
    host = await host_game(app, questions=1)
    await seated(app, host.code, "Ana")
    assert (await host.act("start")).status_code == 303
    assert (await host.act("lock")).status_code == 303
    assert (await host.act("results")).status_code == 303
    _, response = await join(app, host.code, "Late")
    assert response.status_code == 422
    assert FINISHED in await text_of(response)

    assert (await host.act("end")).status_code == 303
    _, response = await join(app, host.code, "Later")
    assert response.status_code == 422
    assert NOT_FOUND in await text_of(response)
    assert [p.nickname for p in await players_of(app, host.game_id)] == ["Ana"]


async def test_an_ended_games_code_is_free_for_a_new_game(app: Quart) -> None:
    host = await host_game(app)
    game = await game_of(app, host.game_id)

    async def insert_live_copy() -> None:
        async with app.app_context():
            session = get_session()
            session.add(
                Game(
                    code=game.code,
                    quiz_id=game.quiz_id,
                    revision_id=game.revision_id,
                    host_id=game.host_id,
                )
            )
            await session.commit()

    with pytest.raises(IntegrityError):  # two live games may not share a code
        await insert_live_copy()
    assert (await host.act("end")).status_code == 303
    await insert_live_copy()
    async with app.app_context():
        games = (await get_session().exec(select(Game).where(Game.code == game.code))).all()
    assert sorted(g.ended_at is None for g in games) == [False, True]


async def test_a_browser_from_an_ended_game_joins_the_next_game_under_its_code(
    app: Quart,
) -> None:
    """Codes come back once a game ends; a seat cookie of the old game under that code must
    not send the browser to the old podium instead of the new game."""
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    assert (await host.act("end")).status_code == 303
    old = await game_of(app, host.game_id)
    async with app.app_context():
        session = get_session()
        new = Game(code=old.code, quiz_id=old.quiz_id, revision_id=old.revision_id, host_id=1)
        session.add(new)
        await session.commit()
        new_id = new.id
    _, response = await join(app, host.code, "Ana", client=ana.client)
    assert response.status_code == 303
    assert [p.nickname for p in await players_of(app, new_id or 0)] == ["Ana"]
    assert "Waiting for the host" in await ana.text()


async def test_a_removed_player_may_join_again_under_another_nickname(app: Quart) -> None:
    """The removed page says so ("Join a game under another nickname"), from the same
    browser too."""
    host = await host_game(app)
    rude = await seated(app, host.code, "Rude")
    seat = await seat_named(app, host.game_id, "Rude")
    assert (await host.act(f"players/{seat.id}/remove")).status_code == 303
    assert "You were removed from this game" in await rude.text()
    _, taken = await join(app, host.code, "Rude")  # another browser
    assert taken.status_code == 422  # the removed nickname stays taken
    _, response = await join(app, host.code, "Polite", client=rude.client)
    assert response.status_code == 303
    nicknames = {p.nickname: p.removed_at is None for p in await players_of(app, host.game_id)}
    assert nicknames == {"Rude": False, "Polite": True}
    assert "You joined as <strong>Polite</strong>" in await rude.text()


async def test_nicknames_are_shown_as_text(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "<b>Bo</b>")
    lobby = await host.page()
    assert "&lt;b&gt;Bo&lt;/b&gt;" in lobby
    assert "<b>Bo</b>" not in lobby
    assert "<b>Bo</b>" not in await ana.text()


# --- answering ---------------------------------------------------------------------------


async def test_an_answer_after_the_lock_is_refused_and_not_stored(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    assert (await host.act("lock")).status_code == 303
    for htmx in (False, True):
        response = await ana.answer(1, right, htmx=htmx)
        assert response.status_code == 409
        assert LOCKED in await text_of(response)
    assert await answers_in(app, host.game_id) == []
    seat = await seat_named(app, host.game_id, "Ana")
    assert (seat.points, seat.answered_index) == (0, 0)
    attempt = await fetch_attempt(app, seat.attempt_id or 0)
    assert attempt.answered_count == 0


async def test_an_answer_to_another_question_than_the_open_one_is_refused(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    for question in (0, 2, 99, -1):
        response = await ana.answer(question, right)
        assert response.status_code == 409, question
        assert LOCKED in await text_of(response)
    assert await answers_in(app, host.game_id) == []


async def test_an_answer_while_paused_is_refused_until_the_game_resumes(app: Quart) -> None:
    host = await host_game(app, seconds="30")
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    assert (await host.act("pause")).status_code == 303
    assert "Paused" in await ana.text()
    response = await ana.answer(1, right)
    assert response.status_code == 409
    assert PAUSED in await text_of(response)
    assert await answers_in(app, host.game_id) == []
    assert (await host.act("resume")).status_code == 303
    assert (await ana.answer(1, right)).status_code == 303
    assert len(await answers_in(app, host.game_id)) == 1


async def test_the_same_answer_sent_twice_counts_once(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    wrong = await ana.pick(right=False)
    assert (await ana.answer(1, right)).status_code == 303
    again = await ana.answer(1, right)
    assert again.status_code == 303  # a retry is not an error: the stored answer stands
    changed = await ana.answer(1, wrong)  # a second tab, another choice: the first stands
    assert changed.status_code == 303
    assert "Answer received" in await ana.text()
    [stored] = await answers_in(app, host.game_id)
    assert stored.points == 1
    seat = await seat_named(app, host.game_id, "Ana")
    assert (seat.points, seat.correct_count, seat.answered_index) == (1, 1, 1)
    attempt = await fetch_attempt(app, seat.attempt_id or 0)
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)


async def test_five_answers_at_once_count_once(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    responses = await asyncio.gather(*(ana.answer(1, right) for _ in range(5)))
    assert [r.status_code for r in responses] == [303] * 5
    [stored] = await answers_in(app, host.game_id)
    assert stored.points == 1
    seat = await seat_named(app, host.game_id, "Ana")
    assert (seat.points, seat.correct_count) == (1, 1)
    attempt = await fetch_attempt(app, seat.attempt_id or 0)
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)
    assert (await game_of(app, host.game_id)).phase == "question"  # Bo has not answered


async def test_a_form_that_is_no_answer_gets_the_kinds_message(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    response = await ana.client.post(
        f"/play/{host.code}/answer", form={"csrf_token": ana.token, "question": "1"}
    )
    assert response.status_code == 422
    body = await text_of(response)
    assert "Choose one of the answers, then submit." in body
    assert 'id="question-card"' in body  # the card again, to answer
    response = await ana.answer(1, "999999")  # a choice the question does not have
    assert response.status_code == 422
    assert await answers_in(app, host.game_id) == []
    assert (await seat_named(app, host.game_id, "Ana")).answered_index == 0


async def test_a_removed_player_cannot_answer(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    seat = await seat_named(app, host.game_id, "Ana")
    assert (await host.act(f"players/{seat.id}/remove")).status_code == 303
    response = await ana.answer(1, right)
    assert response.status_code == 409
    assert "The host removed you from this game." in await text_of(response)
    assert await answers_in(app, host.game_id) == []
    assert "You were removed from this game" in await ana.text()


async def test_with_htmx_pages_and_answers_come_back_as_the_stage(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    started = await host.act("start", htmx=True)
    assert started.status_code == 200
    assert 'data-phase="question"' in await text_of(started)
    assert "<html" not in await text_of(started)
    stage = await ana.page(htmx=True)
    assert stage.status_code == 200
    body = await text_of(stage)
    assert 'id="question-card"' in body
    assert "<html" not in body
    refused = await ana.client.post(
        f"/play/{host.code}/answer", form={"csrf_token": ana.token, "question": "1"}, headers=HTMX
    )
    assert refused.status_code == 422
    assert "Choose one of the answers, then submit." in await text_of(refused)
    answered = await ana.answer(1, await ana.pick(right=True), htmx=True)
    assert answered.status_code == 200
    assert "Answer received" in await text_of(answered)
    locked = await host.act("lock", htmx=True)
    assert locked.status_code == 200
    assert 'data-phase="reveal"' in await text_of(locked)
    assert len(await answers_in(app, host.game_id)) == 1


# --- host-only ---------------------------------------------------------------------------

HOST_POSTS = ["start", "lock", "next", "results", "pause", "resume", "end"]


async def test_host_actions_by_anyone_else_are_forbidden(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    seat = await seat_named(app, host.game_id, "Ana")
    mallory = await sign_in(app, "mallory")
    await seated(app, host.code, "Mallory")  # a player of the game, and signed in
    await join(app, host.code, "Mal", client=mallory.client)
    before = await game_of(app, host.game_id)
    base = f"/games/{host.game_id}"
    for path in [*HOST_POSTS, f"players/{seat.id}/remove"]:
        for htmx in (False, True):
            response = await mallory.post(f"{base}/{path}", htmx=htmx)
            assert response.status_code == 403, path
            assert "Only the game's host can do that." in await text_of(response)
    for path in ("host", "host/events", "results.csv"):
        response = await mallory.get(f"{base}/{path}")
        assert response.status_code == 403, path
    after = await game_of(app, host.game_id)
    assert (after.seq, after.phase) == (before.seq, before.phase) == (before.seq, "lobby")
    assert all(p.removed_at is None for p in await players_of(app, host.game_id))
    assert "Waiting for the host" in await ana.text()


async def test_host_actions_without_an_account_go_to_log_in(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    seat = await seat_named(app, host.game_id, "Ana")
    base = f"/games/{host.game_id}"
    for path in [*HOST_POSTS, f"players/{seat.id}/remove"]:
        response = await ana.client.post(f"{base}/{path}", form={"csrf_token": ana.token})
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/auth/login"), path
    for path in ("host", "host/events", "results.csv"):
        response = await ana.client.get(f"{base}/{path}")
        assert response.status_code == 303, path
        assert response.headers["Location"] == f"/auth/login?next={base}/{path}"
    assert (await game_of(app, host.game_id)).phase == "lobby"


async def test_a_game_that_does_not_exist_is_404_for_the_host(app: Quart) -> None:
    host = await host_game(app)
    assert (await host.player.get("/games/999/host")).status_code == 404
    assert (await host.player.post("/games/999/start")).status_code == 404


async def test_a_game_starts_only_with_a_player(app: Quart) -> None:
    host = await host_game(app)
    response = await host.act("start")
    assert response.status_code == 409
    assert "Wait for at least one player to join, then start." in await text_of(response)
    assert (await game_of(app, host.game_id)).phase == "lobby"


async def test_only_the_author_hosts_their_quiz(app: Quart) -> None:
    await host_game(app)
    mallory = await sign_in(app, "mallory")
    response = await mallory.post("/quizzes/live/games", {"seconds_per_question": ""})
    assert response.status_code == 403
    assert "Only the quiz's author can host it live." in await text_of(response)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"seconds_per_question": "4"}, "Enter whole seconds from 5 to 600"),
        ({"seconds_per_question": "601"}, "Enter whole seconds from 5 to 600"),
        ({"seconds_per_question": "ten"}, "Enter whole seconds from 5 to 600"),
        (
            {"seconds_per_question": "", "speed_bonus": "on"},
            "A speed bonus needs seconds per question: set a time.",
        ),
    ],
    ids=repr,
)
async def test_bad_host_options_are_refused_on_the_form(
    app: Quart, form: dict[str, str], message: str
) -> None:
    host = await host_game(app)
    response = await host.player.post("/quizzes/live/games", form)
    assert response.status_code == 422
    assert message in await text_of(response)
    async with app.app_context():
        assert len((await get_session().exec(select(Game))).all()) == 1


async def test_the_host_moves_the_game_one_step_per_click(app: Quart) -> None:
    """Two clicks (or two tabs) at once: one moves the game, the other is told why not."""
    host = await host_game(app, questions=1)
    await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    for action, message in [
        ("start", "The game has already started."),
        ("lock", "No question is open."),
    ]:
        seq = (await game_of(app, host.game_id)).seq
        responses = await asyncio.gather(host.act(action), host.act(action))
        assert sorted(r.status_code for r in responses) == [303, 409], action
        [refused] = [r for r in responses if r.status_code == 409]
        assert message in await text_of(refused)
        assert (await game_of(app, host.game_id)).seq == seq + 1
    refused = await host.act("next")
    assert refused.status_code == 409
    assert "That was the last question: show the results." in await text_of(refused)
    assert (await host.act("resume")).status_code == 409
    assert (await host.act("pause")).status_code == 409
    assert (await host.act("results")).status_code == 303
    assert (await host.act("results")).status_code == 409
    assert (await host.act("end")).status_code == 303
    ended = await game_of(app, host.game_id)
    assert (await host.act("end")).status_code == 303  # ending again changes nothing
    assert (await game_of(app, host.game_id)).seq == ended.seq
    assert (await host.act("start")).status_code == 409


async def test_a_quiz_is_hosted_only_once_published(app: Quart) -> None:
    author = await sign_in(app, "author")
    await seed_quizzes(app, quiz_doc("draft-live", published=False))
    async with app.app_context():
        session = get_session()
        quiz = (await session.exec(select(Quiz).where(Quiz.slug == "draft-live"))).one()
        quiz.created_by_id = author.user_id
        session.add(quiz)
        await session.commit()
    response = await author.post("/quizzes/draft-live/games", {"seconds_per_question": ""})
    assert response.status_code == 409
    assert "Publish the quiz before hosting it live." in await text_of(response)


# --- the clock and the last answer -------------------------------------------------------


async def test_a_timed_question_locks_itself_once_when_its_time_is_up(app: Quart) -> None:
    host = await host_game(app, seconds="20")
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    started = await game_of(app, host.game_id)
    assert started.phase == "question"
    await update_game(app, host.game_id, deadline_at=utcnow() - timedelta(seconds=5))

    pages = await asyncio.gather(
        ana.page(), bo.page(), ana.page(), host.player.get(f"/games/{host.game_id}/host")
    )
    for page in pages:
        assert page.status_code == 200
        assert 'data-phase="reveal"' in await page.get_data(as_text=True)
    locked = await game_of(app, host.game_id)
    assert (locked.phase, locked.seq) == ("reveal", started.seq + 1)
    assert "No answer" in await ana.text()
    response = await ana.answer(1, right)
    assert response.status_code == 409
    assert LOCKED in await text_of(response)
    assert (await game_of(app, host.game_id)).seq == started.seq + 1


async def test_an_answer_within_the_grace_after_the_deadline_counts(app: Quart) -> None:
    """The network takes a moment: an answer half a second after time-out still counts."""
    host = await host_game(app, seconds="20")
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    right = await ana.pick(right=True)
    await update_game(app, host.game_id, deadline_at=utcnow() - timedelta(seconds=0.5))
    assert (await ana.answer(1, right)).status_code == 303
    assert len(await answers_in(app, host.game_id)) == 1


async def test_the_last_answer_locks_the_question(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    cy = await seated(app, host.code, "Cy")
    assert (await host.act("start")).status_code == 303
    cy_seat = await seat_named(app, host.game_id, "Cy")
    assert (await host.act(f"players/{cy_seat.id}/remove")).status_code == 303
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    assert (await game_of(app, host.game_id)).phase == "question"  # Bo has not answered
    assert "1 of 2 answered" in await host.page()
    seq = (await game_of(app, host.game_id)).seq
    assert (await bo.answer(1, await bo.pick(right=False))).status_code == 303
    locked = await game_of(app, host.game_id)
    assert (locked.phase, locked.seq) == ("reveal", seq + 1)  # Cy, removed, was not waited for
    assert "You are 1st of 2" in await ana.text()
    assert "You were removed from this game" in await cy.text()


async def test_removing_the_last_player_who_had_not_answered_locks_the_question(
    app: Quart,
) -> None:
    """Everyone left has answered: waiting for a removed seat would hold the room."""
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Cy")
    assert (await host.act("start")).status_code == 303
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    cy_seat = await seat_named(app, host.game_id, "Cy")
    assert (await host.act(f"players/{cy_seat.id}/remove")).status_code == 303
    assert (await game_of(app, host.game_id)).phase == "reveal"


# --- scoring and ranks -------------------------------------------------------------------


async def test_a_speed_bonus_is_added_beside_the_engines_points(app: Quart) -> None:
    host = await host_game(app, seconds="30", bonus=True)
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    assert (await bo.answer(1, await bo.pick(right=False))).status_code == 303
    seats = {p.nickname: p for p in await players_of(app, host.game_id)}
    assert seats["Ana"].points == 1  # the engine's points, unchanged by speed
    assert 0 < seats["Ana"].bonus <= 0.5
    assert (seats["Bo"].points, seats["Bo"].bonus) == (0, 0)
    [answer_ana] = await stored_answers(app, seats["Ana"].attempt_id or 0)
    assert answer_ana.points == 1  # the attempt keeps the engine's points too
    reveal = await ana.text()
    assert "You are 1st of 2" in reveal
    assert "Speed bonus" in reveal


async def test_no_speed_bonus_unless_the_host_asks(app: Quart) -> None:
    host = await host_game(app, seconds="30")
    ana = await seated(app, host.code, "Ana")
    assert (await host.act("start")).status_code == 303
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    seat = await seat_named(app, host.game_id, "Ana")
    assert (seat.points, seat.bonus) == (1, 0)
    assert not (await game_of(app, host.game_id)).speed_bonus


async def test_tied_players_share_a_rank(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    cy = await seated(app, host.code, "Cy")
    assert (await host.act("start")).status_code == 303
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    assert (await bo.answer(1, await bo.pick(right=True))).status_code == 303
    assert (await cy.answer(1, await cy.pick(right=False))).status_code == 303
    assert "You are 1st of 3" in await ana.text()
    assert "You are 1st of 3" in await bo.text()
    assert "You are 3rd of 3" in await cy.text()


async def test_everyone_tied_at_nothing_is_first(app: Quart) -> None:
    host = await host_game(app, questions=1)
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    assert (await host.act("lock")).status_code == 303
    assert (await host.act("results")).status_code == 303
    for guest in (ana, bo):
        assert "You are 1st of 2" in await guest.text()


# --- the results file --------------------------------------------------------------------


async def test_the_results_csv_has_a_row_per_player_and_no_formulas(app: Quart) -> None:
    host = await host_game(app, questions=1)
    formula = await seated(app, host.code, "=1+1")
    ada = await sign_in(app, "ada")
    await join(app, host.code, "Ada", client=ada.client)
    await seated(app, host.code, "-2")
    assert (await host.act("start")).status_code == 303
    assert (await formula.answer(1, await formula.pick(right=True))).status_code == 303
    assert (await host.act("lock")).status_code == 303
    assert (await host.act("results")).status_code == 303
    response = await host.player.get(f"/games/{host.game_id}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="game-{host.code}-results.csv"'
    )
    rows = list(csv.reader(io.StringIO(await response.get_data(as_text=True))))
    assert rows[0] == ["rank", "nickname", "account", "correct", "points", "speed bonus", "total"]
    assert rows[1:] == [
        ["1", "'=1+1", "", "1", "1", "0", "1"],
        ["2", "'-2", "", "0", "0", "0", "0"],
        ["2", "Ada", "ada", "0", "0", "0", "0"],
    ]


# --- players with an account -------------------------------------------------------------


async def test_a_signed_in_players_game_attempt_is_theirs_and_apart(app: Quart) -> None:
    host = await host_game(app, questions=2)
    ada = await sign_in(app, "ada")
    guest, response = await join(app, host.code, "Ada", client=ada.client)
    assert response.status_code == 303
    await seated(app, host.code, "Bo")  # a guest: no account
    seats = {p.nickname: p for p in await players_of(app, host.game_id)}
    assert seats["Ada"].user_id == ada.user_id
    game_attempt = await fetch_attempt(app, seats["Ada"].attempt_id or 0)
    assert (game_attempt.user_id, game_attempt.game_id) == (ada.user_id, host.game_id)
    guest_attempt = await fetch_attempt(app, seats["Bo"].attempt_id or 0)
    assert (guest_attempt.user_id, guest_attempt.game_id) == (None, host.game_id)

    # The game's attempt leaves their own "Start quiz" of the same quiz alone.
    own = await ada.start("live")
    assert own != game_attempt.id
    assert await ada.start("live") == own  # and their own one still resumes

    assert (await host.act("start")).status_code == 303
    right = await guest.pick(right=True)
    # Their game's attempt moves with the game, not by the quiz pages.
    finish = await ada.post(f"/attempts/{game_attempt.id}/finish", {"confirmed": "yes"})
    assert finish.status_code == 409
    assert "This attempt belongs to a live game" in await text_of(finish)
    assert await stored_answers(app, game_attempt.id or 0) == []
    assert (await fetch_attempt(app, game_attempt.id or 0)).finished_at is None

    assert (await guest.answer(1, right)).status_code == 303
    assert (await host.act("lock")).status_code == 303
    assert (await host.act("next")).status_code == 303
    assert (await host.act("results")).status_code == 303
    podium = html.unescape(await guest.text())
    assert f"/attempts/{game_attempt.id}/results" in podium  # "Review your answers"
    results = await ada.get(f"/attempts/{game_attempt.id}/results")
    assert results.status_code == 200
    finished = await fetch_attempt(app, game_attempt.id or 0)
    assert finished.finished_at is not None
    assert (finished.answered_count, finished.points_awarded) == (1, 1)
    assert (await fetch_attempt(app, own)).finished_at is None


async def test_answering_a_game_attempt_on_the_quiz_pages_is_refused(app: Quart) -> None:
    host = await host_game(app)
    ada = await sign_in(app, "ada")
    guest, _ = await join(app, host.code, "Ada", client=ada.client)
    await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    attempt_id = (await seat_named(app, host.game_id, "Ada")).attempt_id or 0
    right = await guest.pick(right=True)
    for htmx in (False, True):
        response = await ada.post(question_url(attempt_id, 1), {"choice": right}, htmx=htmx)
        assert response.status_code == 409, htmx
        assert "This attempt belongs to a live game" in await text_of(response)
    assert await stored_answers(app, attempt_id) == []
    assert (await guest.answer(1, right)).status_code == 303  # on the game's page it counts


async def test_a_guests_attempt_is_nobodys_on_the_quiz_pages(app: Quart) -> None:
    host = await host_game(app)
    await seated(app, host.code, "Bo")
    attempt_id = (await seat_named(app, host.game_id, "Bo")).attempt_id or 0
    mallory = await sign_in(app, "mallory")
    assert (await mallory.get(f"/attempts/{attempt_id}/results")).status_code == 404
    async with app.app_context():
        attempt = await get_session().get(Attempt, attempt_id)
    assert attempt is not None
    assert attempt.user_id is None


# --- without JavaScript ------------------------------------------------------------------


async def test_the_page_refreshes_itself_except_over_an_unanswered_card(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    lobby = await ana.page()
    assert lobby.headers.get("Refresh") == "3"
    assert ">Refresh</button>" in await lobby.get_data(as_text=True)
    assert (await host.act("start")).status_code == 303
    card = await ana.page()
    assert 'id="question-card"' in await card.get_data(as_text=True)
    assert "Refresh" not in card.headers  # a choice being made is never wiped
    assert ">Refresh</button>" in await card.get_data(as_text=True)
    refused = await ana.client.post(
        f"/play/{host.code}/answer", form={"csrf_token": ana.token, "question": "1"}
    )
    assert refused.status_code == 422
    assert "Refresh" not in refused.headers  # the card again, with its message
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    received = await ana.page()
    assert "Answer received" in await received.get_data(as_text=True)
    assert received.headers.get("Refresh") == "3"
    assert (await host.act("pause")).status_code == 303


async def test_a_paused_card_refreshes_so_the_resume_shows(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    assert (await host.act("start")).status_code == 303
    assert (await host.act("pause")).status_code == 303
    paused = await ana.page()
    assert "Paused" in await paused.get_data(as_text=True)
    assert paused.headers.get("Refresh") == "3"


async def test_with_javascript_the_page_never_refreshes_itself(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    ana.client.set_cookie("localhost", "hyperquiz_js", "1")
    assert "Refresh" not in (await ana.page()).headers
    assert (await host.act("start")).status_code == 303
    assert "Refresh" not in (await ana.page()).headers
    assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    assert "Refresh" not in (await ana.page()).headers


async def test_an_htmx_join_marks_the_browser_as_having_javascript(app: Quart) -> None:
    host = await host_game(app)
    guest, _ = await join(app, host.code, "x")  # refused: only to get a client and token
    response = await guest.client.post(
        "/play",
        form={"csrf_token": guest.token, "game_code": host.code, "nickname": "Ana"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/play/{host.code}"
    assert "Refresh" not in (await guest.page()).headers


async def test_a_seatless_browser_is_sent_to_join_with_the_code(app: Quart) -> None:
    host = await host_game(app)
    response = await app.test_client().get(f"/play/{host.code}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/play?code={host.code}"
    join_page = await app.test_client().get(f"/play?code={host.code}")
    assert f'value="{host.code}"' in await join_page.get_data(as_text=True)
