"""The load test reads the app's real pages: if a card or feedback changes shape, this fails
instead of `make loadtest` silently measuring error pages."""

from __future__ import annotations

from tests.integration.quiz_helpers import HTMX
from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import question_url
from tests.load.client import CSRF_HEADER
from tests.load.client import NEXT_QUESTION
from tests.load.client import RESULTS_LINK
from tests.load.client import read_card
from tests.load.client import read_csrf


async def test_the_taker_finds_card_next_question_and_results(player: Player) -> None:
    attempt_id = await player.start("capitals")
    page = await (await player.get(question_url(attempt_id, 1))).get_data(as_text=True)
    assert CSRF_HEADER.search(page)
    for position in (1, 2, 3):
        card = read_card(page)
        assert card is not None, page
        assert card.action == question_url(attempt_id, position)
        assert len(card.choices) == 3
        response = await player.client.post(
            card.action,
            form={"choice": card.choices[0]},
            headers={**HTMX, "X-CSRF-Token": player.token},
        )
        feedback = await response.get_data(as_text=True)
        assert response.status_code == 200
        if position < 3:
            following = NEXT_QUESTION.search(feedback)
            assert following is not None, feedback
            assert following.group(1) == question_url(attempt_id, position + 1)
            page = await (await player.get(following.group(1), htmx=True)).get_data(as_text=True)
    results = RESULTS_LINK.search(feedback)
    assert results is not None, feedback
    assert "You scored" in await (await player.get(results.group(1), htmx=True)).get_data(True)


async def test_the_login_form_carries_its_token(player: Player) -> None:
    client = player.client.app.test_client()
    page = await (await client.get("/auth/login")).get_data(as_text=True)
    assert read_csrf(page)
