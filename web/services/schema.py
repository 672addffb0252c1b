"""Services: the schema's migrations: alembic's configuration and the revision they lead to."""

from __future__ import annotations

from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from web.config import PROJECT_ROOT


def alembic_config(database_url: str | None = None) -> AlembicConfig:
    """Alembic's settings from pyproject.toml; migrations/env.py connects to `database_url`
    (or to the environment's DATABASE_URL without one)."""
    config = AlembicConfig(toml_file=PROJECT_ROOT / "pyproject.toml")
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def script_head() -> str:
    """The revision the migration scripts end at: what a migrated database is stamped with.

    Reading it parses every script, so the app does it once at start-up (health.py).
    """
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration scripts found")
    return head


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is stamped with; None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_revision)
