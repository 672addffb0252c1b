"""Services: progress for the dashboard: totals, per category, recent and open attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Float
from sqlalchemy import cast
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.models import Attempt
from web.models import Quiz
from web.models import User
from web.services.attempts import settle_expired

RECENT = 10


@dataclass(frozen=True)
class CategoryProgress:
    category: str
    attempts: int
    average_percent: int
    best_percent: int


@dataclass(frozen=True)
class AttemptSummary:
    attempt: Attempt
    quiz: Quiz


@dataclass(frozen=True)
class Progress:
    attempts: int
    average_percent: int | None
    best_percent: int | None
    categories: list[CategoryProgress]
    recent: list[AttemptSummary]
    open: list[AttemptSummary]


def _percent() -> ColumnElement[Any]:
    """Percent of the attempt's own revision's points: averages stay fair across revisions."""
    return 100 * cast(Attempt.points_awarded, Float) / func.nullif(Attempt.points_possible, 0)


async def progress(session: AsyncSession, user: User) -> Progress:
    await settle_expired(session, user)
    finished = (col(Attempt.user_id) == user.id, col(Attempt.finished_at).is_not(None))
    percent = _percent()
    per_category = (
        await session.exec(
            select(Quiz.category, func.count(), func.avg(percent), func.max(percent))
            .join(Quiz, col(Quiz.id) == Attempt.quiz_id)
            .where(*finished)
            .group_by(col(Quiz.category))
            .order_by(col(Quiz.category))
        )
    ).all()
    totals = (
        await session.exec(
            select(func.count(), func.avg(percent), func.max(percent)).where(*finished)
        )
    ).one()
    recent = (
        await session.exec(
            select(Attempt, Quiz)
            .join(Quiz, col(Quiz.id) == Attempt.quiz_id)
            .where(*finished)
            .order_by(col(Attempt.finished_at).desc())
            .limit(RECENT)
        )
    ).all()
    open_attempts = (
        await session.exec(
            select(Attempt, Quiz)
            .join(Quiz, col(Quiz.id) == Attempt.quiz_id)
            .where(
                col(Attempt.user_id) == user.id,
                col(Attempt.finished_at).is_(None),
                col(Attempt.game_id).is_(None),  # a live game's, which the host finishes
            )
            .order_by(col(Attempt.started_at).desc())
        )
    ).all()
    count, average, best = totals
    return Progress(
        attempts=count,
        average_percent=round(average) if average is not None else None,
        best_percent=round(best) if best is not None else None,
        categories=[
            CategoryProgress(category, n, round(avg or 0), round(top or 0))
            for category, n, avg, top in per_category
        ],
        recent=[AttemptSummary(attempt, quiz) for attempt, quiz in recent],
        open=[AttemptSummary(attempt, quiz) for attempt, quiz in open_attempts],
    )
