"""Services: the health report that /health serves to load balancers and operators."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from importlib.metadata import version

from redis import asyncio as aioredis

from web.db import Database
from web.services.schema import current_revision

CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class HealthReport:
    database: str
    redis: str | None
    version: str = field(default_factory=lambda: version("hyperquiz"))
    timestamp: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def healthy(self) -> bool:
        return self.database == "ok" and self.redis in (None, "ok")

    def as_json(self) -> dict[str, str]:
        report = {
            "status": "healthy" if self.healthy else "unhealthy",
            "database": self.database,
            "version": self.version,
            "timestamp": self.timestamp,
        }
        if self.redis is not None:
            report["redis"] = self.redis
        return report


async def _probe[T](check: Awaitable[T]) -> tuple[T | None, str]:
    """The check's result and "ok", or None and why it failed."""
    try:
        result = await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any failure means "down", and says why
        return None, f"error: {type(error).__name__}"
    return result, "ok"


async def _ping_redis(url: str) -> None:
    client = aioredis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def _database_state(database: Database, head: str) -> str:
    """Healthy ("ok") only at the scripts' head: a database that answers but was not migrated
    (a release without `migrate`) would fail on the first request that needs the new schema."""
    revision, state = await _probe(current_revision(database.engine))
    if state != "ok" or revision == head:
        return state
    return f"not migrated: {f'at {revision}' if revision else 'no revision'}, head is {head}"


async def check_health(database: Database, redis_url: str | None, head: str) -> HealthReport:
    """Arguments: head is the migration scripts' head, read once at start-up."""
    redis_state = (await _probe(_ping_redis(redis_url)))[1] if redis_url else None
    return HealthReport(database=await _database_state(database, head), redis=redis_state)
