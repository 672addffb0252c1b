"""Live games: fan-out of "game state moved" to the streams waiting on it, in this process
(LocalBroker) or across workers and app instances through Redis pub/sub (RedisBroker).

A notification carries only the game's new sequence number: the state itself lives in the
database, so a stream that wakes reloads it, and a lost notification costs a poll, not a game.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from contextlib import asynccontextmanager
from typing import Any
from typing import Protocol
from urllib.parse import urlsplit

from quart import Quart
from quart import current_app
from redis.asyncio import BlockingConnectionPool
from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("hyperquiz.live")

EXTENSION_KEY = "live_broker"
CHANNEL_PREFIX = "hyperquiz:live:"
# Builtin ConnectionError and TimeoutError are OSErrors; redis-py raises its own or those.
REDIS_ERRORS = (RedisError, OSError)
REDIS_TIMEOUT_SECONDS = 2.0  # any one Redis call; a hung Redis must not hold a request longer
REDIS_CONNECTIONS = 20  # per process: publishes are short, and the subscriber holds one
BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0
POLL_SECONDS = 1.0  # how often the subscriber looks up from an idle connection
IDLE_PING_SECONDS = 5.0  # a quiet subscription pings, or a hung Redis would go unnoticed
ECHOES_KEPT = 1024  # own publishes awaiting their echo; an echo lost in an outage ages out


class Listener:
    """One stream's wait on one topic. Publishes coalesce into the highest seq pending, so a
    slow stream never queues messages: it wakes once and renders the newest state."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.closed = False
        self._pending: int | None = None
        self._wake = asyncio.Event()

    def deliver(self, seq: int) -> None:
        """Called by the broker for each publish on this topic."""
        if self.closed:
            return
        if self._pending is None or seq > self._pending:
            self._pending = seq
        self._wake.set()

    def close(self) -> None:
        """Called by the broker when it stops: the waiting stream ends, and its client
        reconnects to a server that is still up."""
        self.closed = True
        self._wake.set()

    async def wait(self, timeout: float) -> int | None:  # noqa: ASYNC109 - the streams' heartbeat
        """The highest seq published on the topic since the last wait, or None on timeout or
        when the broker stopped (then `closed` is True).

        A timeout, not the caller's asyncio.timeout: a stream waits in a loop, sending a
        heartbeat each time this returns None, and a timeout here never cancels a delivery."""
        if not self._wake.is_set():
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                return None
        self._wake.clear()
        seq, self._pending = self._pending, None
        return None if self.closed else seq


class Broker(Protocol):
    """What the live-game service publishes to and its streams listen on."""

    async def publish(self, topic: str, seq: int) -> None:
        """Wake every listener of `topic`, here and in every other process; never raises."""

    def listen(self, topic: str) -> AbstractAsyncContextManager[Listener]:
        """A listener registered for the block. Enter it before reading the state, or a
        publish between the read and the registration is missed."""

    async def start(self) -> None:
        """Before serving."""

    async def stop(self) -> None:
        """After serving: every listener wakes with None and `closed` set."""

    @property
    def healthy(self) -> bool:
        """False while notifications from other processes may be missed: poll more often."""


class LocalBroker:
    """In-process fan-out: enough for one worker (the SQLite default)."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[Listener]] = {}
        self._stopped = False

    @property
    def healthy(self) -> bool:
        return True

    async def start(self) -> None:
        self._stopped = False

    async def stop(self) -> None:
        self._stopped = True
        for listeners in self._listeners.values():
            for listener in listeners:
                listener.close()

    async def publish(self, topic: str, seq: int) -> None:
        self._deliver(topic, seq)

    @asynccontextmanager
    async def listen(self, topic: str) -> AsyncIterator[Listener]:
        listener = Listener(topic)
        if self._stopped:
            listener.close()  # a stream opened during shutdown ends at once
        self._listeners.setdefault(topic, set()).add(listener)
        try:
            yield listener
        finally:
            listeners = self._listeners[topic]
            listeners.discard(listener)
            if not listeners:
                del self._listeners[topic]

    def listener_count(self, topic: str | None = None) -> int:
        """Listeners registered on `topic`, or on every topic."""
        if topic is not None:
            return len(self._listeners.get(topic, ()))
        return sum(len(listeners) for listeners in self._listeners.values())

    def _deliver(self, topic: str, seq: int) -> None:
        for listener in self._listeners.get(topic, ()):
            listener.deliver(seq)


class RedisBroker(LocalBroker):
    """Local fan-out plus Redis pub/sub, so a stream on any worker of any instance wakes.

    One subscription per process (PSUBSCRIBE on every live channel) feeds the local
    listeners. A publish is delivered locally at once (no round trip, and it still works
    while Redis is down), so Redis's echo of it is dropped: without that, every local stream
    would reload the game twice per change.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        parts = urlsplit(url)
        self._where = f"{parts.hostname}:{parts.port or 6379}"  # no password in the logs
        self._redis: Redis | None = None
        self._subscriber: asyncio.Task[None] | None = None
        self._attempted = asyncio.Event()  # the first subscription worked or failed
        self._echoes: OrderedDict[tuple[str, int], int] = OrderedDict()
        self._subscribed = False
        self._publish_failed = False
        self._outage = False  # a warning was logged and no recovery since

    @property
    def healthy(self) -> bool:
        return self._subscribed and not self._publish_failed

    async def start(self) -> None:
        """Subscribe in the background; wait briefly for the first attempt, so a server
        starts with its streams connected, but never hangs on an unreachable Redis."""
        await super().start()
        if self._subscriber is not None:
            return
        pool = BlockingConnectionPool.from_url(
            self._url,
            max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._redis = Redis.from_pool(pool)
        self._attempted.clear()
        self._subscriber = asyncio.create_task(
            self._subscribe_forever(self._redis), name="live-broker-subscriber"
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                await self._attempted.wait()

    async def stop(self) -> None:
        await super().stop()
        if self._subscriber is not None:
            self._subscriber.cancel()
            await asyncio.wait({self._subscriber})  # our own cancellation still propagates
            self._subscriber = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        self._subscribed = False

    async def publish(self, topic: str, seq: int) -> None:
        """Local delivery, then PUBLISH; while Redis is known to be down (the subscriber's
        reconnects probe it) local only, so no request waits on a dead Redis."""
        self._deliver(topic, seq)
        redis = self._redis
        if redis is None or (self._outage and not self._subscribed):
            return
        echo = (topic, seq)
        self._expect_echo(echo)
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                await redis.publish(CHANNEL_PREFIX + topic, seq)
        except REDIS_ERRORS as error:
            self._forget_echo(echo)
            self._publish_failed = True
            self._went_down(error)
            return
        self._publish_failed = False
        if self._subscribed:
            self._came_back()

    async def _subscribe_forever(self, redis: Redis) -> None:
        delay = BACKOFF_FIRST_SECONDS
        while True:
            try:
                await self._relay(redis)
            except REDIS_ERRORS as error:
                if self._subscribed:
                    delay = BACKOFF_FIRST_SECONDS  # it worked until now: retry soon
                self._subscribed = False
                self._went_down(error)
            except Exception:  # a bug of ours must not end live updates for good
                logger.exception("Live updates: the Redis subscriber failed")
                self._subscribed = False
            self._attempted.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)

    async def _relay(self, redis: Redis) -> None:
        """Hand every message of one subscription to the local listeners; returns only by
        raising, when the connection fails or Redis stops answering."""
        pubsub = redis.pubsub()
        try:
            await pubsub.psubscribe(CHANNEL_PREFIX + "*")
            clock = asyncio.get_running_loop().time
            heard = clock()
            asking: float | None = heard  # the subscription's confirmation is the first answer
            while True:
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                now = clock()
                if message is not None:
                    heard, asking = now, None
                    self._on_message(message)
                elif asking is not None and now - asking > REDIS_TIMEOUT_SECONDS:
                    raise TimeoutError("Redis did not answer the subscriber")
                elif asking is None and now - heard > IDLE_PING_SECONDS:
                    await pubsub.ping()
                    asking = now
        finally:
            with contextlib.suppress(*REDIS_ERRORS):
                await pubsub.aclose()

    def _on_message(self, message: dict[str, Any]) -> None:
        if message["type"] == "psubscribe":
            self._subscribed = True
            self._publish_failed = False
            self._came_back()
            self._attempted.set()
            return
        if message["type"] != "pmessage":
            return  # a pong
        try:
            topic = message["channel"].decode().removeprefix(CHANNEL_PREFIX)
            seq = int(message["data"])
        except ValueError:
            logger.warning("Live updates: ignored a malformed message: %r", message)
            return
        if not self._is_echo((topic, seq)):
            self._deliver(topic, seq)

    def _expect_echo(self, echo: tuple[str, int]) -> None:
        self._echoes[echo] = self._echoes.get(echo, 0) + 1
        self._echoes.move_to_end(echo)
        while len(self._echoes) > ECHOES_KEPT:
            self._echoes.popitem(last=False)

    def _forget_echo(self, echo: tuple[str, int]) -> None:
        count = self._echoes.pop(echo, 0)
        if count > 1:
            self._echoes[echo] = count - 1

    def _is_echo(self, echo: tuple[str, int]) -> bool:
        if echo not in self._echoes:
            return False
        self._forget_echo(echo)
        return True

    def _went_down(self, error: BaseException) -> None:
        if not self._outage:
            self._outage = True
            logger.warning(
                "Live updates: Redis at %s is unreachable (%s: %s); streams poll the database "
                "until it is back",
                self._where,
                type(error).__name__,
                error,
            )

    def _came_back(self) -> None:
        if self._outage:
            self._outage = False
            logger.info("Live updates: Redis at %s is reachable again", self._where)


def create_broker(redis_url: str | None) -> Broker:
    """Redis when the app has one (several workers or instances), in-process otherwise."""
    return RedisBroker(redis_url) if redis_url else LocalBroker()


def init_app(app: Quart) -> None:
    broker = create_broker(app.config["REDIS_URL"])
    app.extensions[EXTENSION_KEY] = broker
    app.before_serving(broker.start)
    app.after_serving(broker.stop)


def get_broker(app: Quart | None = None) -> Broker:
    found: Broker = (app or current_app).extensions[EXTENSION_KEY]
    return found
