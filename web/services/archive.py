"""Services: taking a quiz out of the catalog without losing anything people made.

A quiz is never deleted: its revisions, attempts and answers are history that results
pages, dashboards and leaderboards point at. Archiving hides it from the catalog and from
new attempts; restoring brings it back as it was.
"""

from __future__ import annotations

from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.models import Quiz
from web.models import utcnow


class QuizNotFoundError(LookupError):
    """No quiz has that slug."""


async def set_archived(session: AsyncSession, slug: str, *, archived: bool) -> Quiz:
    """Archive the quiz (or restore it); doing what is already done changes nothing."""
    async with writing(session):
        quiz = (await session.exec(select(Quiz).where(col(Quiz.slug) == slug))).first()
        if quiz is None:
            raise QuizNotFoundError(f"No quiz has the slug: {slug}")
        if archived != (quiz.archived_at is not None):
            quiz.archived_at = utcnow() if archived else None
            quiz.updated_at = utcnow()
            session.add(quiz)
    return quiz
