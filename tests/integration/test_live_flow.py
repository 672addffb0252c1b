"""A live game from lobby to podium by plain posts: the host moves it on, guests answer."""

from __future__ import annotations

import asyncio

from quart import Quart

from tests.integration.live_helpers import host_game
from tests.integration.live_helpers import players_of
from tests.integration.live_helpers import seated
from web.db import get_session
from web.models import Game
from web.models import GamePhase


async def test_a_game_from_lobby_to_podium(app: Quart) -> None:
    host = await host_game(app)
    assert "Game code" in await host.page()
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    assert "Waiting for the host" in await ana.text()
    lobby = await host.page()
    assert "Ana" in lobby
    assert "Bo" in lobby
    assert "Remove player" in lobby
    assert (await host.act("start")).status_code == 303
    for question in (1, 2, 3):
        right = await ana.pick(right=True)
        assert (await ana.answer(question, right)).status_code == 303
        assert "Answer received" in await ana.text()
        wrong = await bo.pick(right=False)
        assert (await bo.answer(question, wrong)).status_code == 303
        # everyone answered: the question locked itself
        reveal = await ana.text()
        assert "Correct" in reveal, reveal
        assert "You are 1st of 2" in reveal, reveal
        assert "You are 2nd of 2" in await bo.text()
        action = "next" if question < 3 else "results"
        assert (await host.act(action)).status_code == 303
    podium = await ana.text()
    assert "Results" in podium
    assert "You are 1st of 2" in podium
    seats = {p.nickname: p for p in await players_of(app, host.game_id)}
    assert seats["Ana"].correct_count == 3
    assert seats["Bo"].correct_count == 0


async def test_answers_arriving_together_still_lock_the_question(app: Quart) -> None:
    """On PostgreSQL answers commit side by side, each seeing the others still waiting; the
    last ones must look again, or nobody locks (seen under 200 players: the game hung)."""
    host = await host_game(app)
    guests = [await seated(app, host.code, f"P{n}") for n in range(20)]
    assert (await host.act("start")).status_code == 303
    picks = [await guest.pick(right=True) for guest in guests]
    responses = await asyncio.gather(
        *(guest.answer(1, pick, htmx=True) for guest, pick in zip(guests, picks, strict=True))
    )
    assert [r.status_code for r in responses] == [200] * len(guests)
    async with app.app_context():
        game = await get_session().get(Game, host.game_id, populate_existing=True)
        assert game is not None
        assert game.phase == GamePhase.REVEAL
        assert game.seq == 2  # locked once
    for response in responses:  # each shows its answer taken, received or revealed
        text = await response.get_data(as_text=True)
        assert "Answer received" in text or "Correct" in text, text
