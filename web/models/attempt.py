"""Models: a user's attempt at a quiz, the answers it holds, and the rules of taking it."""

from __future__ import annotations

import random
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlmodel import Field
from sqlmodel import SQLModel

from web.models.base import utcnow

# The last second belongs to the server: a submit that left the browser in time still counts.
DEADLINE_GRACE = timedelta(seconds=2)
FINISHED = "This attempt is finished; answers can no longer change."
TIME_IS_UP = "Time is up: this attempt ended at its time limit."


def percent(awarded: float, possible: float) -> int:
    """Share of a revision's points: what compares attempts across revisions."""
    return round(100 * awarded / possible) if possible else 0


class AttemptError(Exception):
    """A refusal the person should read; `status` is the HTTP status that fits it."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AttemptNotFoundError(AttemptError):
    status = 404


class AttemptClosedError(AttemptError):
    """Finished, or out of time: the answer arrived too late (409, AttemptError's status)."""


class TimeUpError(AttemptClosedError):
    """Out of time; the results say so themselves (Attempt.ran_out_of_time)."""


class InvalidResponseError(AttemptError):
    """The submitted form is no answer to this question (nothing chosen, not a number)."""

    status = 422


class Attempt(SQLModel, table=True):
    """One run through a quiz; its counters make the score panel cost no extra query."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("answered_count >= 0", name="ck_attempts_answered_count"),
        CheckConstraint("answered_count <= question_count", name="ck_attempts_answered_le_total"),
        CheckConstraint("points_awarded >= 0", name="ck_attempts_points_awarded"),
        CheckConstraint("points_answered >= 0", name="ck_attempts_points_answered"),
        Index("ix_attempts_user_quiz", "user_id", "quiz_id"),
        Index("ix_attempts_quiz_finished", "quiz_id", "finished_at"),
        Index("ix_attempts_user_finished", "user_id", "finished_at"),
        # At most one open attempt per user and quiz: a second "Start quiz" resumes instead.
        # A live game's attempts are the game's, and leave a player's own attempt alone.
        Index(
            "uq_attempts_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("finished_at IS NULL AND game_id IS NULL"),
            postgresql_where=text("finished_at IS NULL AND game_id IS NULL"),
        ),
        # Ids are never reused, even after the newest rows go: a results link stays theirs.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    # None for a guest's attempt in a live game (guests have no account).
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE")
    # The content this attempt is taken, scored and reviewed on, whatever the quiz becomes.
    revision_id: int = Field(foreign_key="quiz_revisions.id", index=True)
    question_count: int
    answered_count: int = Field(default=0)
    # Points: what the answers so far earned, what those answers could have earned (the
    # immediate score panel's "X of Y"), and what the whole revision offers (the results).
    points_awarded: float = Field(default=0.0)
    points_answered: float = Field(default=0.0)
    points_possible: float = Field(default=0.0)
    # Seeds the per-attempt shuffle so the order is stable across reloads and restarts.
    shuffle_seed: int = Field(default=0)
    started_at: datetime = Field(default_factory=utcnow)
    deadline_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)
    # Stored at finish so leaderboards sort by time portably (no date arithmetic in SQL).
    duration_seconds: int | None = Field(default=None)
    # The live game this attempt was played in, if any (web/models/game.py).
    game_id: int | None = Field(
        default=None, foreign_key="games.id", ondelete="SET NULL", index=True
    )

    @classmethod
    def begin(
        cls,
        user_id: int | None,
        quiz_id: int,
        revision_id: int,
        *,
        question_count: int,
        points_possible: float,
        time_limit_seconds: int | None,
        game_id: int | None = None,
    ) -> Attempt:
        now = utcnow()
        deadline = now + timedelta(seconds=time_limit_seconds) if time_limit_seconds else None
        return cls(
            user_id=user_id,
            quiz_id=quiz_id,
            revision_id=revision_id,
            question_count=question_count,
            points_possible=points_possible,
            shuffle_seed=random.SystemRandom().randrange(2**31),
            started_at=now,
            deadline_at=deadline,
            game_id=game_id,
        )

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def ran_out_of_time(self) -> bool:
        """Ended by its deadline (finish() stops the clock there) with questions left; the last
        answer arriving within the grace still counts as finishing in time."""
        return (
            self.deadline_at is not None
            and self.finished_at is not None
            and self.finished_at >= self.deadline_at
            and self.answered_count < self.question_count
        )

    def is_expired(self, now: datetime | None = None) -> bool:
        """Past the deadline and its grace: from here on the attempt is over."""
        return (
            self.deadline_at is not None and (now or utcnow()) >= self.deadline_at + DEADLINE_GRACE
        )

    def seconds_left(self, now: datetime | None = None) -> int | None:
        if self.deadline_at is None:
            return None
        return max(int((self.deadline_at - (now or utcnow())).total_seconds()), 0)

    def check_open(self, now: datetime | None = None) -> None:
        """Refuse answers to a finished attempt, or after the deadline (plus a small grace)."""
        if self.ran_out_of_time or (self.finished_at is None and self.is_expired(now)):
            raise TimeUpError(TIME_IS_UP)
        if self.finished_at is not None:
            raise AttemptClosedError(FINISHED)

    def finish(self, now: datetime | None = None) -> None:
        """End the attempt; one that ran out of time ends at its deadline, not when noticed."""
        if self.finished_at is not None:
            return
        now = now or utcnow()
        end = min(now, self.deadline_at) if self.deadline_at is not None else now
        self.finished_at = end
        self.duration_seconds = max(int((end - self.started_at).total_seconds()), 0)

    def order(self, ids: list[int], salt: int = 0) -> list[int]:
        """A shuffle of `ids` that is the same every time for this attempt (and salt)."""
        shuffled = list(ids)
        random.Random(self.shuffle_seed * 1_000_003 + salt).shuffle(shuffled)  # noqa: S311 - ordering, not security
        return shuffled

    @property
    def percent(self) -> int:
        return percent(self.points_awarded, self.points_possible)


class UserAnswer(SQLModel, table=True):
    __tablename__ = "user_answers"
    __table_args__ = (
        # One answer per question per attempt: a double submit stores one and scores once.
        UniqueConstraint("attempt_id", "question_id", name="uq_user_answers_attempt_question"),
        CheckConstraint("points >= 0", name="ck_user_answers_points"),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", ondelete="CASCADE")
    # The question's identity; the attempt's revision says which version was asked.
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE")
    # What the taker gave, as the kind parsed it (web/kinds), and the points it earned when
    # graded: the review shows exactly that, even if grading rules change later.
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    points: float = Field(default=0.0)
    answered_at: datetime = Field(default_factory=utcnow)
