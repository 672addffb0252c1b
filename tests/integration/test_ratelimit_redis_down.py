"""Rate limiting with Redis down: pages answer as usual (never a 500), limits are counted in
memory meanwhile, one warning per outage, and Redis counts again once it is back."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from quart import Quart
from redis import asyncio as aioredis

from tests.conftest import make_app
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import make_user
from tests.integration.test_live_broker import RedisProxy
from tests.integration.test_live_broker import proxied
from tests.integration.test_live_broker import reachable_redis
from web import ratelimit
from web.ratelimit import ExpiringRedisStore

DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "hyperquiz.ratelimit" and r.levelno == logging.WARNING
    ]


@pytest.fixture
def app_overrides() -> dict[str, object]:
    """Limits on, and a Redis that is not there."""
    return {"QUART_RATE_LIMITER_ENABLED": True, "REDIS_URL": DEAD_REDIS}


async def test_pages_and_forms_answer_as_usual(
    app: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    await make_user(app, "ada")
    client = app.test_client()
    home = await client.get("/")
    assert home.status_code == 200
    assert home.headers["X-RateLimit-Limit"] == "300"  # still limited, from memory
    assert (await client.get("/auth/login")).status_code == 200
    assert (await log_in(client, "ada", "Wrong1password")).status_code == 422
    assert (await log_in(client)).status_code == 303
    [warning] = warnings_from(caplog)
    assert "unreachable" in warning.getMessage()


async def test_limits_still_hold_while_redis_is_down(app: Quart) -> None:
    """Failing open must not mean unlimited: five wrong passwords, then the log-in limit."""
    await make_user(app, "ada")
    client = app.test_client()
    statuses = [(await log_in(client, "ada", "Wrong1password")).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]


async def test_the_default_limit_counts_in_memory(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATELIMIT_DEFAULT", "2 per minute")
    app = make_app(database_url, QUART_RATE_LIMITER_ENABLED=True, REDIS_URL=DEAD_REDIS)
    async with app.test_app():
        client = app.test_client()
        statuses = [(await client.get("/")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


class CountingRedis:
    """Counts the store's calls to Redis, passing them on."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self.calls = 0

    async def get(self, key: str) -> Any:
        self.calls += 1
        return await self.redis.get(key)

    async def set(self, key: str, value: float, ex: int) -> Any:
        self.calls += 1
        return await self.redis.set(key, value, ex=ex)

    async def aclose(self) -> None:
        await self.redis.aclose()


async def test_redis_is_tried_again_only_every_few_seconds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.2)
    store = ExpiringRedisStore(DEAD_REDIS)
    await store.before_serving()
    counting = CountingRedis(store._redis)
    store._redis = counting  # type: ignore[assignment]
    now = datetime.now(UTC)
    try:
        for n in range(20):
            await store.set(f"key-{n}", now + timedelta(seconds=30))
            assert await store.get(f"key-{n}", now) == now + timedelta(seconds=30)
        assert counting.calls == 1  # the first failed; the rest stayed in memory
        await asyncio.sleep(0.25)
        for n in range(5):
            await store.get(f"key-{n}", now)
        assert counting.calls == 2  # one probe, still down
    finally:
        await store.after_serving()
    assert len(warnings_from(caplog)) == 1


@pytest.mark.needs_redis
async def test_redis_counts_again_once_it_is_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hyperquiz.ratelimit")
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.2)
    live_redis = await reachable_redis()
    async with proxied(live_redis) as redis_proxy:
        await store_survives_an_outage(redis_proxy, live_redis)
    records = [r for r in caplog.records if r.name == "hyperquiz.ratelimit"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]


async def store_survives_an_outage(redis_proxy: RedisProxy, live_redis: str) -> None:
    prefix = f"hq-down-{uuid.uuid4().hex[:8]}"
    store = ExpiringRedisStore(redis_proxy.url)
    direct = aioredis.from_url(live_redis)
    await store.before_serving()
    later = datetime.now(UTC) + timedelta(seconds=30)
    try:
        await store.set(f"{prefix}-before", later)
        assert await direct.exists(f"{prefix}-before")
        await redis_proxy.down()
        await store.set(f"{prefix}-during", later)
        assert await store.get(f"{prefix}-during", datetime.now(UTC)) == later
        assert not await direct.exists(f"{prefix}-during")  # in this worker's memory
        await redis_proxy.up()
        await asyncio.sleep(0.25)
        await store.set(f"{prefix}-after", later)
        assert 0 < await direct.ttl(f"{prefix}-after") <= 30
    finally:
        await store.after_serving()
        await direct.delete(f"{prefix}-before", f"{prefix}-after")
        await direct.aclose()
