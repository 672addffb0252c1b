"""Test support: scratch databases on SQLite or on the PostgreSQL named by TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
from alembic import command
from sqlalchemy.engine import make_url

from web.cli import alembic_config

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL names one (CI's second pass)."""
    return ["sqlite", "postgresql"] if POSTGRES_URL.startswith("postgresql") else ["sqlite"]


def _admin_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_admin_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _run_admin(url: str, statement: str) -> None:
    """On a thread of its own: callers may sit inside a running loop (Playwright's)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(_admin(url, statement))).result()


def create_scratch_database(backend: str, directory: Path) -> str:
    """An empty database of its own, so tests never touch anyone else's data."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{directory / f'scratch-{uuid.uuid4().hex}.db'}"
    name = f"hq_test_{uuid.uuid4().hex[:12]}"
    _run_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = make_url(url).database
    _run_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    """Alembic's env runs its own event loop, so this is called from sync code only."""
    config = alembic_config(url)
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)
