"""/health: what load balancers and operators read; 503 whenever the app cannot serve."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from quart.testing import QuartClient

from tests.conftest import make_app
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from web.cli import alembic_config


async def test_health_reports_a_working_database(client: QuartClient) -> None:
    response = await client.get("/health")
    report = await response.get_json()
    assert response.status_code == 200
    assert report["status"] == "healthy"
    assert report["database"] == "ok"
    assert report["version"] == "0.1.0"
    assert datetime.fromisoformat(report["timestamp"]).tzinfo is not None
    assert "redis" not in report


async def test_health_is_503_when_the_database_is_down() -> None:
    # A server that refuses the connection. (A SQLite file that cannot be opened would do
    # too, but aiosqlite's worker thread outlives the failed connect and, collected during a
    # later test, reports into this test's closed event loop.)
    app = make_app("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    async with app.test_app():
        response = await app.test_client().get("/health")
    report = await response.get_json()
    assert response.status_code == 503
    assert report["status"] == "unhealthy"
    assert report["database"].startswith("error:")


async def test_health_checks_redis_when_configured(database_url: str) -> None:
    app = make_app(database_url, REDIS_URL="redis://127.0.0.1:1/0")
    async with app.test_app():
        response = await app.test_client().get("/health")
    report = await response.get_json()
    assert response.status_code == 503
    assert report["database"] == "ok"
    assert report["redis"].startswith("error:")


def script_head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def unmigrated_url(tmp_path: Path):
    """A database that exists and answers, but has not been migrated (yet)."""
    url = create_scratch_database("sqlite", tmp_path)
    migrate(url, "base", down=True)  # creates the file and its version table, stamps nothing
    yield url
    drop_scratch_database(url)


async def _report(url: str) -> tuple[int, dict[str, str]]:
    app = make_app(url)
    async with app.test_app():
        response = await app.test_client().get("/health")
    return response.status_code, await response.get_json()


async def test_health_is_503_when_the_database_is_not_migrated(unmigrated_url: str) -> None:
    """A release that forgot `migrate` answers, yet fails on its first real query: say so."""
    status, report = await _report(unmigrated_url)
    assert status == 503
    assert report["status"] == "unhealthy"
    assert report["database"] == f"not migrated: no revision, head is {script_head()}"
    assert set(report) == {"status", "database", "version", "timestamp"}


async def test_health_is_503_when_the_database_is_behind_head(unmigrated_url: str) -> None:
    """A database one migration behind the code names both revisions."""
    await asyncio.to_thread(migrate, unmigrated_url)  # alembic runs its own event loop
    await asyncio.to_thread(migrate, unmigrated_url, "-1", down=True)
    head = script_head()
    behind = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert behind
    status, report = await _report(unmigrated_url)
    assert status == 503
    assert report["database"] == f"not migrated: at {behind}, head is {head}"


async def test_the_head_is_read_once_at_start_up(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probes poll /health every few seconds: a request must not parse the migration files."""
    app = make_app(database_url)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("migration scripts read during a request")

    monkeypatch.setattr(ScriptDirectory, "from_config", refuse)
    monkeypatch.setattr(ScriptDirectory, "__init__", refuse)
    async with app.test_app():
        response = await app.test_client().get("/health")
    assert response.status_code == 200
    assert (await response.get_json())["database"] == "ok"
