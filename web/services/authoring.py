"""Services: authors' quizzes: who may edit what, the list, settings, and publishing.

The rule lives here, not in routes: an author edits the quizzes they created, an admin
edits any, nobody else edits at all (someone else's quiz does not exist for you: 404).
Content is edited only in a quiz's draft revision (services/drafts.py); publishing makes
the draft the current revision, and attempts keep whichever revision they began on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import col
from sqlmodel import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.forms.authoring import QuizSettings
from web.models import Attempt
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import RevisionStatus
from web.models import User
from web.models import utcnow

SLUG_MAX = 120
# Paths under /my-quizzes/ that are pages, not quizzes: no quiz may be named after them.
RESERVED_SLUGS = frozenset({"new", "import"})


class AuthoringError(Exception):
    """A refusal the author reads; `status` is the HTTP status that fits it."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthorError(AuthoringError):
    status = 403


class QuizNotFoundError(AuthoringError):
    status = 404


NOT_AN_AUTHOR = "Only authors write quizzes: an admin can make you one."
NOT_FOUND = "We could not find that quiz among yours."


def may_edit(user: User, quiz: Quiz) -> bool:
    return user.may_author and (user.is_admin or quiz.created_by_id == user.id)


def require_author(user: User) -> None:
    if not user.may_author:
        raise NotAuthorError(NOT_AN_AUTHOR)


async def owned_quiz(session: AsyncSession, user: User, slug: str) -> Quiz:
    """The quiz if this person may edit it; anyone else's is "not found", as it would be
    for a guess at a slug."""
    require_author(user)
    quiz = (await session.exec(select(Quiz).where(col(Quiz.slug) == slug))).first()
    if quiz is None or not may_edit(user, quiz):
        raise QuizNotFoundError(NOT_FOUND)
    return quiz


async def draft_of(session: AsyncSession, quiz: Quiz) -> QuizRevision | None:
    return (
        await session.exec(
            select(QuizRevision).where(
                col(QuizRevision.quiz_id) == quiz.id,
                col(QuizRevision.status) == RevisionStatus.DRAFT,
            )
        )
    ).first()


@dataclass(frozen=True)
class AuthoredQuiz:
    quiz: Quiz
    status: str
    question_count: int
    attempts: int


def status_of(quiz: Quiz, has_draft: bool) -> str:
    """What "My quizzes" says of a quiz (CONTRACT.md: "Draft", "Unpublished changes")."""
    if quiz.archived_at is not None:
        return "Archived"
    if quiz.current_revision_id is None:
        return "Draft"
    if has_draft:
        return "Unpublished changes"
    return "Published" if quiz.is_published else "Unpublished"


async def my_quizzes(session: AsyncSession, user: User) -> list[AuthoredQuiz]:
    """The author's quizzes (every quiz, for an admin), most recently changed first."""
    require_author(user)
    shown = select(Quiz).order_by(col(Quiz.updated_at).desc(), col(Quiz.id).desc())
    if not user.is_admin:
        shown = shown.where(col(Quiz.created_by_id) == user.id)
    quizzes = list((await session.exec(shown)).all())
    ids = [quiz.id for quiz in quizzes]
    drafts = dict(
        (
            await session.exec(
                select(QuizRevision.quiz_id, QuizRevision.id).where(
                    col(QuizRevision.quiz_id).in_(ids),
                    col(QuizRevision.status) == RevisionStatus.DRAFT,
                )
            )
        ).all()
    )
    shown_revisions = [drafts.get(q.id or 0) or q.current_revision_id for q in quizzes]
    counts = dict(
        (
            await session.exec(
                select(RevisionQuestion.revision_id, func.count())
                .where(col(RevisionQuestion.revision_id).in_(shown_revisions))
                .group_by(col(RevisionQuestion.revision_id))
            )
        ).all()
    )
    attempts = dict(
        (
            await session.exec(
                select(Attempt.quiz_id, func.count())
                .where(col(Attempt.quiz_id).in_(ids))
                .group_by(col(Attempt.quiz_id))
            )
        ).all()
    )
    return [
        AuthoredQuiz(
            quiz,
            status_of(quiz, quiz.id in drafts),
            counts.get(revision, 0) if revision else 0,
            attempts.get(quiz.id or 0, 0),
        )
        for quiz, revision in zip(quizzes, shown_revisions, strict=True)
    ]


def slug_for(title: str) -> str:
    """ "Café & Crêpes!" → "cafe-crepes": ASCII words joined by hyphens (the import format's
    pattern); a title of no letters or digits at all becomes "quiz"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words)[:SLUG_MAX].strip("-") or "quiz"


async def free_slug(session: AsyncSession, title: str) -> str:
    base = slug_for(title)
    taken = set(
        (await session.exec(select(Quiz.slug).where(col(Quiz.slug).like(f"{base}%")))).all()
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    return next(
        f"{base[: SLUG_MAX - len(str(n)) - 1]}-{n}"
        for n in range(2, len(taken) + 3)
        if f"{base[: SLUG_MAX - len(str(n)) - 1]}-{n}" not in taken
    )


def apply_settings(quiz: Quiz, revision: QuizRevision, settings: QuizSettings) -> None:
    """Catalog fields go on the quiz at once; how it is taken waits in the draft."""
    quiz.title = settings.title
    quiz.description = settings.description
    quiz.category = settings.category
    quiz.difficulty = settings.difficulty
    quiz.updated_at = utcnow()
    revision.time_limit_seconds = settings.time_limit_seconds
    revision.feedback_mode = settings.feedback_mode
    revision.shuffle_questions = settings.shuffle_questions
    revision.shuffle_choices = settings.shuffle_choices


async def create_quiz(session: AsyncSession, user: User, settings: QuizSettings) -> Quiz:
    """A new quiz of this author's, unpublished, with an empty draft to fill."""
    require_author(user)
    async with writing(session):
        quiz = Quiz(slug=await free_slug(session, settings.title), title=settings.title,
                    category=settings.category, created_by_id=user.id)  # fmt: skip
        session.add(quiz)
        await session.flush()
        assert quiz.id is not None  # noqa: S101 - flushed
        draft = QuizRevision(quiz_id=quiz.id, number=1, status=RevisionStatus.DRAFT)
        apply_settings(quiz, draft, settings)
        session.add(draft)
    return quiz
