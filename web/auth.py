"""Auth: quart-auth bound to our users; the cookie carries "id:session_version"."""

from __future__ import annotations

from typing import Any

from quart import Quart
from quart_auth import Action
from quart_auth import AuthUser
from quart_auth import QuartAuth
from quart_auth import current_user

from web.db import get_session
from web.models import User
from web.services.accounts import load_session_user


class SessionUser(AuthUser):
    """Loads the account once per request; a bumped session_version makes the cookie void."""

    def __init__(
        self, auth_id: str | None, action: Action = Action.PASS, user: User | None = None
    ) -> None:
        super().__init__(auth_id, action)
        self._user = user
        self._loaded = user is not None

    async def get_user(self) -> User | None:
        if not self._loaded:
            self._user = await load_session_user(get_session(), self.auth_id)
            self._loaded = True
        return self._user

    @property
    async def is_authenticated(self) -> bool:
        return await self.get_user() is not None


async def current_account() -> User | None:
    """The signed-in account of this request, or None; loaded once per request."""
    assert isinstance(current_user, SessionUser)  # noqa: S101 - init_app installs this class
    return await current_user.get_user()


async def _inject_viewer() -> dict[str, Any]:
    return {"viewer": await current_account()}


def init_app(app: Quart) -> None:
    QuartAuth(app, user_class=SessionUser)
    app.context_processor(_inject_viewer)
