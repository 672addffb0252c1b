"""Services: what administrators do to accounts: list, deactivate, reactivate, unlock (lift
log-in throttles), make or remove an author."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlmodel import col
from sqlmodel import delete
from sqlmodel import func
from sqlmodel import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import escape_like
from web.db import writing
from web.models import User
from web.models import UserSession
from web.models.user import account_subject
from web.services import throttles
from web.services.accounts import AccountError

PAGE_SIZE = 25


class UserNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class UserRow:
    """An account as the list shows it: `locked` when log-in is paused from some address."""

    user: User
    locked: bool = False


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    page: int
    pages: int
    total: int
    query: str


async def list_users(session: AsyncSession, *, page: int = 1, query: str = "") -> UserPage:
    condition = None
    if query:
        pattern = f"%{escape_like(query.lower())}%"
        condition = or_(
            func.lower(User.username).like(pattern, escape="\\"),
            col(User.email).like(pattern, escape="\\"),
        )
    count_query = select(func.count()).select_from(User)
    list_query = select(User).order_by(func.lower(User.username))
    if condition is not None:
        count_query = count_query.where(condition)
        list_query = list_query.where(condition)
    total = (await session.exec(count_query)).one()
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    users = (await session.exec(list_query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))).all()
    locked = await throttles.locked_accounts(session, [user.id for user in users if user.id])
    rows = [UserRow(user, user.id in locked) for user in users]
    return UserPage(rows, page, pages, total, query)


async def _load(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFoundError(user_id)
    return user


async def _is_locked(session: AsyncSession, user_id: int) -> bool:
    return bool(await throttles.locked_accounts(session, [user_id]))


async def user_row(session: AsyncSession, user_id: int) -> UserRow | None:
    user = await session.get(User, user_id)
    return None if user is None else UserRow(user, await _is_locked(session, user_id))


async def set_active(session: AsyncSession, admin: User, user_id: int, *, active: bool) -> UserRow:
    """Deactivating also ends every session of the account, so it takes effect at once."""
    if user_id == admin.id and not active:
        raise AccountError("user", "You cannot deactivate your own account.")
    async with writing(session):
        user = await _load(session, user_id)
        user.is_active = active
        if not active:
            await session.exec(delete(UserSession).where(col(UserSession.user_id) == user_id))
    return UserRow(user, await _is_locked(session, user_id))


async def unlock(session: AsyncSession, user_id: int) -> UserRow:
    """Lift every log-in pause of the account, from whichever addresses caused them."""
    async with writing(session):
        user = await _load(session, user_id)
        await throttles.clear(session, account_subject(user_id))
    return UserRow(user)


ADMINS_ARE_AUTHORS = "Admins are authors already: there is nothing to change."


async def set_author(session: AsyncSession, admin: User, user_id: int, *, author: bool) -> UserRow:
    """Grant or revoke authoring (CONTRACT.md: "Make author", "Remove author").

    An admin's flag is left alone, their own or another's: admins author by being admins
    (User.may_author), so a change would show nothing and only surprise whoever later stops
    them being one. The list shows such a row as "Author (admin)" without the buttons.
    Revoking keeps the quizzes the author wrote (still theirs, and an admin's to edit).
    `admin` is who acts (the route has checked it is one), as for set_active.
    """
    async with writing(session):
        user = await _load(session, user_id)
        if user.is_admin:
            raise AccountError("user", ADMINS_ARE_AUTHORS)
        user.is_author = author
    return UserRow(user, await _is_locked(session, user_id))
