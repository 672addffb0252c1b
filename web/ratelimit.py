"""Rate limiting: quart-rate-limiter keyed on the real client address, in memory or Redis,
with limits that count only the outcomes they are meant to (counted_limit)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from hypercorn.middleware import ProxyFixMiddleware
from quart import Quart
from quart import Response
from quart import current_app
from quart import request
from quart_rate_limiter import RateLimit
from quart_rate_limiter import RateLimiter
from quart_rate_limiter import RateLimitExceeded
from quart_rate_limiter import rate_exempt
from quart_rate_limiter.redis_store import RedisStore
from quart_rate_limiter.store import MemoryStore
from quart_rate_limiter.store import RateLimiterStoreABC
from redis.asyncio import BlockingConnectionPool
from redis.asyncio import Redis
from redis.exceptions import RedisError
from werkzeug.exceptions import NotFound

COUNTED_LIMIT_ATTRIBUTE = "_hyperquiz_counted_limit"


async def client_address() -> str:
    """The peer address only: the library's default trusts a client-sent X-Forwarded-For.

    Behind a trusted proxy, ProxyFixMiddleware (TRUSTED_PROXY_HOPS) has already put the
    real client address here.
    """
    return request.remote_addr or "unknown"


def exempt_static_files(app: Quart) -> None:
    """Static files are cheap and cacheable; counting them would spend the budget on CSS.

    Quart registers a bound method, which cannot carry the exemption mark, so wrap it.
    A name the file system refuses to look up (over 255 bytes, say) is a file that is not
    there: 404, not the OSError's 500.
    """

    @rate_exempt
    async def static(filename: str) -> Response:
        try:
            return await app.send_static_file(filename)
        except OSError:
            raise NotFound() from None

    app.view_functions["static"] = static


REDIS_CONNECTIONS = 50  # per worker; more requests than this at once queue for one
REDIS_WAIT_SECONDS = 5
REDIS_TIMEOUT_SECONDS = 2.0  # one Redis call; a hung Redis must not hold every request
REDIS_RETRY_SECONDS = 5.0  # while Redis is down, how often one request tries it again
# Builtin ConnectionError and TimeoutError are OSErrors; redis-py raises its own or those.
REDIS_ERRORS = (RedisError, OSError)
logger = logging.getLogger("hyperquiz.ratelimit")


class ExpiringRedisStore(RedisStore):
    """RedisStore whose keys expire once their limit has reset; the library's never expire.

    Its pool waits for a free connection: redis-py's default pool raises MaxConnectionsError
    past 100 connections, which made every request past the hundredth of a crowd a 500.

    It fails open: while Redis is unreachable every request would be a 500, so limits are
    counted in this worker's memory instead (one warning per outage), and one request every
    REDIS_RETRY_SECONDS tries Redis again; the others never wait on a dead Redis.
    """

    def __init__(self, address: str, **kwargs: Any) -> None:
        super().__init__(address, **kwargs)
        self._fallback = MemoryStore()
        self._retry_at: float | None = None  # set (monotonic) while Redis is down

    async def before_serving(self) -> None:
        address, options = self._redis_arguments
        timeouts = {
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        }
        pool = BlockingConnectionPool.from_url(
            address,
            max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_WAIT_SECONDS,
            **{**timeouts, **options},
        )
        self._redis = Redis.from_pool(pool)

    async def get(self, key: str, default: datetime) -> datetime:
        if self._redis_worth_trying():
            try:
                found = await super().get(key, default)
            except REDIS_ERRORS as error:
                self._went_down(error)
            else:
                self._came_back()
                return found
        return await self._fallback.get(key, default)

    async def set(self, key: str, tat: datetime) -> None:
        if self._redis_worth_trying():
            ttl = max(math.ceil((tat - datetime.now(UTC)).total_seconds()), 1)
            try:
                await self._redis.set(key, tat.timestamp(), ex=ttl)  # type: ignore[union-attr]
            except REDIS_ERRORS as error:
                self._went_down(error)
            else:
                self._came_back()
                return
        await self._fallback.set(key, tat)

    async def after_serving(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    def _redis_worth_trying(self) -> bool:
        if self._retry_at is None:
            return True
        now = time.monotonic()
        if now < self._retry_at:
            return False
        self._retry_at = now + REDIS_RETRY_SECONDS  # this request probes; the rest stay local
        return True

    def _went_down(self, error: BaseException) -> None:
        if self._retry_at is None:
            logger.warning(
                "Rate limits: Redis is unreachable (%s: %s); counting in this worker's "
                "memory until it is back",
                type(error).__name__,
                error,
            )
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS

    def _came_back(self) -> None:
        if self._retry_at is not None:
            self._retry_at = None
            self._fallback = MemoryStore()  # Redis counts again; an outage's counts are local
            logger.info("Rate limits: Redis is reachable again")


def counted_limit[V: Callable[..., Any]](setting: str) -> Callable[[V], V]:
    """Mark a form route whose per-address limit (the config `setting`) counts only what it
    is meant to count. A request takes its share when it arrives (refused with a 429 when
    none is left, before the view runs), and the view gives it back with refund_allowance()
    when the outcome does not count (a successful log-in, a form sent back to fix): taken
    first, so a burst of requests cannot all pass before any is counted. The app-wide
    default limit covers the route as well."""

    def mark(view: V) -> V:
        setattr(view, COUNTED_LIMIT_ATTRIBUTE, setting)
        return view

    return mark


def counted_setting(view: Callable[..., Any] | None) -> str | None:
    return getattr(view, COUNTED_LIMIT_ATTRIBUTE, None)


@dataclass(frozen=True)
class LimitState:
    """Where one limit stands for this client, by the library's GCRA arithmetic."""

    limit: RateLimit
    key: str
    arrival: datetime  # the theoretical arrival time: each request spent moves it on
    now: datetime

    @property
    def backlog(self) -> float:
        """Seconds until the whole allowance is back."""
        return (self.arrival - self.now).total_seconds()

    @property
    def remaining(self) -> int:
        return max(int((self.limit.period.total_seconds() - self.backlog) / self.limit.inverse), 0)

    @property
    def retry_after(self) -> int | None:
        """Seconds until the next request is allowed, or None when it is allowed now."""
        excess = self.backlog - (self.limit.period.total_seconds() - self.limit.inverse)
        return math.ceil(excess) if excess > 0 else None


class Limiter(RateLimiter):
    """quart-rate-limiter, plus counted limits, and headers that describe the limit nearest
    to refusing (the library describes the one with the shortest period, so a 429 from the
    log-in limit said `RateLimit-Reset: 1` beside `Retry-After: 180`)."""

    async def state(self, limit: RateLimit, key: str) -> LimitState:
        now = datetime.now(UTC)
        stored = await self.store.get(key, now)
        return LimitState(limit, key, max(stored.astimezone(UTC), now), now)

    async def counted_state(self, setting: str) -> LimitState:
        limit: RateLimit = current_app.config[setting]
        key = f"{current_app.import_name}-{request.endpoint}-spent-{limit.key}-"
        return await self.state(limit, key + await self.key_function())

    @staticmethod
    def _counted_setting_here() -> str | None:
        if not current_app.config["QUART_RATE_LIMITER_ENABLED"]:
            return None
        return counted_setting(current_app.view_functions.get(request.endpoint or ""))

    async def take_allowance(self) -> None:
        """before_request: take this request's share of a counted limit, or refuse it."""
        setting = self._counted_setting_here()
        if setting is None:
            return
        state = await self.counted_state(setting)
        if state.retry_after is not None:
            raise RateLimitExceeded(state.retry_after)
        await self.store.set(state.key, state.arrival + timedelta(seconds=state.limit.inverse))

    async def refund(self) -> None:
        setting = self._counted_setting_here()
        if setting is None:
            return
        state = await self.counted_state(setting)
        earlier = state.arrival - timedelta(seconds=state.limit.inverse)
        await self.store.set(state.key, max(earlier, state.now))

    async def _after_request(self, response: Response) -> Response:
        """RateLimit-* and X-RateLimit-* of the limit with the fewest requests left; on a
        429, its Reset is the Retry-After the refusal gave."""
        if not current_app.config["QUART_RATE_LIMITER_ENABLED"]:
            return response
        states = await self._states()
        if not states:
            return response
        nearest = min(states, key=lambda state: (state.remaining, -state.backlog))
        reset = str(math.ceil(nearest.backlog))
        if response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
            reset = response.headers.get("Retry-After", reset)
        for prefix in ("", "X-"):
            response.headers[f"{prefix}RateLimit-Limit"] = str(nearest.limit.count)
            response.headers[f"{prefix}RateLimit-Remaining"] = str(nearest.remaining)
            response.headers[f"{prefix}RateLimit-Reset"] = reset
        return response

    async def _states(self) -> list[LimitState]:
        endpoint = request.endpoint or ""
        view = current_app.view_functions.get(endpoint)
        if view is None:
            return []
        blueprint = current_app.blueprints.get(request.blueprint or "")
        states = [
            await self.state(limit, await self._create_key(endpoint, limit))
            for limit in self._get_limits_for_view_function(view, blueprint)
        ]
        setting = counted_setting(view)
        if setting is not None and states:  # an exempt view has no limits at all
            states.append(await self.counted_state(setting))
        return states


def current_limiter() -> Limiter:
    found: Limiter = current_app.extensions["rate_limiter"]
    return found


async def refund_allowance() -> None:
    """Give back this request's share of its route's counted limit: its outcome is not what
    the limit counts (see counted_limit)."""
    await current_limiter().refund()


def init_app(app: Quart) -> Limiter:
    store: RateLimiterStoreABC
    if app.config["REDIS_URL"]:
        store = ExpiringRedisStore(app.config["REDIS_URL"])
    else:
        store = MemoryStore()
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops > 0:
        app.asgi_app = ProxyFixMiddleware(app.asgi_app, mode="legacy", trusted_hops=hops)  # type: ignore[method-assign]
    limiter = Limiter(
        app,
        key_function=client_address,
        store=store,
        default_limits=[app.config["RATELIMIT_DEFAULT"]],
    )
    app.before_request(limiter.take_allowance)
    exempt_static_files(app)
    app.extensions["rate_limiter"] = limiter
    return limiter
