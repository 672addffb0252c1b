"""Migration 0002 on databases that hold data: case-insensitive usernames, log-in throttles."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate


@pytest.fixture(params=backends())
def at_0001(request: pytest.FixtureRequest, tmp_path: Path):
    url = create_scratch_database(request.param, tmp_path)
    migrate(url, "0001")
    yield url
    drop_scratch_database(url)


async def _run(url: str, statements: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Run statements in one transaction; the rows of the last one are returned."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = None
            for statement, values in statements:
                result = await connection.execute(text(statement), values)
            return list(result.all()) if result is not None and result.returns_rows else []
    finally:
        await engine.dispose()


def run(url: str, *statements: str | tuple[str, dict[str, Any]]) -> list[Any]:
    pairs = [(s, {}) if isinstance(s, str) else s for s in statements]
    return asyncio.run(_run(url, pairs))


def add_users(url: str, *usernames: str) -> None:
    """Rows as 0001 made them, each with a session and a used email token."""
    for number, username in enumerate(usernames, start=1):
        values = {"id": number, "name": username, "email": f"u{number}@example.com"}
        run(
            url,
            (
                "INSERT INTO users (id, username, email, password_hash, is_admin, is_active,"
                " email_verified_at, failed_login_count, locked_until, created_at, last_login_at)"
                " VALUES (:id, :name, :email, 'hash', false, true, CURRENT_TIMESTAMP, 3, NULL,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                values,
            ),
            (
                "INSERT INTO user_sessions (user_id, token_hash, remember, created_at,"
                " expires_at, user_agent)"
                " VALUES (:id, :token, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'UA')",
                {"id": number, "token": f"{number:064d}"},
            ),
            (
                "INSERT INTO email_tokens (user_id, purpose, token_hash, created_at,"
                " expires_at, used_at) VALUES (:id, 'verify_email', :token, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                {"id": number, "token": f"{number:064d}"},
            ),
        )


def snapshot(url: str) -> dict[str, list[Any]]:
    """What people made, as they made it: accounts, their sessions and tokens."""
    return {
        "users": run(
            url,
            "SELECT id, username, email, password_hash, is_admin, is_active,"
            " email_verified_at, created_at, last_login_at FROM users ORDER BY id",
        ),
        "sessions": run(url, "SELECT user_id, token_hash FROM user_sessions ORDER BY user_id"),
        "tokens": run(url, "SELECT user_id, token_hash FROM email_tokens ORDER BY user_id"),
    }


def revision(url: str) -> str:
    [(version,)] = run(url, "SELECT version_num FROM alembic_version")
    return version


def test_colliding_usernames_stop_the_upgrade_with_one_line_naming_them(at_0001: str) -> None:
    add_users(at_0001, "Ada", "grace", "ada", "BOB", "Bob", "carol")
    before = snapshot(at_0001)
    with pytest.raises(CommandError) as error:
        migrate(at_0001)
    assert str(error.value) == (
        "Usernames that differ only in case must be renamed before this upgrade: Ada, ada; BOB, Bob"
    )
    assert revision(at_0001) == "0001"
    assert snapshot(at_0001) == before


def test_after_renaming_the_upgrade_goes_through(at_0001: str) -> None:
    add_users(at_0001, "Ada", "ada")
    with pytest.raises(CommandError):
        migrate(at_0001)
    run(at_0001, "UPDATE users SET username = 'ada_2' WHERE username = 'ada'")
    migrate(at_0001)
    assert revision(at_0001) != "0001"


def test_upgrade_and_downgrade_keep_every_account(at_0001: str) -> None:
    add_users(at_0001, "Ada", "grace_h", "Bob_99")
    before = snapshot(at_0001)

    migrate(at_0001, "0002")
    assert snapshot(at_0001) == before
    lowered = run(at_0001, "SELECT username_lower FROM users ORDER BY id")
    assert lowered == [("ada",), ("grace_h",), ("bob_99",)]
    with pytest.raises(Exception, match=r"(?i)unique"):
        run(
            at_0001,
            "INSERT INTO users (username, email, password_hash, is_admin, is_active,"
            " created_at) VALUES ('ADA', 'x@example.com', 'hash', false, true, CURRENT_TIMESTAMP)",
        )

    migrate(at_0001, "0001", down=True)
    assert snapshot(at_0001) == before
    counts = run(at_0001, "SELECT failed_login_count, locked_until FROM users ORDER BY id")
    assert counts == [(0, None)] * 3  # a lock is minutes of state: it starts afresh
    migrate(at_0001, "0002")
    assert snapshot(at_0001) == before
