"""Services: taking a quiz: start or resume, answer, finish, and read the results.

The hot path (answering) runs five statements: the session's user, the attempt with its
quiz, the answers so far, one INSERT and one UPDATE ... RETURNING. Quiz content comes from
services/content.py's cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

from sqlalchemy import Insert
from sqlalchemy import case
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from web.db import writing
from web.models import Attempt
from web.models import AttemptClosedError
from web.models import AttemptError
from web.models import AttemptNotFoundError
from web.models import InvalidChoiceError
from web.models import Quiz
from web.models import User
from web.models import UserAnswer
from web.models import utcnow
from web.models.attempt import DEADLINE_GRACE
from web.models.attempt import FINISHED
from web.models.attempt import TIME_IS_UP
from web.services.content import ChoiceView
from web.services.content import QuestionView
from web.services.content import QuizContent
from web.services.content import quiz_content

NOT_FOUND = "We could not find that attempt."
COUNTERS = ("answered_count", "correct_count", "finished_at", "duration_seconds")


class NotVerifiedError(AttemptError):
    status = 403


@dataclass(frozen=True)
class Answer:
    choice_id: int | None
    is_correct: bool


@dataclass
class AttemptState:
    """An attempt as its taker sees it: questions in attempt order and the answers so far."""

    attempt: Attempt
    quiz: Quiz
    content: QuizContent
    answers: dict[int, Answer] = field(default_factory=dict)

    @cached_property
    def questions(self) -> list[QuestionView]:
        """Attempt order, computed once per request: the card, its position and "what next"
        all ask for it."""
        by_id = {question.id: question for question in self.content.questions}
        ids = list(by_id)
        if self.quiz.shuffle_questions:
            ids = self.attempt.order(ids)
        return [by_id[question_id] for question_id in ids]

    @property
    def total(self) -> int:
        return len(self.content.questions)

    def question_at(self, position: int) -> QuestionView:
        questions = self.questions
        if not 1 <= position <= len(questions):
            raise AttemptNotFoundError("That question is not part of this attempt.")
        return questions[position - 1]

    def choices(self, question: QuestionView) -> list[ChoiceView]:
        if not self.quiz.shuffle_choices:
            return list(question.choices)
        by_id = {choice.id: choice for choice in question.choices}
        return [by_id[i] for i in self.attempt.order(list(by_id), salt=question.id)]

    def may_show(self, position: int) -> bool:
        """Exam answers are never shown back; a finished attempt shows only its feedback."""
        answered = self.question_at(position).id in self.answers
        if self.quiz.is_exam:
            return not answered and not self.attempt.is_finished
        return answered or not self.attempt.is_finished

    def after_answer(self, position: int) -> int | None:
        """What follows an answer: its feedback (immediate mode), the next card (exam mode),
        or None when only the results are left."""
        if not self.quiz.is_exam:
            return position
        return None if self.attempt.is_finished else self.next_position()

    @property
    def time_up_note(self) -> str | None:
        """What the results say when the clock, not the taker, ended the attempt."""
        return TIME_IS_UP if self.attempt.ran_out_of_time else None

    def next_position(self) -> int | None:
        """The first unanswered question, where a resumed attempt picks up."""
        for position, question in enumerate(self.questions, start=1):
            if question.id not in self.answers:
                return position
        return None


@dataclass(frozen=True)
class AnswerOutcome:
    state: AttemptState
    question: QuestionView
    position: int
    answer: Answer
    duplicate: bool


async def _load_state(session: AsyncSession, user_id: int | None, attempt_id: int) -> AttemptState:
    row = (
        await session.exec(
            select(Attempt, Quiz)
            .join(Quiz, col(Quiz.id) == Attempt.quiz_id)
            .where(col(Attempt.id) == attempt_id)
            # Fresh counters even when this session already holds the row (after a lost race).
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None or row[0].user_id != user_id:  # someone else's attempt does not exist for you
        raise AttemptNotFoundError(NOT_FOUND)
    attempt, quiz = row
    content = await quiz_content(session, attempt.quiz_id, quiz.updated_at)
    rows = await session.exec(
        select(UserAnswer.question_id, UserAnswer.choice_id, UserAnswer.is_correct).where(
            col(UserAnswer.attempt_id) == attempt_id
        )
    )
    state = AttemptState(attempt, quiz, content, {q: Answer(c, ok) for q, c, ok in rows})
    if not attempt.is_finished and attempt.is_expired():
        async with writing(session):
            attempt.finish()
            session.add(attempt)
    return state


async def load_state(session: AsyncSession, user: User, attempt_id: int) -> AttemptState:
    """The attempt, its quiz and its answers: load it once per request and pass it on.

    Also finishes an attempt whose time ran out: the deadline holds without JavaScript."""
    return await _load_state(session, user.id, attempt_id)


def _insert_ignoring_duplicates(dialect: str, values: Mapping[str, object]) -> Insert:
    """INSERT that does nothing when the (attempt, question) answer exists: no rollback needed."""
    if dialect == "sqlite":
        return sqlite_insert(UserAnswer).values(values).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql_insert(UserAnswer).values(values).on_conflict_do_nothing()
    return insert(UserAnswer).values(values)  # pragma: no cover - only the two supported


async def _store_answer(
    session: AsyncSession, attempt: Attempt, question: QuestionView, choice: ChoiceView
) -> bool:
    """Insert the answer and count it on the attempt; False when one was already stored."""
    now = utcnow()
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    values = {
        "attempt_id": attempt.id,
        "question_id": question.id,
        "choice_id": choice.id,
        "is_correct": choice.is_correct,
        "answered_at": now,
    }
    if (await session.exec(_insert_ignoring_duplicates(dialect, values))).rowcount == 0:
        return False
    is_last = col(Attempt.answered_count) + 1 >= col(Attempt.question_count)
    counted = (
        await session.exec(
            update(Attempt)
            .where(
                col(Attempt.id) == attempt.id,
                col(Attempt.finished_at).is_(None),
                # The deadline holds in the statement too: Python's check ran earlier, and a
                # request can sit between that check and this UPDATE (the write lock, a slow
                # thread hop) while the clock runs out.
                or_(
                    col(Attempt.deadline_at).is_(None),
                    col(Attempt.deadline_at) > now - DEADLINE_GRACE,
                ),
            )
            .values(
                answered_count=col(Attempt.answered_count) + 1,
                correct_count=col(Attempt.correct_count) + int(choice.is_correct),
                # The last answer finishes the attempt in the same statement.
                finished_at=case((is_last, now), else_=None),
                duration_seconds=case(
                    (is_last, int((now - attempt.started_at).total_seconds())), else_=None
                ),
            )
            .returning(*(col(getattr(Attempt, name)) for name in COUNTERS))
        )
    ).first()
    if counted is None:  # out of time or finished meanwhile; the rollback takes the answer out
        attempt.check_open(now)  # "Time is up" when that is why
        raise AttemptClosedError(FINISHED)
    for name, value in zip(COUNTERS, counted, strict=True):
        set_committed_value(attempt, name, value)  # what the database holds; nothing to flush
    return True


async def record_answer(
    session: AsyncSession, state: AttemptState, position: int, choice_id: int | None
) -> AnswerOutcome:
    """Store one answer, once: a repeat (double submit, second tab) returns the stored one.

    `state` is the request's one load of the attempt (load_state); a refusal leaves it as it
    was, for the route to show the card again."""
    question = state.question_at(position)
    stored = state.answers.get(question.id)
    if stored is not None:
        return AnswerOutcome(state, question, position, stored, duplicate=True)
    state.attempt.check_open()
    choice = question.choice(choice_id) if choice_id is not None else None
    if choice is None:
        raise InvalidChoiceError("Choose one of the answers, then submit.")
    async with writing(session):
        stored_now = await _store_answer(session, state.attempt, question, choice)
    if not stored_now:
        # A concurrent submit stored its answer first: show that one, with fresh counters.
        assert state.attempt.id is not None  # noqa: S101 - a persisted attempt
        state = await _load_state(session, state.attempt.user_id, state.attempt.id)
        return AnswerOutcome(state, question, position, state.answers[question.id], duplicate=True)
    answer = Answer(choice.id, choice.is_correct)
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
    return select(Attempt).where(
        Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, col(Attempt.finished_at).is_(None)
    )


async def start_attempt(session: AsyncSession, user: User, slug: str) -> Started:
    """Resume the open attempt at this quiz, or begin one; verified accounts only."""
    if not user.is_verified:
        raise NotVerifiedError("Verify your email before starting a quiz: use the link we sent.")
    quiz = (
        await session.exec(select(Quiz).where(Quiz.slug == slug, col(Quiz.is_published).is_(True)))
    ).first()
    if quiz is None or quiz.id is None:
        raise AttemptNotFoundError("We could not find that quiz.")
    await settle_expired(session, user)
    assert user.id is not None  # noqa: S101 - a persisted user
    mine_open = _open_at(user.id, quiz.id)
    content = await quiz_content(session, quiz.id, quiz.updated_at)
    try:
        async with writing(session):
            # On SQLite the write lock makes check-then-insert safe; on PostgreSQL two
            # concurrent starts can both pass the check, and the partial unique index
            # refuses the second.
            attempt = (await session.exec(mine_open)).first()
            if attempt is not None:
                return Started(attempt, quiz, resumed=True)
            attempt = Attempt.begin(
                user.id, quiz.id, len(content.questions), quiz.time_limit_seconds
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
    found = (await session.exec(_open_at(state.attempt.user_id, state.quiz.id))).first()
    return None if found is None or found.is_expired() else found


async def finish_attempt(session: AsyncSession, state: AttemptState) -> None:
    """End the attempt now ("Finish quiz"); unanswered questions count as wrong."""
    if not state.attempt.is_finished:
        async with writing(session):
            state.attempt.finish()
            session.add(state.attempt)


@dataclass(frozen=True)
class ReviewItem:
    position: int
    question: QuestionView
    chosen: ChoiceView | None
    correct: ChoiceView

    @property
    def is_correct(self) -> bool:
        return self.chosen is not None and self.chosen.id == self.correct.id


def review_items(state: AttemptState) -> list[ReviewItem]:
    """Every question in attempt order with the answer given and the right one."""
    items = []
    for position, question in enumerate(state.questions, start=1):
        given = state.answers.get(question.id)
        chosen = question.choice(given.choice_id) if given and given.choice_id else None
        items.append(ReviewItem(position, question, chosen, question.correct))
    return items
