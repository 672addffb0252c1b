"""Live broker: a publish wakes the streams of its topic, coalesced, in this process and in
every other one through Redis; a Redis that is down or hung never breaks a publish."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest
from quart import Quart
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from tests.databases import REDIS_URL
from web.live import broker as live
from web.live.broker import LocalBroker
from web.live.broker import RedisBroker
from web.live.broker import create_broker
from web.live.broker import get_broker
from web.live.broker import init_app

LIVE_REDIS = REDIS_URL or "redis://127.0.0.1:6379/0"
DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there
QUIET = 0.05  # long enough for a wrong wake-up to show


def topic() -> str:
    """A topic of this test's own: other runs may share the Redis."""
    return f"game:{uuid.uuid4().hex[:12]}"


def warnings_from(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name and r.levelno == logging.WARNING]


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def local() -> AsyncIterator[LocalBroker]:
    broker = LocalBroker()
    await broker.start()
    yield broker
    await broker.stop()


# --- LocalBroker -------------------------------------------------------------------------


async def test_a_publish_wakes_a_waiting_listener(local: LocalBroker) -> None:
    async with local.listen("game:1") as listener:
        waiting = asyncio.create_task(listener.wait(2))
        await asyncio.sleep(0)  # the listener is asleep before the publish
        await local.publish("game:1", 7)
        assert await waiting == 7


async def test_publishes_coalesce_into_the_highest_seq(local: LocalBroker) -> None:
    async with local.listen("game:1") as listener:
        for seq in (3, 5, 4):
            await local.publish("game:1", seq)
        assert await listener.wait(1) == 5
        assert await listener.wait(QUIET) is None  # nothing queued behind it


async def test_a_wait_with_nothing_published_times_out(local: LocalBroker) -> None:
    async with local.listen("game:1") as listener:
        started = time.monotonic()
        assert await listener.wait(QUIET) is None
        assert time.monotonic() - started >= QUIET * 0.9
        assert not listener.closed


async def test_other_topics_do_not_wake_a_listener(local: LocalBroker) -> None:
    async with local.listen("game:1") as listener, local.listen("host:1") as host:
        await local.publish("game:2", 1)
        await local.publish("host:1", 2)
        assert await listener.wait(QUIET) is None
        assert await host.wait(QUIET) == 2


async def test_every_listener_of_a_topic_wakes(local: LocalBroker) -> None:
    async with local.listen("game:1") as first, local.listen("game:1") as second:
        await local.publish("game:1", 4)
        assert [await first.wait(1), await second.wait(1)] == [4, 4]


async def test_leaving_the_block_unregisters_the_listener(local: LocalBroker) -> None:
    async with local.listen("game:1"), local.listen("game:1"):
        assert local.listener_count("game:1") == 2
    with contextlib.suppress(RuntimeError):
        async with local.listen("game:2"):
            assert local.listener_count() == 1
            raise RuntimeError("a stream that fails")
    assert local.listener_count() == 0
    assert local._listeners == {}  # no empty sets left behind either
    await local.publish("game:1", 1)  # nobody left to wake: no error


async def test_stop_wakes_waiters_with_none_and_closes_them(local: LocalBroker) -> None:
    async with local.listen("game:1") as listener:
        waiting = asyncio.create_task(listener.wait(5))
        await asyncio.sleep(0)
        await local.stop()
        assert await asyncio.wait_for(waiting, 1) is None
        assert listener.closed
        await local.publish("game:1", 9)
        assert await listener.wait(QUIET) is None
    async with local.listen("game:1") as late:  # a stream opened while shutting down
        assert late.closed
        assert await late.wait(5) is None


def test_create_broker_picks_redis_only_when_configured() -> None:
    assert type(create_broker(None)) is LocalBroker
    assert type(create_broker("")) is LocalBroker
    assert type(create_broker(LIVE_REDIS)) is RedisBroker


async def test_init_app_starts_and_stops_the_broker_with_the_app() -> None:
    app = Quart(__name__)
    app.config["REDIS_URL"] = None
    init_app(app)
    async with app.test_app():
        async with app.app_context():
            broker = get_broker()
        assert broker is get_broker(app)
        async with broker.listen("game:1") as listener:
            await broker.publish("game:1", 2)
            assert await listener.wait(1) == 2
            waiting = asyncio.create_task(listener.wait(5))
            await asyncio.sleep(0)
            await app.shutdown()  # what after_serving runs when the server stops
            assert await asyncio.wait_for(waiting, 1) is None
            assert listener.closed


# --- RedisBroker without a Redis ---------------------------------------------------------


async def test_with_redis_down_publish_delivers_locally_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="hyperquiz.live")
    broker = RedisBroker(DEAD_REDIS)
    await broker.start()
    try:
        assert not broker.healthy
        async with broker.listen("game:1") as listener:
            for seq in range(1, 51):
                await broker.publish("game:1", seq)
            assert await listener.wait(1) == 50
        await asyncio.sleep(0.5)  # the subscriber keeps retrying meanwhile
        assert not broker.healthy
    finally:
        await broker.stop()
    [warning] = warnings_from(caplog, "hyperquiz.live")
    assert "127.0.0.1:6390" in warning.getMessage()
    assert "unreachable" in warning.getMessage()


@pytest.fixture
async def hung_redis() -> AsyncIterator[str]:
    """A server that accepts connections and never answers: a hung Redis."""
    writers: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        with contextlib.suppress(ConnectionError):
            while await reader.read(4096):
                pass
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    server.close()
    for writer in writers:
        writer.close()
    await server.wait_closed()


async def test_a_hung_redis_never_holds_a_publish_long(
    hung_redis: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(live, "REDIS_TIMEOUT_SECONDS", 0.3)
    broker = RedisBroker(hung_redis)
    started = time.monotonic()
    await broker.start()
    try:
        assert time.monotonic() - started < 1.5
        async with broker.listen("game:1") as listener:
            started = time.monotonic()
            await broker.publish("game:1", 1)
            await broker.publish("game:1", 2)
            assert time.monotonic() - started < 1.5
            assert await listener.wait(1) == 2
        assert not broker.healthy
        await eventually(lambda: bool(warnings_from(caplog, "hyperquiz.live")))
        started = time.monotonic()
        await broker.publish("game:1", 3)  # the outage is known: Redis is not even tried
        assert time.monotonic() - started < 0.1
    finally:
        await broker.stop()
    assert len(warnings_from(caplog, "hyperquiz.live")) == 1


# --- RedisBroker against Redis -----------------------------------------------------------


async def reachable_redis() -> str:
    """The test Redis; skipped, saying why, only when none was named and none runs locally
    (CI names one with TEST_REDIS_URL, and there an unreachable Redis is a failure)."""
    client = aioredis.from_url(LIVE_REDIS, socket_connect_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        if REDIS_URL:
            pytest.fail(f"TEST_REDIS_URL={REDIS_URL} is unreachable: {error}")
        pytest.skip(f"no Redis at {LIVE_REDIS} ({type(error).__name__}); set TEST_REDIS_URL")
    finally:
        await client.aclose()
    return LIVE_REDIS


@pytest.fixture
async def live_redis() -> str:
    return await reachable_redis()


@pytest.fixture
async def brokers(live_redis: str) -> AsyncIterator[tuple[RedisBroker, RedisBroker]]:
    """Two brokers on one Redis: two worker processes, or two app instances."""
    first, second = RedisBroker(live_redis), RedisBroker(live_redis)
    await first.start()
    await second.start()
    yield first, second
    await first.stop()
    await second.stop()


@pytest.mark.needs_redis
async def test_a_publish_reaches_a_listener_in_another_process(
    brokers: tuple[RedisBroker, RedisBroker],
) -> None:
    first, second = brokers
    assert first.healthy
    assert second.healthy  # start() returns once subscribed: nothing published is missed
    name = topic()
    async with second.listen(name) as listener, second.listen(topic()) as other:
        await first.publish(name, 12)
        assert await listener.wait(2) == 12
        assert await other.wait(QUIET) is None


@pytest.mark.needs_redis
async def test_a_process_does_not_hear_its_own_publish_twice(
    brokers: tuple[RedisBroker, RedisBroker],
) -> None:
    """Delivered locally at once, so Redis's echo is dropped: otherwise every stream of the
    publishing worker would reload the game twice per change."""
    first, second = brokers
    name = topic()
    async with first.listen(name) as mine, second.listen(name) as theirs:
        await first.publish(name, 3)
        assert await mine.wait(0) == 3  # local delivery needs no round trip
        assert await theirs.wait(2) == 3  # the echo has come back by now
        assert await mine.wait(0.3) is None
        await second.publish(name, 4)  # the same topic, from the other process: heard
        assert await mine.wait(2) == 4


@pytest.mark.needs_redis
async def test_stop_closes_the_listeners_of_a_redis_broker(live_redis: str) -> None:
    broker = RedisBroker(live_redis)
    await broker.start()
    async with broker.listen(topic()) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        await asyncio.sleep(0)
        await broker.stop()
        assert await asyncio.wait_for(waiting, 1) is None
        assert listener.closed
    assert not broker.healthy


class RedisProxy:
    """A TCP hop in front of the test Redis that a test can cut and restore: an outage
    without stopping the Redis that other tests use."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self._path = parts.path
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.frozen = False  # connections stay open but nothing gets through: a hung Redis
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{self._path}"

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers.update((writer, upstream_writer))
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if not self.frozen:
                    writer.write(data)
                    await writer.drain()
        writer.close()
        self._writers.discard(writer)


@asynccontextmanager
async def proxied(target: str) -> AsyncIterator[RedisProxy]:
    proxy = RedisProxy(target)
    await proxy.up()
    try:
        yield proxy
    finally:
        if proxy._server is not None:
            await proxy.down()


@pytest.fixture
async def redis_proxy(live_redis: str) -> AsyncIterator[RedisProxy]:
    async with proxied(live_redis) as proxy:
        yield proxy


@pytest.mark.needs_redis
async def test_redis_going_away_and_coming_back(
    redis_proxy: RedisProxy, live_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Down: healthy is False, publishes still reach local streams, one warning. Back: the
    subscriber reconnects on its own, healthy again, one info, other processes heard again."""
    caplog.set_level(logging.INFO, logger="hyperquiz.live")
    broker, other = RedisBroker(redis_proxy.url), RedisBroker(live_redis)
    await broker.start()
    await other.start()
    name = topic()
    try:
        assert broker.healthy
        await redis_proxy.down()
        await eventually(lambda: not broker.healthy)
        async with broker.listen(name) as listener:
            for seq in range(1, 21):
                await broker.publish(name, seq)
            assert await listener.wait(1) == 20
            await redis_proxy.up()
            await eventually(lambda: broker.healthy, seconds=8)
            await other.publish(name, 100)  # healthy means subscribed again: heard
            assert await listener.wait(2) == 100
    finally:
        await broker.stop()
        await other.stop()
    records = [r for r in caplog.records if r.name == "hyperquiz.live"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]
    assert "reachable again" in records[1].getMessage()


@pytest.mark.needs_redis
async def test_a_redis_that_hangs_under_a_quiet_subscription_is_noticed(
    redis_proxy: RedisProxy, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No message and no error: only the subscriber's own ping shows Redis stopped answering."""
    caplog.set_level(logging.INFO, logger="hyperquiz.live")
    monkeypatch.setattr(live, "REDIS_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(live, "IDLE_PING_SECONDS", 0.2)
    broker = RedisBroker(redis_proxy.url)
    await broker.start()
    try:
        assert broker.healthy
        await asyncio.sleep(0.5)  # quiet, but pings are answered: still healthy
        assert broker.healthy
        redis_proxy.frozen = True
        await eventually(lambda: not broker.healthy, seconds=3)
        redis_proxy.frozen = False
        await eventually(lambda: broker.healthy, seconds=8)
    finally:
        await broker.stop()
    records = [r for r in caplog.records if r.name == "hyperquiz.live"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]
    assert "TimeoutError" in records[0].getMessage()
