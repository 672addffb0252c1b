"""Migrations: they match the models, and run both ways on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate


async def _inspect(url: str) -> tuple[set[str], list[Any]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection: Any) -> tuple[set[str], list[Any]]:
                tables = set(inspect(sync_connection).get_table_names())
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return tables, compare_metadata(context, SQLModel.metadata)

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


@pytest.fixture(params=backends())
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path):
    url = create_scratch_database(request.param, tmp_path)
    yield url
    drop_scratch_database(url)


def test_models_and_migrations_have_not_drifted(scratch_url: str) -> None:
    migrate(scratch_url)
    tables, diff = asyncio.run(_inspect(scratch_url))
    assert diff == [], f"models changed without a migration: {diff}"
    assert set(SQLModel.metadata.tables) <= tables


def test_migrations_upgrade_downgrade_and_upgrade_again(scratch_url: str) -> None:
    migrate(scratch_url)
    migrate(scratch_url, "base", down=True)
    tables, _ = asyncio.run(_inspect(scratch_url))
    assert tables <= {"alembic_version"}
    migrate(scratch_url)
    tables, diff = asyncio.run(_inspect(scratch_url))
    assert set(SQLModel.metadata.tables) <= tables
    assert diff == []
