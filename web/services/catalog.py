"""Services: the catalog of published quizzes, a quiz's overview and its leaderboard."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import select as sa_select
from sqlmodel import and_
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import escape_like
from web.models import Attempt
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import User
from web.models.attempt import percent
from web.models.quiz import searchable
from web.services.attempts import settle_expired

PAGE_SIZE = 12  # fills whole rows of the grid at 1, 2, 3 or 4 columns
LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class QuizCard:
    quiz: Quiz
    revision: QuizRevision
    question_count: int


@dataclass(frozen=True)
class CatalogPage:
    cards: list[QuizCard]
    categories: list[str]
    query: str
    category: str
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    username: str
    percent: int
    points: float
    possible: float
    seconds: int


@dataclass(frozen=True)
class QuizOverview:
    quiz: Quiz
    revision: QuizRevision
    question_count: int
    best: Attempt | None
    open_attempt: Attempt | None
    leaderboard: list[LeaderboardEntry]


def _question_counts() -> ColumnElement[int]:
    return (
        select(func.count(col(RevisionQuestion.id)))
        .where(col(RevisionQuestion.revision_id) == col(Quiz.current_revision_id))
        .correlate(Quiz)
        .scalar_subquery()
    )


def _listed() -> list[ColumnElement[bool]]:
    """What the catalog shows: published, not archived (a current revision is implied by
    the join to it)."""
    return [col(Quiz.is_published).is_(True), col(Quiz.archived_at).is_(None)]


def _percent() -> ColumnElement[float]:
    """An attempt's share of its revision's points: comparable across revisions."""
    return col(Attempt.points_awarded) / func.nullif(col(Attempt.points_possible), 0)


async def search_catalog(
    session: AsyncSession, *, query: str = "", category: str = "", page: int = 1
) -> CatalogPage:
    """One page of published quizzes matching the words and category; a page past the end
    shows the last one, and the categories offered are those with a published quiz."""
    conditions = _listed()
    if query:
        # Fold before escaping: NFKD turns a full-width percent sign into the wildcard "%".
        pattern = f"%{escape_like(searchable(query))}%"
        conditions.append(col(Quiz.search_text).like(pattern, escape="\\"))
    if category:
        conditions.append(col(Quiz.category) == category)
    where = and_(*conditions)
    total = (await session.exec(select(func.count()).select_from(Quiz).where(where))).one()
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    rows = (
        await session.exec(
            select(Quiz, QuizRevision, _question_counts())
            .join(QuizRevision, col(QuizRevision.id) == col(Quiz.current_revision_id))
            .where(where)
            .order_by(col(Quiz.category), col(Quiz.title))
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    categories = (
        await session.exec(
            select(Quiz.category).where(*_listed()).distinct().order_by(col(Quiz.category))
        )
    ).all()
    # A category that has emptied (an old link) stays offered, so the select shows the filter.
    offered = sorted({*categories, category}) if category else list(categories)
    return CatalogPage(
        cards=[QuizCard(quiz, revision, count) for quiz, revision, count in rows],
        categories=offered,
        query=query,
        category=category,
        page=page,
        pages=pages,
        total=total,
    )


async def leaderboard(session: AsyncSession, quiz_id: int) -> list[LeaderboardEntry]:
    """Each person's best finished attempt: highest percent first (attempts of different
    revisions may offer different points), then the fastest. Live games' attempts stay out:
    the host set their pace."""
    share = _percent()
    ranked = (
        sa_select(  # SQLModel's select stops at four columns
            col(Attempt.user_id),
            share.label("share"),
            col(Attempt.points_awarded),
            col(Attempt.points_possible),
            col(Attempt.duration_seconds),
            func.row_number()
            .over(
                partition_by=col(Attempt.user_id),
                order_by=(share.desc(), col(Attempt.duration_seconds)),
            )
            .label("rank_in_user"),
        )
        .where(
            col(Attempt.quiz_id) == quiz_id,
            col(Attempt.finished_at).is_not(None),
            col(Attempt.game_id).is_(None),
        )
        .subquery()
    )
    rows = (
        await session.exec(
            select(
                User.username,
                ranked.c.points_awarded,
                ranked.c.points_possible,
                ranked.c.duration_seconds,
            )
            .join(ranked, ranked.c.user_id == User.id)
            .where(ranked.c.rank_in_user == 1)
            .order_by(ranked.c.share.desc(), ranked.c.duration_seconds, User.username)
            .limit(LEADERBOARD_SIZE)
        )
    ).all()
    return [
        LeaderboardEntry(
            rank,
            username,
            percent(awarded, possible),
            awarded,
            possible,
            seconds or 0,
        )
        for rank, (username, awarded, possible, seconds) in enumerate(rows, start=1)
    ]


async def quiz_overview(session: AsyncSession, slug: str, user: User | None) -> QuizOverview | None:
    row = (
        await session.exec(
            select(Quiz, QuizRevision, _question_counts())
            .join(QuizRevision, col(QuizRevision.id) == col(Quiz.current_revision_id))
            .where(col(Quiz.slug) == slug, *_listed())
        )
    ).first()
    if row is None:
        return None
    quiz, revision, count = row
    assert quiz.id is not None  # noqa: S101 - a persisted quiz
    best = open_attempt = None
    if user is not None:
        await settle_expired(session, user)  # an attempt past its deadline is not "Resume"
        mine = select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
        open_attempt = (await session.exec(mine.where(col(Attempt.finished_at).is_(None)))).first()
        best = (
            await session.exec(
                mine.where(col(Attempt.finished_at).is_not(None))
                .order_by(_percent().desc(), col(Attempt.duration_seconds))
                .limit(1)
            )
        ).first()
    board = await leaderboard(session, quiz.id)
    return QuizOverview(quiz, revision, count, best, open_attempt, board)
