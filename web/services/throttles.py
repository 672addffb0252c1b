"""Services: log-in throttles per (account, client address): checked, counted, cleared."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col
from sqlmodel import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.models import LoginThrottle
from web.models import utcnow
from web.models.user import account_subject


async def is_throttled(session: AsyncSession, subject: str, client: str) -> bool:
    now = utcnow()
    row = await session.exec(
        select(LoginThrottle.id).where(
            LoginThrottle.subject == subject,
            LoginThrottle.client == client,
            LoginThrottle.locked(now),
        )
    )
    return row.first() is not None


async def count_failure(session: AsyncSession, subject: str, client: str) -> None:
    """Count one failure of the pair, and sweep rows too old to mean anything.

    Run inside the caller's write transaction.
    """
    now = utcnow()
    dialect = session.get_bind().dialect.name
    await session.exec(delete(LoginThrottle).where(LoginThrottle.stale(now)))
    await session.exec(LoginThrottle.count_failure(dialect, subject, client, now))


async def clear(session: AsyncSession, subject: str, client: str | None = None) -> None:
    """Forget the failures of a subject from one address, or from every address.

    Run inside the caller's write transaction.
    """
    query = delete(LoginThrottle).where(col(LoginThrottle.subject) == subject)
    if client is not None:
        query = query.where(col(LoginThrottle.client) == client)
    await session.exec(query)


async def locked_accounts(session: AsyncSession, user_ids: Iterable[int]) -> set[int]:
    """Which of these accounts are paused from at least one address (the admin list)."""
    subjects = {account_subject(user_id): user_id for user_id in user_ids}
    if not subjects:
        return set()
    rows = await session.exec(
        select(LoginThrottle.subject)
        .where(col(LoginThrottle.subject).in_(subjects), LoginThrottle.locked(utcnow()))
        .distinct()
    )
    return {subjects[subject] for subject in rows}
