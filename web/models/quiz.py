"""Models: quizzes, their revisions, and the questions each revision asks."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy import text
from sqlmodel import Column
from sqlmodel import Field
from sqlmodel import SQLModel

from web.models.base import utcnow


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class FeedbackMode(StrEnum):
    IMMEDIATE = "immediate"
    EXAM = "exam"


class TextFormat(StrEnum):
    """How a question's words are written; rendering and sanitising happen when shown."""

    PLAIN = "plain"
    MARKDOWN = "markdown"
    HTML = "html"


class RevisionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Quiz(SQLModel, table=True):
    """A quiz in the catalog: its name and where it stands. What is asked lives in revisions.

    `current_revision_id` points at the published revision new attempts take; attempts
    already begun keep the revision they pinned, so editing never rewrites anyone's history.
    A removed quiz is archived (`archived_at`), never deleted.
    """

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("difficulty IN ('easy', 'medium', 'hard')", name="ck_quizzes_difficulty"),
        Index("ix_quizzes_published_category", "is_published", "category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    category: str = Field(max_length=80)
    difficulty: str = Field(default=Difficulty.MEDIUM, max_length=10)
    is_published: bool = Field(default=False)
    # Title, category and description folded by searchable(), kept by _index_for_search below:
    # LIKE on a plain column ignores case and accents the same on SQLite and PostgreSQL
    # (SQLite's lower() folds ASCII only, and neither database ignores accents by itself).
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    current_revision_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("quiz_revisions.id", name="fk_quizzes_current_revision", use_alter=True),
            nullable=True,
        ),
    )
    archived_at: datetime | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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


class QuizRevision(SQLModel, table=True):
    """One version of a quiz's content and the settings it is taken with.

    Published revisions never change (services refuse to, and the content cache relies on
    it); only a draft is edited, and a quiz has at most one draft. Ids are never reused
    (AUTOINCREMENT on SQLite), so a cached revision id always means the same content.
    """

    __tablename__ = "quiz_revisions"
    __table_args__ = (
        UniqueConstraint("quiz_id", "number", name="uq_quiz_revisions_quiz_number"),
        CheckConstraint("number >= 1", name="ck_quiz_revisions_number"),
        CheckConstraint("status IN ('draft', 'published')", name="ck_quiz_revisions_status"),
        CheckConstraint(
            "feedback_mode IN ('immediate', 'exam')", name="ck_quiz_revisions_feedback_mode"
        ),
        CheckConstraint(
            "time_limit_seconds IS NULL OR time_limit_seconds > 0",
            name="ck_quiz_revisions_time_limit",
        ),
        Index(
            "uq_quiz_revisions_one_draft",
            "quiz_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE", index=True)
    number: int
    status: str = Field(default=RevisionStatus.DRAFT, max_length=10)
    time_limit_seconds: int | None = Field(default=None)
    feedback_mode: str = Field(default=FeedbackMode.IMMEDIATE, max_length=10)
    shuffle_questions: bool = Field(default=False)
    shuffle_choices: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None)

    @property
    def is_exam(self) -> bool:
        return self.feedback_mode == FeedbackMode.EXAM


class Question(SQLModel, table=True):
    """A question's identity, shared by all its versions: answers, per-question results,
    authoring's change summary and its edit-conflict check refer to it across revisions."""

    __tablename__ = "questions"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class RevisionQuestion(SQLModel, table=True):
    """A question as one revision asks it: kind, text, points, and the kind's own content
    (`body`: choices, accepted answers, items, pairs) as JSON that web/kinds validates."""

    __tablename__ = "revision_questions"
    __table_args__ = (
        UniqueConstraint("revision_id", "position", name="uq_revision_questions_position"),
        UniqueConstraint("revision_id", "question_id", name="uq_revision_questions_question"),
        CheckConstraint("position >= 1", name="ck_revision_questions_position"),
        CheckConstraint("points > 0", name="ck_revision_questions_points"),
        CheckConstraint(
            "text_format IN ('plain', 'markdown', 'html')",
            name="ck_revision_questions_text_format",
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="quiz_revisions.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE", index=True)
    position: int
    kind: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    points: float = Field(default=1.0)
    text_format: str = Field(
        default=TextFormat.PLAIN, max_length=10, sa_column_kwargs={"server_default": "plain"}
    )
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Counts the saves of this row in a draft: an editor sends the version it opened, and a
    # save from an older one (another author, another tab) is told instead of overwriting.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
