"""Services: taking a quiz: start or resume, answer, finish, and read the results.

The hot path (answering) runs at most five statements: the session's user (mostly answered
by web/auth.py's cache), the attempt with its quiz and the answers so far (one hop), one
INSERT and one UPDATE ... RETURNING (one hop, one short write transaction). The attempt's
revision comes from services/content.py's cache; grading is the question kind's (web/kinds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Insert
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import Update
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import or_
from sqlalchemy import select as select_core
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from web.db import detached
from web.db import run_in_one_hop
from web.db import writing
from web.kinds import ResponseError
from web.kinds.base import Form
from web.models import Attempt
from web.models import AttemptClosedError
from web.models import AttemptError
from web.models import AttemptNotFoundError
from web.models import InvalidResponseError
from web.models import Quiz
from web.models import User
from web.models import UserAnswer
from web.models import utcnow
from web.models.attempt import DEADLINE_GRACE
from web.models.attempt import FINISHED
from web.services.attempt_state import Answer
from web.services.attempt_state import AttemptState
from web.services.attempt_state import StoredResponse
from web.services.content import QuestionView
from web.services.content import revision_content

NOT_FOUND = "We could not find that attempt."
COUNTERS = (
    "answered_count",
    "points_awarded",
    "points_answered",
    "finished_at",
    "duration_seconds",
)

# Core, not the ORM, for the hot writes: no unit of work, no identity map to synchronize.
ATTEMPTS: Table = Attempt.__table__  # type: ignore[attr-defined]
ANSWERS: Table = UserAnswer.__table__  # type: ignore[attr-defined]
QUIZZES: Table = Quiz.__table__  # type: ignore[attr-defined]
_StateRows = tuple[Attempt, Quiz, dict[int, Answer]] | None


LIVE_GAME = "This attempt belongs to a live game: answer on the game's page."


class LiveGameAttemptError(AttemptError):
    """409: the attempt is being played in a live game."""


class NotVerifiedError(AttemptError):
    status = 403


@dataclass(frozen=True)
class AnswerOutcome:
    state: AttemptState
    question: QuestionView
    position: int
    answer: Answer
    duplicate: bool

    def already_answered(self) -> str:
        """What a second tab (or a double submit) is told: the answer that counts. Exam mode
        too: the taker's own answer reveals nothing."""
        given = self.question.body.describe(self.answer.response)
        return (
            f"You already answered this question (question {self.position} of "
            f"{self.state.total}). Your answer: {given}."
        )


def _columns(model: type) -> list[tuple[str, ColumnElement[Any]]]:
    """(attribute, column) of every mapped column of `model`."""
    mapper: Mapper[Any] = sa_inspect(model)
    return [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]


ATTEMPT_COLUMNS = _columns(Attempt)
QUIZ_COLUMNS = _columns(Quiz)
ATTEMPT_USER_ID = [key for key, _column in ATTEMPT_COLUMNS].index("user_id")
# Built once: composing a statement costs about as much as running it. Core rows, not ORM
# entities: loading two instances through the ORM (identity map, instrumented setattr per
# column) cost about as much as the rest of the read.
ATTEMPT_WITH_QUIZ = (
    select_core(*(column for _key, column in ATTEMPT_COLUMNS + QUIZ_COLUMNS))
    .select_from(ATTEMPTS.join(QUIZZES, QUIZZES.c.id == ATTEMPTS.c.quiz_id))
    .where(ATTEMPTS.c.id == bindparam("attempt_id"))
)
# The responses as their JSON text (StoredResponse decodes the one looked at). A CAST in
# SQL, not type_coerce: asyncpg decodes a json column itself, whatever type SQLAlchemy
# was told, so only the database can hand it over as text.
ANSWERS_SO_FAR = select_core(
    ANSWERS.c.question_id, cast(ANSWERS.c.response, Text), ANSWERS.c.points
).where(ANSWERS.c.attempt_id == bindparam("attempt_id"))


def _read_state(user_id: int | None, attempt_id: int) -> Callable[[Session], _StateRows]:
    """The attempt with its quiz, and its answers so far: two statements in one hop."""
    parameters = {"attempt_id": attempt_id}
    split = len(ATTEMPT_COLUMNS)

    def work(session: Session) -> _StateRows:
        # The session's connection, not session.execute: Core statements need none of the
        # ORM's execution machinery.
        connection = session.connection()
        row = connection.execute(ATTEMPT_WITH_QUIZ, parameters).first()
        # someone else's attempt does not exist
        if row is None or row[ATTEMPT_USER_ID] != user_id:
            return None
        answers = connection.execute(ANSWERS_SO_FAR, parameters).all()
        attempt = detached(
            Attempt, {key: row[i] for i, (key, _column) in enumerate(ATTEMPT_COLUMNS)}
        )
        quiz = detached(
            Quiz, {key: row[split + i] for i, (key, _column) in enumerate(QUIZ_COLUMNS)}
        )
        return attempt, quiz, {q: Answer(StoredResponse(r), p) for q, r, p in answers}

    return work


async def _load_state(session: AsyncSession, user_id: int | None, attempt_id: int) -> AttemptState:
    found = await run_in_one_hop(session, _read_state(user_id, attempt_id))
    if found is None:
        raise AttemptNotFoundError(NOT_FOUND)
    attempt, quiz, answers = found
    if attempt.game_id is not None and not attempt.is_finished:
        # A live game's attempt moves with the game (services/live_play.py), not here.
        raise LiveGameAttemptError(LIVE_GAME)
    content = await revision_content(session, attempt.revision_id)
    state = AttemptState(attempt, quiz, content, answers)
    if not attempt.is_finished and attempt.is_expired():
        async with writing(session):
            attempt.finish()
            session.add(attempt)
    return state


async def load_state(session: AsyncSession, user: User, attempt_id: int) -> AttemptState:
    """The attempt, its quiz and its answers: load it once per request and pass it on.

    Also finishes an attempt whose time ran out: the deadline holds without JavaScript."""
    return await _load_state(session, user.id, attempt_id)


def _insert_ignoring_duplicates(dialect: str) -> Insert:
    """INSERT that does nothing when the (attempt, question) answer exists: no rollback needed."""
    if dialect == "sqlite":
        return sqlite_insert(ANSWERS).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql_insert(ANSWERS).on_conflict_do_nothing()
    return insert(ANSWERS)  # pragma: no cover - only the two supported


# Built once per dialect, values bound at execution: composing the INSERT and the UPDATE
# below took about a millisecond per answer, more than running them.
_INSERT_ANSWER: dict[str, Insert] = {}


def insert_answer(dialect: str) -> Insert:
    statement = _INSERT_ANSWER.get(dialect)
    if statement is None:
        statement = _INSERT_ANSWER[dialect] = _insert_ignoring_duplicates(dialect)
    return statement


def _counting() -> Update:
    table = ATTEMPTS
    is_last = table.c.answered_count + 1 >= table.c.question_count
    return (
        update(table)
        .where(
            table.c.id == bindparam("attempt_id", type_=table.c.id.type),
            table.c.finished_at.is_(None),
            # The deadline holds in the statement too: Python's check ran earlier, and a
            # request can sit between that check and this UPDATE (the write lock, a slow
            # thread hop) while the clock runs out.
            or_(
                table.c.deadline_at.is_(None),
                table.c.deadline_at > bindparam("cutoff", type_=table.c.deadline_at.type),
            ),
        )
        .values(
            answered_count=table.c.answered_count + 1,
            points_awarded=table.c.points_awarded
            + bindparam("points", type_=table.c.points_awarded.type),
            points_answered=table.c.points_answered
            + bindparam("question_points", type_=table.c.points_answered.type),
            # The last answer finishes the attempt in the same statement.
            finished_at=case(
                (is_last, bindparam("now", type_=table.c.finished_at.type)), else_=None
            ),
            duration_seconds=case(
                (is_last, bindparam("duration", type_=table.c.duration_seconds.type)),
                else_=None,
            ),
        )
        .returning(*(table.c[name] for name in COUNTERS))
    )


COUNTING = _counting()


def _store_answer(
    attempt: Attempt, question: QuestionView, answer: Answer
) -> Callable[[Session], tuple[object, ...] | None]:
    """Insert the answer and count it on the attempt (Core: two statements, one hop); the
    attempt's new counters, or None when an answer was already stored."""
    now = utcnow()
    values = {
        "attempt_id": attempt.id,
        "question_id": question.id,
        "response": answer.response,
        "points": answer.points,
        "answered_at": now,
    }
    counts = {
        "attempt_id": attempt.id,
        "cutoff": now - DEADLINE_GRACE,
        "points": answer.points,
        "question_points": question.points,
        "now": now,
        "duration": int((now - attempt.started_at).total_seconds()),
    }

    def work(session: Session) -> tuple[object, ...] | None:
        connection = session.connection()
        inserted = connection.execute(insert_answer(connection.dialect.name), values)
        if inserted.rowcount == 0:
            return None
        counted = connection.execute(COUNTING, counts).first()
        if counted is None:  # out of time or finished meanwhile; the rollback takes it out
            attempt.check_open(now)  # "Time is up" when that is why
            raise AttemptClosedError(FINISHED)
        return tuple(counted)

    return work


def grade(question: QuestionView, form: Form) -> Answer:
    """The form as the question's kind reads it, and the points that earns; a form that is
    no answer (nothing chosen, not a number) is refused with the kind's message."""
    try:
        response = question.body.parse(form)
    except ResponseError as error:
        raise InvalidResponseError(error.message) from error
    return Answer(response, round(question.points * question.body.fraction(response), 7))


async def record_answer(
    session: AsyncSession, state: AttemptState, position: int, form: Form
) -> AnswerOutcome:
    """Store one answer, once: a repeat (double submit, second tab) returns the stored one.

    `state` is the request's one load of the attempt (load_state); a refusal leaves it as it
    was, for the route to show the card again."""
    question = state.question_at(position)
    stored = state.answers.get(question.id)
    if stored is not None:
        return AnswerOutcome(state, question, position, stored, duplicate=True)
    state.attempt.check_open()
    answer = grade(question, form)
    counted = await run_in_one_hop(
        session, _store_answer(state.attempt, question, answer), write=True
    )
    if counted is not None:
        for name, value in zip(COUNTERS, counted, strict=True):
            set_committed_value(state.attempt, name, value)  # what the database holds
    else:
        # A concurrent submit stored its answer first: show that one, with fresh counters.
        assert state.attempt.id is not None  # noqa: S101 - a persisted attempt
        state = await _load_state(session, state.attempt.user_id, state.attempt.id)
        return AnswerOutcome(state, question, position, state.answers[question.id], duplicate=True)
    state.answers[question.id] = answer
    return AnswerOutcome(state, question, position, answer, duplicate=False)


async def settle_expired(session: AsyncSession, user: User) -> None:
    """Finish this person's attempts whose time ran out while nobody was looking."""
    expired = (
        await session.exec(
            select(Attempt).where(
                col(Attempt.user_id) == user.id,
                col(Attempt.finished_at).is_(None),
                col(Attempt.deadline_at).is_not(None),
                col(Attempt.deadline_at) < utcnow(),
            )
        )
    ).all()
    expired = [attempt for attempt in expired if attempt.is_expired()]
    if expired:
        async with writing(session):
            for attempt in expired:
                attempt.finish()
                session.add(attempt)


@dataclass(frozen=True)
class Started:
    """The attempt "Start quiz" leads to, at `quiz`; `resumed` when it was already open."""

    attempt: Attempt
    quiz: Quiz
    resumed: bool


def _open_at(user_id: int, quiz_id: int) -> SelectOfScalar[Attempt]:
    """The person's own open attempt (live games' attempts are the games')."""
    return select(Attempt).where(
        Attempt.user_id == user_id,
        Attempt.quiz_id == quiz_id,
        col(Attempt.finished_at).is_(None),
        col(Attempt.game_id).is_(None),
    )


async def start_attempt(session: AsyncSession, user: User, slug: str) -> Started:
    """Resume the open attempt at this quiz, or begin one; verified accounts only."""
    if not user.is_verified:
        raise NotVerifiedError("Verify your email before starting a quiz: use the link we sent.")
    quiz = (
        await session.exec(
            select(Quiz).where(
                Quiz.slug == slug,
                col(Quiz.is_published).is_(True),
                col(Quiz.archived_at).is_(None),
                col(Quiz.current_revision_id).is_not(None),
            )
        )
    ).first()
    if quiz is None or quiz.id is None or quiz.current_revision_id is None:
        raise AttemptNotFoundError("We could not find that quiz.")
    await settle_expired(session, user)
    assert user.id is not None  # noqa: S101 - a persisted user
    mine_open = _open_at(user.id, quiz.id)
    content = await revision_content(session, quiz.current_revision_id)
    try:
        async with writing(session):
            # On SQLite the write lock makes check-then-insert safe; on PostgreSQL two
            # concurrent starts can both pass the check, and the partial unique index
            # refuses the second.
            attempt = (await session.exec(mine_open)).first()
            if attempt is not None:
                return Started(attempt, quiz, resumed=True)
            attempt = Attempt.begin(
                user.id,
                quiz.id,
                content.revision_id,
                question_count=len(content.questions),
                points_possible=content.points_possible,
                time_limit_seconds=content.time_limit_seconds,
            )
            session.add(attempt)
    except IntegrityError:
        attempt = (await session.exec(mine_open)).first()
        if attempt is None:
            raise
        return Started(attempt, quiz, resumed=True)
    return Started(attempt, quiz, resumed=False)


async def open_attempt(session: AsyncSession, state: AttemptState) -> Attempt | None:
    """Another attempt of this person's at the same quiz, still running: what "Retake quiz"
    would resume. One past its deadline is not offered (starting settles it)."""
    assert state.quiz.id is not None  # noqa: S101 - a persisted quiz
    if state.attempt.user_id is None:  # a guest's, in a live game
        return None
    found = (await session.exec(_open_at(state.attempt.user_id, state.quiz.id))).first()
    return None if found is None or found.is_expired() else found


async def finish_attempt(session: AsyncSession, state: AttemptState) -> None:
    """End the attempt now ("Finish quiz"); unanswered questions count as wrong."""
    if not state.attempt.is_finished:
        async with writing(session):
            state.attempt.finish()
            session.add(state.attempt)
