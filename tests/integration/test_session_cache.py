"""The session cache (web/auth.py): two app instances on one database stand for two workers.
Each caches the account behind a session; a revocation made through one is honoured by the
other on its very next request (the bound the module claims), and the cache really answers."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart import Quart
from quart.testing import QuartClient

from tests.conftest import make_app
from tests.integration.accounts_helpers import AUTH_COOKIE
from tests.integration.accounts_helpers import PASSWORD
from tests.integration.accounts_helpers import auth_cookie
from tests.integration.accounts_helpers import log_out
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import running_app
from tests.integration.accounts_helpers import signed_in
from tests.integration.quiz_helpers import StatementCounter
from web.auth import default_epoch_file

NEW_PASSWORD = "Another9pass"


@pytest.fixture
async def workers(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Quart, Quart]]:
    """Two instances sharing the database and, as workers on one host do, the epoch file."""
    settings = {"SESSION_EPOCH_FILE": str(tmp_path / "epoch"), "SESSION_CACHE_SECONDS": 300}
    async with running_app(database_url, **settings) as first:
        second = make_app(database_url, **settings)
        async with second.test_app():
            yield first, second


def on(app: Quart, client: QuartClient) -> QuartClient:
    """The same browser (its auth cookie) talking to another worker."""
    other = app.test_client()
    assert other.cookie_jar is not None
    assert client.cookie_jar is not None
    for cookie in client.cookie_jar:
        other.cookie_jar.set_cookie(cookie)
    return other


async def dashboard(client: QuartClient) -> int:
    return (await client.get("/dashboard")).status_code


async def session_reads(app: Quart, client: QuartClient) -> int:
    """Statements that read the session's account, for one request."""
    with StatementCounter(app) as counter:
        assert await dashboard(client) == 200
    return sum("FROM users JOIN user_sessions" in s for s in counter.statements)


async def test_the_cache_answers_a_repeat_request(workers: tuple[Quart, Quart]) -> None:
    first, _second = workers
    await make_user(first)
    browser = await signed_in(first)
    assert await session_reads(first, browser) == 1  # the log-in's own bump emptied it
    assert await session_reads(first, browser) == 0


async def test_logging_out_on_one_worker_ends_the_session_on_the_other(
    workers: tuple[Quart, Quart],
) -> None:
    first, second = workers
    await make_user(first)
    browser = await signed_in(first)
    elsewhere = on(second, browser)
    assert await dashboard(elsewhere) == 200
    assert await session_reads(second, elsewhere) == 0  # cached on the second worker
    assert (await log_out(browser)).status_code == 303
    replay = second.test_client()
    assert auth_cookie(elsewhere)
    response = await replay.get(
        "/dashboard", headers={"Cookie": f"{AUTH_COOKIE}={auth_cookie(elsewhere)}"}
    )
    assert response.status_code == 303  # to the log-in page


async def test_deactivation_on_one_worker_signs_out_on_the_other(
    workers: tuple[Quart, Quart],
) -> None:
    first, second = workers
    ada = await make_user(first)
    await make_user(first, "root", is_admin=True)
    admin = await signed_in(first, "root")
    elsewhere = on(second, await signed_in(first))
    assert await dashboard(elsewhere) == 200
    assert await session_reads(second, elsewhere) == 0
    response = await post_form(admin, f"/admin/users/{ada}/deactivate")
    assert response.status_code in {200, 303}
    assert await dashboard(elsewhere) == 303


async def test_a_password_change_on_one_worker_signs_out_other_browsers_on_the_other(
    workers: tuple[Quart, Quart],
) -> None:
    first, second = workers
    await make_user(first)
    laptop = await signed_in(first)
    phone = on(second, await signed_in(first))
    assert await dashboard(phone) == 200
    assert await session_reads(second, phone) == 0
    fields = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = await post_form(laptop, "/auth/change-password", fields)
    assert response.status_code == 303, await response.get_data(as_text=True)
    assert await dashboard(phone) == 303
    assert await dashboard(on(second, laptop)) == 200  # the browser that changed it stays in


async def test_a_cached_account_can_still_be_changed(workers: tuple[Quart, Quart]) -> None:
    """The cached account comes back as a fresh detached row each time: a request may change
    it and add it to its session (a password change does) without clashing with another."""
    first, _second = workers
    await make_user(first)
    browser = await signed_in(first)
    await dashboard(browser)
    assert await session_reads(first, browser) == 0
    fields = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = await post_form(browser, "/auth/change-password", fields)
    assert response.status_code == 303
    again = await signed_in(first, "ada", NEW_PASSWORD)
    assert await dashboard(again) == 200


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("sqlite+aiosqlite:////srv/quiz/app.db", Path("/srv/quiz/app.db.session-epoch")),
        ("sqlite+aiosqlite:///instance/app.db", Path("instance/app.db.session-epoch")),
    ],
)
def test_a_sqlite_databases_epoch_file_sits_beside_it(database_url: str, expected: Path) -> None:
    """Every process that opens the file can reach it (a service's private /tmp is not
    shared), and a test's database takes its epoch file away with its folder."""
    assert default_epoch_file(database_url) == expected


@pytest.mark.parametrize(
    "database_url",
    ["postgresql+asyncpg://postgres@127.0.0.1:5432/quiz", "sqlite+aiosqlite:///:memory:"],
)
def test_other_databases_get_one_epoch_file_per_url_in_the_temp_folder(database_url: str) -> None:
    path = default_epoch_file(database_url)
    assert path.parent == Path(tempfile.gettempdir())
    assert path == default_epoch_file(database_url)
    assert path != default_epoch_file(database_url + "2")
