"""Services: creating accounts and resolving the signed-in user of a request."""

from __future__ import annotations

from sqlmodel import func
from sqlmodel import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import Database
from web.models import User
from web.models import utcnow
from web.security import hash_password


class AccountError(ValueError):
    """A domain refusal with a message fit to show, keyed by the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


async def find_conflict(session: AsyncSession, username: str, email: str) -> AccountError | None:
    """Checked before insert: a failed insert's rollback would expire every loaded object."""
    rows = await session.exec(
        select(User.username, User.email).where(
            or_(func.lower(User.username) == username.lower(), User.email == email)
        )
    )
    for taken_username, taken_email in rows:
        if taken_username.lower() == username.lower():
            return AccountError("username", "That username is taken.")
        if taken_email == email:
            return AccountError("email", "An account with that email already exists.")
    return None


async def create_user(
    database: Database,
    session: AsyncSession,
    *,
    username: str,
    email: str,
    password: str,
    is_admin: bool = False,
    verified: bool = False,
) -> User:
    password_hash = await hash_password(password)
    async with database.writing(session):
        conflict = await find_conflict(session, username, email)
        if conflict is not None:
            raise conflict
        user = User(
            username=username,
            email=email,
            password_hash=password_hash,
            is_admin=is_admin,
            email_verified_at=utcnow() if verified else None,
        )
        session.add(user)
    return user


async def load_session_user(session: AsyncSession, auth_id: str | None) -> User | None:
    """The user an auth cookie names, if it is still valid: active and not signed out since."""
    if not auth_id:
        return None
    user_id, _, version = auth_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = await session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
