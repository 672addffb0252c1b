"""A live game from lobby to podium by plain posts: the host moves it on, guests answer."""

from __future__ import annotations

from quart import Quart

from tests.integration.live_helpers import host_game
from tests.integration.live_helpers import players_of
from tests.integration.live_helpers import seated


async def test_a_game_from_lobby_to_podium(app: Quart) -> None:
    host = await host_game(app)
    assert "Game code" in await host.page()
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    assert "Waiting for the host" in await ana.text()
    lobby = await host.page()
    assert "Ana" in lobby and "Bo" in lobby and "Remove player" in lobby
    assert (await host.act("start")).status_code == 303
    for question in (1, 2, 3):
        right = await ana.pick(right=True)
        assert (await ana.answer(question, right)).status_code == 303
        assert "Answer received" in await ana.text()
        wrong = await bo.pick(right=False)
        assert (await bo.answer(question, wrong)).status_code == 303
        # everyone answered: the question locked itself
        reveal = await ana.text()
        assert "Correct" in reveal and "You are 1st of 2" in reveal, reveal
        assert "You are 2nd of 2" in await bo.text()
        action = "next" if question < 3 else "results"
        assert (await host.act(action)).status_code == 303
    podium = await ana.text()
    assert "Results" in podium and "You are 1st of 2" in podium
    seats = {p.nickname: p for p in await players_of(app, host.game_id)}
    assert seats["Ana"].correct_count == 3
    assert seats["Bo"].correct_count == 0
