"""Rate limiting: quart-rate-limiter keyed on the real client address, in memory or Redis."""

from __future__ import annotations

import math
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from hypercorn.middleware import ProxyFixMiddleware
from quart import Quart
from quart import Response
from quart import request
from quart_rate_limiter import RateLimit
from quart_rate_limiter import RateLimiter
from quart_rate_limiter import rate_exempt
from quart_rate_limiter.redis_store import RedisStore
from quart_rate_limiter.store import MemoryStore
from quart_rate_limiter.store import RateLimiterStoreABC
from werkzeug.exceptions import NotFound

# Generous enough that a person taking quizzes never meets it; it stops scripted floods.
DEFAULT_LIMITS = [RateLimit(300, timedelta(minutes=1))]


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


class ExpiringRedisStore(RedisStore):
    """RedisStore whose keys expire once their limit has reset; the library's never expire."""

    async def set(self, key: str, tat: datetime) -> None:
        ttl = max(math.ceil((tat - datetime.now(UTC)).total_seconds()), 1)
        await self._redis.set(key, tat.timestamp(), ex=ttl)  # type: ignore[union-attr]

    async def after_serving(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


async def mirror_headers(response: Response) -> Response:
    """Expose the limits under the X-RateLimit-* names too, which most clients look for."""
    for name in ("Limit", "Remaining", "Reset"):
        value = response.headers.get(f"RateLimit-{name}")
        if value is not None:
            response.headers[f"X-RateLimit-{name}"] = value
    return response


def init_app(app: Quart) -> RateLimiter:
    store: RateLimiterStoreABC
    if app.config["REDIS_URL"]:
        store = ExpiringRedisStore(app.config["REDIS_URL"])
    else:
        store = MemoryStore()
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops > 0:
        app.asgi_app = ProxyFixMiddleware(app.asgi_app, mode="legacy", trusted_hops=hops)  # type: ignore[method-assign]
    # after_request handlers run in reverse order: register the mirror before the limiter
    # so it runs after the limiter has written its headers.
    app.after_request(mirror_headers)
    limiter = RateLimiter(
        app,
        key_function=client_address,
        store=store,
        default_limits=DEFAULT_LIMITS,
    )
    exempt_static_files(app)
    app.extensions["rate_limiter"] = limiter
    return limiter
