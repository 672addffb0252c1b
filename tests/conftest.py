"""Fixtures: an app per test on a clean, migrated database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path

import pytest
from quart import Quart
from quart.testing import QuartClient
from sqlalchemy import text
from sqlmodel import SQLModel

from tests.databases import POSTGRES_URL
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from web.app import create_app
from web.db import get_database
from web.services.content import forget_cached_content

TEST_SECRET = "test-secret-key"
CSRF_PATTERN = re.compile(r'"X-CSRF-Token": "([^"]+)"')


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database migrated to head per session; each test gets it clean."""
    backend = "postgresql" if POSTGRES_URL.startswith("postgresql") else "sqlite"
    url = create_scratch_database(backend, tmp_path_factory.mktemp("db"))
    migrate(url)
    yield url
    drop_scratch_database(url)


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if migrated_database.startswith("sqlite"):
        # Copying the migrated file is far cheaper than migrating again.
        source = Path(migrated_database.removeprefix("sqlite+aiosqlite:///"))
        target = tmp_path / "test.db"
        shutil.copy(source, target)
        return f"sqlite+aiosqlite:///{target}"
    return migrated_database


async def _truncate_all(app: Quart) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    async with get_database(app).engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def make_app(database_url: str, **overrides: object) -> Quart:
    return create_app(
        "testing", {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, **overrides}
    )


@pytest.fixture
def app_overrides() -> dict[str, object]:
    """Config for the `app` fixture beyond the testing tier; a test module overrides it."""
    return {}


@pytest.fixture
async def app(database_url: str, app_overrides: dict[str, object]) -> AsyncIterator[Quart]:
    app = make_app(database_url, **app_overrides)
    forget_cached_content()  # each test's database numbers its revisions from 1 again
    async with app.test_app():
        if database_url.startswith("postgresql"):
            await _truncate_all(app)
        yield app


@pytest.fixture
def client(app: Quart) -> QuartClient:
    return app.test_client()


async def csrf_token(client: QuartClient, path: str = "/") -> str:
    """The token a page hands to htmx; the same one its forms carry."""
    response = await client.get(path)
    match = CSRF_PATTERN.search(await response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)
