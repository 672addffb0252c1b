"""Security: CSRF, response headers, password hashing and one-use token hashing.

CSRF is written here rather than taken from a library: the maintained options either
protect only WTForms forms (not htmx requests that carry no form) or are single-maintainer
ports with their own import-name clash (research/stack-facts.md §4). The check is small,
app-wide, and covered by tests/unit/test_security.py and tests/integration/test_csrf.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from argon2 import PasswordHasher
from argon2 import profiles
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from quart import Quart
from quart import Response
from quart import current_app
from quart import request
from quart import session
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound

CSRF_SESSION_KEY = "csrf_token"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ASCII_SPACE = 0x20
ASCII_DELETE = 0x7F
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Sec-Fetch-Site values a browser sends for requests our own pages made (or a typed URL).
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    )
)


class CSRFError(Forbidden):
    description = "Your form expired or came from another site. Reload the page and try again."


def csrf_token() -> str:
    """The session's token, made on first use; templates put it in forms and the htmx header."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def tokens_match(expected: object, sent: object) -> bool:
    if not isinstance(expected, str) or not isinstance(sent, str) or not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


async def check_csrf() -> None:
    """Refuse any unsafe request that lacks the session's token or comes from another site.

    Routing answers first: a URL that does not take the method is a 405 and an unknown one a
    404 (there is nothing there to protect); werkzeug matched the request before this runs.
    """
    if request.method not in UNSAFE_METHODS:
        return
    if request.routing_exception is not None:
        raise request.routing_exception
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in TRUSTED_FETCH_SITES:
        raise CSRFError()
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = (await request.form).get(CSRF_FORM_FIELD)
    if not tokens_match(session.get(CSRF_SESSION_KEY), sent):
        raise CSRFError()


async def refuse_control_characters() -> None:
    """No page has a control character in its path; PostgreSQL would refuse a NUL (a 500)."""
    if any(ord(char) < ASCII_SPACE or ord(char) == ASCII_DELETE for char in request.path):
        raise NotFound()


async def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["HSTS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html":
        # Pages differ for htmx and plain requests; caches must keep them apart (CONTRACT.md).
        response.vary.add("HX-Request")
    return response


# argon2 takes 64 MiB and most of a core per hash (RFC 9106 low-memory profile): one hash
# per core at a time, so a burst of log-ins queues here instead of allocating without bound.
# One pool per process, since memory and cores are the process's, not an app's.
_HASHING = ThreadPoolExecutor(max_workers=os.process_cpu_count() or 1, thread_name_prefix="argon2")
DUMMY_HASH_KEY = "dummy_password_hash"


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile.upper()))


def _current_hasher() -> PasswordHasher:
    return _hasher(current_app.config["ARGON2_PROFILE"])


async def _in_hashing_pool[T](func: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, func, *args)


async def hash_password(password: str) -> str:
    """argon2id off the event loop, in the bounded pool: one hash costs ~0.25 s of CPU."""
    return await _in_hashing_pool(_current_hasher().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    try:
        return await _in_hashing_pool(_current_hasher().verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """A hash made with other argon2 parameters than today's, to be replaced at log-in (it
    has just verified, so it parses)."""
    return _current_hasher().check_needs_rehash(password_hash)


async def prepare_dummy_hash() -> None:
    """The reference hash unknown and throttled log-ins are checked against, made before
    serving: made on first use, the first such refusal would be slower than a real one."""
    current_app.extensions[DUMMY_HASH_KEY] = await hash_password(secrets.token_urlsafe(16))


async def burn_password_check(password: str) -> None:
    """Spend what a real check costs, so a refusal that needs none answers as slowly."""
    await verify_password(current_app.extensions[DUMMY_HASH_KEY], password)


def new_url_token() -> tuple[str, str]:
    """A token for an emailed link and the hash we store; the token itself is never stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Quart) -> None:
    app.before_request(refuse_control_characters)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.before_serving(prepare_dummy_hash)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["CSRF_FORM_FIELD"] = CSRF_FORM_FIELD
