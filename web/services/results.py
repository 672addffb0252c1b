"""Services: a quiz's results for its author: every finished attempt with each question's
points, as pages to read and as a CSV download streamed in batches.

Columns are question identities (Question.id), across revisions: an attempt's cell for a
question its revision did not ask is blank (None), one it asked but the taker left
unanswered (finished early, or out of time) earned 0. A column is headed by the question's
text and ordered by its position in the newest revision that asked it (questions still asked
first, then the ones later removed), so renaming or moving a question keeps one column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import AsyncIterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from web.db import Database
from web.models import Attempt
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import User
from web.models import UserAnswer
from web.models.attempt import percent
from web.rich_text import rich_plain
from web.services.authoring import owned_quiz

PAGE_SIZE = 25
CSV_BATCH = 500
CSV_FIXED_HEADER = (
    "taker",
    "started_at",
    "finished_at",
    "duration_seconds",
    "points",
    "possible",
    "percent",
)
# OWASP, "CSV Injection": a cell a spreadsheet would read as a formula is prefixed with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class QuestionColumn:
    """One question identity, as the newest revision that asked it has it."""

    question_id: int
    position: int
    text: str
    text_format: str
    points: float


@dataclass(frozen=True)
class Layout:
    """The columns, and which questions each attempted revision asked."""

    columns: list[QuestionColumn]
    asked: dict[int, frozenset[int]]


@dataclass(frozen=True)
class ResultRow:
    attempt_id: int
    taker: str
    started_at: datetime
    finished_at: datetime
    duration_seconds: int | None
    points: float
    possible: float
    percent: int
    cells: tuple[float | None, ...]  # per column; None: not asked by this attempt's revision


@dataclass(frozen=True)
class QuizResults:
    quiz: Quiz
    columns: list[QuestionColumn]
    rows: list[ResultRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class ResultsCsv:
    filename: str
    chunks: AsyncIterator[bytes]


def _finished(quiz_id: int) -> ColumnElement[bool]:
    return and_(col(Attempt.quiz_id) == quiz_id, col(Attempt.finished_at).is_not(None))


async def layout_of(session: AsyncSession, quiz_id: int) -> Layout:
    """The questions of every revision some finished attempt was taken on."""
    used = select(Attempt.revision_id).where(_finished(quiz_id)).distinct()
    found = (
        await session.exec(
            select(RevisionQuestion, QuizRevision.number)
            .join(QuizRevision, col(QuizRevision.id) == col(RevisionQuestion.revision_id))
            .where(col(RevisionQuestion.revision_id).in_(used))
        )
    ).all()
    newest: dict[int, tuple[int, RevisionQuestion]] = {}
    asked: dict[int, set[int]] = {}
    for question, number in found:
        asked.setdefault(question.revision_id, set()).add(question.question_id)
        if question.question_id not in newest or newest[question.question_id][0] < number:
            newest[question.question_id] = (number, question)
    ordered = sorted(newest.values(), key=lambda pair: (-pair[0], pair[1].position))
    columns = [
        QuestionColumn(q.question_id, q.position, q.text, q.text_format, q.points)
        for _number, q in ordered
    ]
    return Layout(columns, {revision: frozenset(ids) for revision, ids in asked.items()})


async def _rows(
    session: AsyncSession, found: Sequence[tuple[Attempt, str]], layout: Layout
) -> list[ResultRow]:
    """Rows for these attempts, with their answers read in one query."""
    ids = [attempt.id for attempt, _taker in found]
    earned: dict[tuple[int, int], float] = {}
    if ids:
        answers = await session.exec(
            select(UserAnswer.attempt_id, UserAnswer.question_id, UserAnswer.points).where(
                col(UserAnswer.attempt_id).in_(ids)
            )
        )
        earned = {(attempt_id, question_id): pts for attempt_id, question_id, pts in answers}
    rows = []
    for attempt, taker in found:
        assert attempt.id is not None  # noqa: S101 - loaded rows have ids
        assert attempt.finished_at is not None  # noqa: S101 - only finished ones are read
        asked = layout.asked.get(attempt.revision_id, frozenset())
        cells = tuple(
            earned.get((attempt.id, c.question_id), 0.0) if c.question_id in asked else None
            for c in layout.columns
        )
        rows.append(
            ResultRow(
                attempt.id,
                taker,
                attempt.started_at,
                attempt.finished_at,
                attempt.duration_seconds,
                attempt.points_awarded,
                attempt.points_possible,
                percent(attempt.points_awarded, attempt.points_possible),
                cells,
            )
        )
    return rows


def _attempts_with_takers(quiz_id: int) -> Select[Attempt, str]:
    return (
        select(Attempt, User.username)
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(_finished(quiz_id))
    )


async def quiz_results(
    session: AsyncSession, user: User, slug: str, *, page: int = 1
) -> QuizResults:
    """A page of finished attempts, newest first; owners and admins only (owned_quiz)."""
    quiz = await owned_quiz(session, user, slug)
    assert quiz.id is not None  # noqa: S101 - a persisted quiz
    layout = await layout_of(session, quiz.id)
    total = (
        await session.exec(select(func.count()).select_from(Attempt).where(_finished(quiz.id)))
    ).one()
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    found = (
        await session.exec(
            _attempts_with_takers(quiz.id)
            .order_by(col(Attempt.finished_at).desc(), col(Attempt.id).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    return QuizResults(
        quiz, layout.columns, await _rows(session, found, layout), page, pages, total
    )


# --------------------------------------------------------------------------- CSV


def neutralised(value: str) -> str:
    """A cell no spreadsheet runs as a formula (OWASP's quote prefix)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _number(value: float) -> str:
    rounded = round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def _moment(value: datetime) -> str:
    """ISO 8601 in UTC; the databases hand back naive values that are UTC already."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat(timespec="seconds").replace("+00:00", "Z")


def header_text(column: QuestionColumn) -> str:
    """The question's words on one line, without their markup."""
    return " ".join(rich_plain(column.text, column.text_format).unescape().split())


def _csv(records: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [neutralised(cell) for cell in record] for record in records
    )
    return buffer.getvalue().encode()


def _record(row: ResultRow) -> list[str]:
    return [
        row.taker,
        _moment(row.started_at),
        _moment(row.finished_at),
        "" if row.duration_seconds is None else str(row.duration_seconds),
        _number(row.points),
        _number(row.possible),
        str(row.percent),
        *("" if cell is None else _number(cell) for cell in row.cells),
    ]


async def results_csv(
    session: AsyncSession, user: User, slug: str, *, batch: int = CSV_BATCH
) -> ResultsCsv:
    """Check who asks and lay out the columns now, with the request's session; the rows
    come later, as the response is sent (see _csv_chunks)."""
    quiz = await owned_quiz(session, user, slug)
    assert quiz.id is not None  # noqa: S101 - a persisted quiz
    layout = await layout_of(session, quiz.id)
    last = (await session.exec(select(func.max(Attempt.id)).where(_finished(quiz.id)))).one()
    database: Database = session.info["database"]
    chunks = _csv_chunks(database, quiz.id, layout, last or 0, batch)
    return ResultsCsv(f"{quiz.slug}-results.csv", chunks)


async def _csv_chunks(
    database: Database, quiz_id: int, layout: Layout, last_id: int, batch: int
) -> AsyncIterator[bytes]:
    """The header, then one chunk per `batch` attempts, read by keyset (id > the last one
    sent), so memory holds one batch whatever the quiz's size.

    Each batch reads in a session of its own, closed before the chunk is yielded: Quart
    sends the body after the request has ended (the request's session is closed by then),
    and a slow download must not keep a connection out of a pool of four (SQLite) or an
    open read transaction pinning the WAL. Attempts finishing during the download join it
    only up to `last_id`, the newest when it began, so the file is that moment's list.
    """
    header = [*CSV_FIXED_HEADER, *(header_text(column) for column in layout.columns)]
    yield "\ufeff".encode() + _csv([header])  # the BOM: spreadsheets then read UTF-8 names
    after = 0
    while after < last_id:
        async with database.sessionmaker() as session:
            found = (
                await session.exec(
                    _attempts_with_takers(quiz_id)
                    .where(col(Attempt.id) > after, col(Attempt.id) <= last_id)
                    .order_by(col(Attempt.id))
                    .limit(batch)
                )
            ).all()
            rows = await _rows(session, found, layout)
        if not rows:
            return
        yield _csv([_record(row) for row in rows])
        after = rows[-1].attempt_id
