"""Models: quizzes, their questions and the choices of each question.

No `from __future__ import annotations` here: SQLModel must see real relationship types.
"""

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlmodel import Column
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from web.models.base import utcnow


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class FeedbackMode(StrEnum):
    IMMEDIATE = "immediate"
    EXAM = "exam"


class Quiz(SQLModel, table=True):
    """A published or draft quiz; content is read-mostly and cached by the services."""

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("difficulty IN ('easy', 'medium', 'hard')", name="ck_quizzes_difficulty"),
        CheckConstraint("feedback_mode IN ('immediate', 'exam')", name="ck_quizzes_feedback_mode"),
        CheckConstraint(
            "time_limit_seconds IS NULL OR time_limit_seconds > 0", name="ck_quizzes_time_limit"
        ),
        Index("ix_quizzes_published_category", "is_published", "category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    category: str = Field(max_length=80)
    difficulty: str = Field(default=Difficulty.MEDIUM, max_length=10)
    time_limit_seconds: int | None = Field(default=None)
    feedback_mode: str = Field(default=FeedbackMode.IMMEDIATE, max_length=10)
    shuffle_questions: bool = Field(default=False)
    shuffle_choices: bool = Field(default=False)
    is_published: bool = Field(default=False)
    # Title, category and description folded by searchable(), kept by _index_for_search below:
    # LIKE on a plain column ignores case and accents the same on SQLite and PostgreSQL
    # (SQLite's lower() folds ASCII only, and neither database ignores accents by itself).
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    # Never loaded implicitly: quiz rows ride along on hot paths where content comes cached.
    questions: list["Question"] = Relationship(
        back_populates="quiz",
        cascade_delete=True,
        sa_relationship_kwargs={"lazy": "raise", "order_by": "Question.position"},
    )

    @property
    def is_exam(self) -> bool:
        return self.feedback_mode == FeedbackMode.EXAM


def searchable(text: str) -> str:
    """Text as search compares it: "Café", "CAFE" and "cafe" become "cafe", "Straße" "strasse".

    NFKD splits accented letters into letter and combining mark (and ligatures into letters),
    the marks are dropped, and case folding runs on both sides of that, since NFKD can turn a
    symbol that folding leaves alone into a capital (black-letter H into H). Migration 0003
    holds a frozen copy for the rows it refills.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@event.listens_for(Quiz, "before_insert")
@event.listens_for(Quiz, "before_update")
def _index_for_search(_mapper: object, _connection: object, quiz: Quiz) -> None:
    quiz.search_text = searchable(" ".join((quiz.title, quiz.category, quiz.description)))


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("quiz_id", "position", name="uq_questions_quiz_position"),
        CheckConstraint("position >= 1", name="ck_questions_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE")
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    quiz: Optional["Quiz"] = Relationship(back_populates="questions")
    choices: list["Choice"] = Relationship(
        back_populates="question",
        cascade_delete=True,
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "Choice.position"},
    )


class Choice(SQLModel, table=True):
    __tablename__ = "choices"
    __table_args__ = (
        UniqueConstraint("question_id", "position", name="uq_choices_question_position"),
        CheckConstraint("position >= 1", name="ck_choices_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE")
    position: int
    text: str = Field(max_length=500)
    is_correct: bool = Field(default=False)

    question: Optional["Question"] = Relationship(back_populates="choices")
