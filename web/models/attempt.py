"""Models: a user's attempt at a quiz and the answers it holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlmodel import Field
from sqlmodel import SQLModel

from web.models.base import utcnow


class Attempt(SQLModel, table=True):
    """One run through a quiz; its counters make the score panel cost no extra query."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("answered_count >= 0", name="ck_attempts_answered_count"),
        CheckConstraint("correct_count >= 0", name="ck_attempts_correct_count"),
        CheckConstraint("correct_count <= answered_count", name="ck_attempts_correct_le_answered"),
        CheckConstraint("answered_count <= question_count", name="ck_attempts_answered_le_total"),
        Index("ix_attempts_user_quiz", "user_id", "quiz_id"),
        Index("ix_attempts_quiz_finished", "quiz_id", "finished_at"),
        # At most one open attempt per user and quiz: a second "Start quiz" resumes instead.
        Index(
            "uq_attempts_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE")
    question_count: int
    answered_count: int = Field(default=0)
    correct_count: int = Field(default=0)
    # Seeds the per-attempt shuffle so the order is stable across reloads and restarts.
    shuffle_seed: int = Field(default=0)
    started_at: datetime = Field(default_factory=utcnow)
    deadline_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class UserAnswer(SQLModel, table=True):
    __tablename__ = "user_answers"
    __table_args__ = (
        # One answer per question per attempt: a double submit stores one and scores once.
        UniqueConstraint("attempt_id", "question_id", name="uq_user_answers_attempt_question"),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE")
    choice_id: int | None = Field(default=None, foreign_key="choices.id", ondelete="SET NULL")
    is_correct: bool = Field(default=False)
    answered_at: datetime = Field(default_factory=utcnow)
