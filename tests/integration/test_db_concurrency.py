"""More concurrent requests than the pool has connections: every one finishes, none waits
on the pool for more than a second (issue 7, item 1).

The old SQLite design deadlocked here: a request took the per-process write lock before it
had a pool connection, while the requests holding every connection waited for that lock.
"""

from __future__ import annotations

import asyncio

import pytest
from quart import Quart
from quart import Response
from quart.testing import QuartClient
from sqlmodel import func
from sqlmodel import select

from tests.conftest import csrf_token
from tests.integration.quiz_helpers import PASSWORD
from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import read_card
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import seed_user
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import stored_answers
from web.db import get_database
from web.db import get_session
from web.models import User

POOL_WAIT_LIMIT = 1  # seconds; a longer wait for a connection raises, and the request fails


@pytest.fixture
def app_overrides() -> dict[str, object]:
    return {"DATABASE_POOL_TIMEOUT": POOL_WAIT_LIMIT}


async def _login_form(app: Quart, username: str) -> tuple[QuartClient, dict[str, str]]:
    client = app.test_client()
    token = await csrf_token(client, "/auth/login")
    return client, {"identifier": username, "password": PASSWORD, "csrf_token": token}


async def _register_form(app: Quart, username: str) -> tuple[QuartClient, dict[str, str]]:
    client = app.test_client()
    token = await csrf_token(client, "/auth/register")
    return client, {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "csrf_token": token,
    }


async def _count_users(app: Quart) -> int:
    async with app.app_context():
        return (await get_session().exec(select(func.count()).select_from(User))).one()


async def test_more_mixed_requests_than_connections_all_finish(app: Quart) -> None:
    """Reads then writes (log-in, answers), writes first (registration) and plain reads
    (catalog), each group alone larger than the pool, all at once."""
    group = get_database(app).pool_capacity + 1
    await seed_quizzes(app)
    players: list[Player] = [await sign_in(app, f"player{n}") for n in range(group)]
    attempts = [await player.start("capitals") for player in players]
    choices = []
    for player, attempt_id in zip(players, attempts, strict=True):
        card = read_card(await (await player.get(question_url(attempt_id, 1))).get_data(True))
        choices.append(card.pick(right=True))
    for n in range(group):
        await seed_user(app, f"returning{n}")
    logins = [await _login_form(app, f"returning{n}") for n in range(group)]
    signups = [await _register_form(app, f"newcomer{n}") for n in range(group)]
    users_before = await _count_users(app)

    requests = [
        *(client.post("/auth/login", form=form) for client, form in logins),
        *(client.post("/auth/register", form=form) for client, form in signups),
        *(
            player.answer(attempt_id, 1, choice)
            for player, attempt_id, choice in zip(players, attempts, choices, strict=True)
        ),
        *(player.get("/quizzes?q=capitals") for player in players),
    ]
    responses: list[Response] = await asyncio.gather(*requests)

    statuses = [response.status_code for response in responses]
    assert statuses == [303] * (3 * group) + [200] * group, statuses
    assert await _count_users(app) == users_before + group
    for attempt_id in attempts:
        assert len(await stored_answers(app, attempt_id)) == 1
