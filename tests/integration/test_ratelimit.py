"""Rate limiting: keyed on the real client address, advertised in headers, configurable."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from quart import Blueprint
from quart import Quart
from quart_rate_limiter import rate_limit
from redis import asyncio as aioredis

from tests.conftest import make_app
from tests.databases import REDIS_URL
from web.ratelimit import ExpiringRedisStore


def limited_app(database_url: str, **overrides: object) -> Quart:
    app = make_app(database_url, QUART_RATE_LIMITER_ENABLED=True, **overrides)
    limited = Blueprint("limited", __name__)

    @limited.get("/limited")
    @rate_limit(3, timedelta(minutes=1))
    async def limited_route() -> str:
        return "ok"

    app.register_blueprint(limited)
    return app


@pytest.fixture
async def app_with_limit(database_url: str) -> AsyncIterator[Quart]:
    app = limited_app(database_url)
    async with app.test_app():
        yield app


async def test_limits_are_advertised_in_headers(app_with_limit: Quart) -> None:
    response = await app_with_limit.test_client().get("/limited")
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "2"
    assert response.headers["RateLimit-Limit"] == "3"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


async def test_default_limit_covers_pages(app_with_limit: Quart) -> None:
    response = await app_with_limit.test_client().get("/")
    assert response.headers["X-RateLimit-Limit"] == "300"


async def test_the_default_limit_comes_from_the_environment(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load test drives hundreds of takers from 127.0.0.1: it raises the default."""
    monkeypatch.setenv("RATELIMIT_DEFAULT", "2 per minute")
    app = limited_app(database_url)
    async with app.test_app():
        client = app.test_client()
        statuses = [(await client.get("/")).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


@pytest.mark.parametrize("name", ["RATELIMIT_LOGIN", "RATELIMIT_DEFAULT"])
def test_check_config_refuses_a_malformed_limit_in_one_line(name: str) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "hyperquiz"), "check-config"],
        env={**os.environ, "APP_ENV": "testing", name: "lots"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"hyperquiz: {name} ")
    assert "'lots'" in line


async def test_over_the_limit_is_a_429_page_with_one_retry_after(app_with_limit: Quart) -> None:
    client = app_with_limit.test_client()
    for _ in range(3):
        assert (await client.get("/limited")).status_code == 200
    response = await client.get("/limited")
    body = await response.get_data(as_text=True)
    assert response.status_code == 429
    assert response.headers.getlist("Retry-After") == [response.headers["Retry-After"]]
    assert int(response.headers["Retry-After"]) >= 1
    assert "try again in" in body
    assert '<nav aria-label="Main">' in body


async def test_429_for_htmx_is_a_fragment(app_with_limit: Quart) -> None:
    client = app_with_limit.test_client()
    for _ in range(3):
        await client.get("/limited")
    response = await client.get("/limited", headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert "<html" not in await response.get_data(as_text=True)


async def test_a_spoofed_forwarded_for_does_not_escape_the_limit(app_with_limit: Quart) -> None:
    client = app_with_limit.test_client()
    statuses = [
        (await client.get("/limited", headers={"X-Forwarded-For": f"10.0.0.{n}"})).status_code
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


async def test_static_files_are_not_counted(app_with_limit: Quart) -> None:
    response = await app_with_limit.test_client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers


async def test_health_is_exempt(app_with_limit: Quart) -> None:
    response = await app_with_limit.test_client().get("/health")
    assert "X-RateLimit-Limit" not in response.headers


async def test_testing_tier_turns_limits_off(database_url: str) -> None:
    app = make_app(database_url)
    async with app.test_app():
        response = await app.test_client().get("/")
    assert "X-RateLimit-Limit" not in response.headers


@pytest.mark.needs_redis
async def test_redis_store_shares_limits_between_workers_and_expires_keys(
    database_url: str,
) -> None:
    """Two app instances stand for two hypercorn workers: together they get 3, not 6."""
    assert REDIS_URL, "TEST_REDIS_URL must name a Redis for this test"
    prefix = f"hq-{uuid.uuid4().hex[:8]}"
    first = limited_app(database_url, REDIS_URL=REDIS_URL)
    second = limited_app(database_url, REDIS_URL=REDIS_URL)
    first.import_name = second.import_name = prefix  # a fresh key space for this run
    async with first.test_app(), second.test_app():
        statuses = []
        for n in range(6):
            app = first if n % 2 == 0 else second
            statuses.append((await app.test_client().get("/limited")).status_code)
    assert statuses == [200, 200, 200, 429, 429, 429]
    redis = aioredis.from_url(REDIS_URL)
    try:
        keys = await redis.keys(f"{prefix}-*")
        assert keys
        for key in keys:
            assert 0 < await redis.ttl(key) <= 60
    finally:
        await redis.aclose()


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(database_url: str) -> None:
    """TRUSTED_PROXY_HOPS=1: the proxy's last X-Forwarded-For hop is the client address."""
    app = limited_app(database_url, TRUSTED_PROXY_HOPS=1)
    async with app.test_app():
        client = app.test_client()

        async def status(address: str) -> int:
            response = await client.get("/limited", headers={"X-Forwarded-For": address})
            return response.status_code

        first = [await status("203.0.113.1") for _ in range(4)]
        second = [await status("spoofed, 203.0.113.2") for _ in range(4)]
    assert first == [200, 200, 200, 429]
    assert second == [200, 200, 200, 429]


@pytest.mark.needs_redis
async def test_a_crowd_of_requests_waits_for_redis_connections_instead_of_failing() -> None:
    """More requests at once than redis-py's default pool (100): they queue for a connection.
    The default pool raised MaxConnectionsError, a 500 for every request past the hundredth."""
    assert REDIS_URL, "TEST_REDIS_URL must name a Redis for this test"
    store = ExpiringRedisStore(REDIS_URL)
    await store.before_serving()
    try:
        key = f"crowd-{uuid.uuid4().hex}"
        now = datetime.now(UTC)
        await asyncio.gather(
            *(store.set(f"{key}-{n}", now + timedelta(seconds=5)) for n in range(400))
        )
        got = await asyncio.gather(*(store.get(f"{key}-{n}", now) for n in range(400)))
        assert all(value.timestamp() > now.timestamp() for value in got)
    finally:
        await store.after_serving()
