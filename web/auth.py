"""Auth: quart-auth bound to our sessions table; the signed cookie carries a session token."""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from quart import Quart
from quart import Response
from quart import request
from quart import url_for
from quart_auth import Action
from quart_auth import AuthUser
from quart_auth import QuartAuth
from quart_auth import Unauthorized
from quart_auth import current_user
from sqlalchemy import bindparam
from sqlalchemy.orm import Session
from sqlmodel import col
from sqlmodel import select
from werkzeug.exceptions import Forbidden

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
    select(User)
    .join(UserSession, col(UserSession.user_id) == User.id)
    .where(
        col(UserSession.token_hash) == bindparam("token_hash"),
        col(UserSession.expires_at) > bindparam("now"),
        col(User.is_active).is_(True),
    )
)


def _live_session_user(token: str) -> Callable[[Session], User | None]:
    parameters = {"token_hash": hash_token(token), "now": utcnow()}

    def work(session: Session) -> User | None:
        return session.execute(LIVE_SESSION_USER, parameters).scalars().first()

    return work


async def load_session_user(token: str | None) -> User | None:
    """The account behind an auth cookie, if its session is live and the account active:
    read on every request (a revoked session ends at once, in every worker), in one hop."""
    if not token:
        return None
    return await run_in_one_hop(get_session(), _live_session_user(token))


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
    app.context_processor(_inject_viewer)
    app.register_error_handler(Unauthorized, handle_unauthorized)
