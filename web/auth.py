"""Auth: quart-auth bound to our sessions table; the signed cookie carries a session token.

The account behind a session is cached per process (SessionCache), because reading it was
the one statement every request paid. Revocation stays correct across workers: any commit
that deletes sessions or changes an account (log-out, password change or reset,
deactivation, an admin's edit, a log-in's timestamp) rewrites a small epoch file on its way
out, and every lookup reads that file first; an entry made under another epoch is not used.
So a request that starts after the revoking request has committed never sees the old
account, in any worker on the host. Changes the app did not make (an operator's SQL, another
host) are seen within SESSION_CACHE_SECONDS.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import tempfile
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from quart import Quart
from quart import Response
from quart import current_app
from quart import request
from quart import url_for
from quart_auth import Action
from quart_auth import AuthUser
from quart_auth import QuartAuth
from quart_auth import Unauthorized
from quart_auth import current_user
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlmodel import col
from sqlmodel import select
from werkzeug.exceptions import Forbidden

from web.db import Database
from web.db import detached
from web.db import get_database
from web.db import get_session
from web.db import run_in_one_hop
from web.htmx import is_htmx
from web.htmx import redirect_to
from web.models import User
from web.models import UserSession
from web.models import utcnow
from web.security import hash_token


class SessionUser(AuthUser):
    """Loads the account once per request; a closed or expired session reads as signed out."""

    def __init__(
        self, auth_id: str | None, action: Action = Action.PASS, user: User | None = None
    ) -> None:
        super().__init__(auth_id, action)
        self._user = user
        self._loaded = user is not None

    async def get_user(self) -> User | None:
        if not self._loaded:
            self._user = await load_session_user(self.auth_id)
            self._loaded = True
        return self._user

    @property
    async def is_authenticated(self) -> bool:
        return await self.get_user() is not None


# Built once: composing the statement cost about as much as running it.
LIVE_SESSION_USER = (
    select(User, UserSession.expires_at)
    .join(UserSession, col(UserSession.user_id) == User.id)
    .where(
        col(UserSession.token_hash) == bindparam("token_hash"),
        col(UserSession.expires_at) > bindparam("now"),
        col(User.is_active).is_(True),
    )
)
USER_COLUMNS = tuple(column.key for column in User.__table__.columns)  # type: ignore[attr-defined]
# Statements after which cached accounts may be wrong (matched on the SQL both engines send).
REVOKING = ("DELETE FROM user_sessions", "UPDATE users", "DELETE FROM users")
CHANGED = "hyperquiz_accounts_changed"
MAX_CACHED_SESSIONS = 10_000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    values: dict[str, Any]
    expires_at: datetime
    loaded_at: float
    epoch: bytes


class SessionCache:
    """Accounts by session token hash, for one process; see the module docstring."""

    def __init__(self, epoch_file: Path, seconds: float) -> None:
        self.epoch_file = epoch_file
        self.seconds = seconds
        self._entries: dict[str, _Entry] = {}

    def epoch(self) -> bytes:
        try:
            return self.epoch_file.read_bytes()
        except FileNotFoundError:
            return b""

    def get(self, token_hash: str, epoch: bytes) -> User | None:
        """A fresh detached User (requests may change and add it), or None on a miss."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if (
            entry.epoch != epoch
            or time.monotonic() - entry.loaded_at > self.seconds
            or entry.expires_at <= utcnow()
        ):
            self._entries.pop(token_hash, None)
            return None
        return detached(User, entry.values)

    def put(self, token_hash: str, user: User, expires_at: datetime, epoch: bytes) -> None:
        """`epoch` is the one read before the database was: a revocation committed after
        that read makes the entry unusable."""
        if self.seconds <= 0:
            return
        if len(self._entries) >= MAX_CACHED_SESSIONS:
            self._entries.clear()
        values = {name: getattr(user, name) for name in USER_COLUMNS}
        self._entries[token_hash] = _Entry(values, expires_at, time.monotonic(), epoch)

    def bump(self) -> None:
        """Accounts changed: forget them here, and tell every worker through the file."""
        self._entries.clear()
        temporary = self.epoch_file.with_name(f"{self.epoch_file.name}.{secrets.token_hex(8)}")
        try:
            temporary.write_bytes(secrets.token_bytes(16))
            temporary.replace(self.epoch_file)
        except OSError:  # other workers cannot be told: stop caching rather than be wrong
            log.exception("Could not write %s; session caching is off", self.epoch_file)
            temporary.unlink(missing_ok=True)
            self.seconds = 0

    def watch(self, database: Database) -> None:
        """Bump after every transaction that ran a REVOKING statement, once its connection
        is back in the pool: after COMMIT, so no worker re-reads the old rows meanwhile."""

        def mark(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().startswith(REVOKING):
                connection.info[CHANGED] = True

        def returned(_dbapi_connection: Any, record: Any) -> None:
            if record is not None and record.info.pop(CHANGED, False):
                self.bump()

        # The one-hop engine's statements reach the async engine's listeners as well.
        event.listen(database.engine.sync_engine, "before_cursor_execute", mark)
        for engine in database.sync_engines():
            event.listen(engine.pool, "checkin", returned)


def default_epoch_file(database_url: str) -> Path:
    """One file per database on this host: every worker serving it derives the same name.

    A SQLite database keeps it beside its file, where every process that can open the
    database can reach it (a service's private /tmp is not shared) and it goes with it; any
    other database gets one in the temporary directory, named by the URL's digest.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        return database.with_name(f"{database.name}.session-epoch")
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"hyperquiz-session-epoch-{digest}"


def _live_session_user(token_hash: str) -> Callable[[Session], tuple[User, datetime] | None]:
    parameters = {"token_hash": token_hash, "now": utcnow()}

    def work(session: Session) -> tuple[User, datetime] | None:
        row = session.execute(LIVE_SESSION_USER, parameters).first()
        return None if row is None else (row[0], row[1])

    return work


async def load_session_user(token: str | None) -> User | None:
    """The account behind an auth cookie, if its session is live and the account active:
    from this process's cache when it may answer, else read in one hop."""
    if not token:
        return None
    token_hash = hash_token(token)
    cache: SessionCache | None = current_app.extensions.get("session_cache")
    epoch = cache.epoch() if cache is not None else b""
    if cache is not None:
        user = cache.get(token_hash, epoch)
        if user is not None:
            return user
    found = await run_in_one_hop(get_session(), _live_session_user(token_hash))
    if found is None:
        return None
    user, expires_at = found
    if cache is not None:
        cache.put(token_hash, user, expires_at, epoch)
    return user


async def current_account() -> User | None:
    """The signed-in account of this request, or None; loaded once per request."""
    assert isinstance(current_user, SessionUser)  # noqa: S101 - init_app installs this class
    return await current_user.get_user()


def session_token() -> str | None:
    return current_user.auth_id


async def require_account() -> User:
    user = await current_account()
    if user is None:
        raise Unauthorized()
    return user


def admin_required[**P, R](view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Checked in the route, never only in a template: a fragment URL can be requested directly."""

    @functools.wraps(view)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        user = await require_account()
        if not user.is_admin:
            raise Forbidden()
        return await view(*args, **kwargs)

    return wrapper


def login_required[**P, R](view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(view)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        await require_account()
        return await view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):  # noqa: PLR2004 - ASCII controls
        return default
    return target


async def handle_unauthorized(_error: Unauthorized) -> Response:
    """Send the visitor to log in and bring them back afterwards (HX-Redirect for htmx)."""
    if is_htmx():
        try:
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
        except ValueError:  # a hand-made header such as "http://[::1"
            current = urlsplit("")
        back = current.path + (f"?{current.query}" if current.query else "")
    else:
        back = request.full_path.rstrip("?") if request.method == "GET" else ""
    back = safe_next(back, "")
    target = url_for("auth.login_page", next=back) if back else url_for("auth.login_page")
    return redirect_to(target)


async def _inject_viewer() -> dict[str, Any]:
    return {"viewer": await current_account()}


def init_app(app: Quart) -> None:
    QuartAuth(app, user_class=SessionUser)
    seconds = float(app.config.get("SESSION_CACHE_SECONDS", 30))
    if seconds > 0:
        epoch_file = app.config.get("SESSION_EPOCH_FILE") or default_epoch_file(
            app.config["DATABASE_URL"]
        )
        cache = SessionCache(Path(epoch_file), seconds)
        cache.watch(get_database(app))
        app.extensions["session_cache"] = cache
    app.context_processor(_inject_viewer)
    app.register_error_handler(Unauthorized, handle_unauthorized)
