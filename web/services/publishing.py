"""Services: a draft's way out: what changed since the published revision, publishing it,
taking a quiz off the catalog, and throwing a draft away.

Publishing makes the draft the quiz's current revision; it never changes again (the
revision cache relies on it), and attempts already taken keep the revision they began on,
so a quiz can be edited and republished any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col
from sqlmodel import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.kinds import KINDS
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import RevisionStatus
from web.models import User
from web.models import utcnow
from web.services.authoring import AuthoringError
from web.services.authoring import draft_of
from web.services.authoring import owned_quiz

SETTINGS = {
    "time_limit_seconds": "time limit",
    "feedback_mode": "feedback mode",
    "shuffle_questions": "shuffling of questions",
    "shuffle_choices": "shuffling of answers",
}
CONTENT = ("kind", "text", "explanation", "points", "text_format", "body")
NO_DRAFT = "This quiz has no unpublished changes."


@dataclass(frozen=True)
class Change:
    """One line of "what changed": `what` is a question's text or a setting's name."""

    action: str  # "Added", "Removed", "Changed", "Moved"
    what: str
    detail: str = ""


@dataclass(frozen=True)
class PublishPlan:
    quiz: Quiz
    draft: QuizRevision
    changes: list[Change]
    problems: list[str]

    @property
    def may_publish(self) -> bool:
        return not self.problems


async def _rows(session: AsyncSession, revision_id: int | None) -> list[RevisionQuestion]:
    if revision_id is None:
        return []
    query = select(RevisionQuestion).where(col(RevisionQuestion.revision_id) == revision_id)
    return list((await session.exec(query.order_by(col(RevisionQuestion.position)))).all())


def _question_changes(
    before: list[RevisionQuestion], after: list[RevisionQuestion]
) -> list[Change]:
    old = {row.question_id: row for row in before}
    new = {row.question_id: row for row in after}
    changes = [Change("Removed", row.text) for row in before if row.question_id not in new]
    for row in after:
        was = old.get(row.question_id)
        if was is None:
            changes.append(Change("Added", row.text, f"question {row.position}"))
        elif any(getattr(was, name) != getattr(row, name) for name in CONTENT):
            changes.append(Change("Changed", row.text, f"question {row.position}"))
        elif was.position != row.position:
            changes.append(
                Change("Moved", row.text, f"from question {was.position} to {row.position}")
            )
    return changes


def _problems(rows: list[RevisionQuestion]) -> list[str]:
    """Every question must be gradable by its kind (drafts only ever hold bodies that
    validated when saved; this holds the line if a kind's rules grew stricter since)."""
    if not rows:
        return ["Add at least one question before publishing."]
    found = []
    for row in rows:
        try:
            KINDS[row.kind].body.model_validate(row.body)
        except (KeyError, ValueError):
            found.append(f"Question {row.position} cannot be graded: open it and save it again.")
    return found


async def publish_plan(session: AsyncSession, user: User, slug: str) -> PublishPlan:
    """What "Publish" would do, shown before it is done."""
    quiz = await owned_quiz(session, user, slug)
    draft = await draft_of(session, quiz)
    if draft is None:
        raise AuthoringError(NO_DRAFT)
    current = await session.get(QuizRevision, quiz.current_revision_id or 0)
    after = await _rows(session, draft.id)
    changes = _question_changes(await _rows(session, current.id if current else None), after)
    if current is not None:
        changes += [
            Change("Changed", name.capitalize())
            for field, name in SETTINGS.items()
            if getattr(current, field) != getattr(draft, field)
        ]
    return PublishPlan(quiz, draft, changes, _problems(after))


async def publish(session: AsyncSession, user: User, slug: str) -> QuizRevision:
    """The draft becomes the current revision, and the quiz is in the catalog."""
    plan = await publish_plan(session, user, slug)
    if not plan.may_publish:
        raise AuthoringError(" ".join(plan.problems))
    async with writing(session):
        plan.draft.status = RevisionStatus.PUBLISHED
        plan.draft.published_at = utcnow()
        plan.quiz.current_revision_id = plan.draft.id
        plan.quiz.is_published = True
        plan.quiz.updated_at = utcnow()
        session.add_all([plan.draft, plan.quiz])
    return plan.draft


async def unpublish(session: AsyncSession, user: User, slug: str) -> Quiz:
    """Out of the catalog and closed to new attempts; results and attempts stay."""
    quiz = await owned_quiz(session, user, slug)
    async with writing(session):
        quiz.is_published = False
        quiz.updated_at = utcnow()
        session.add(quiz)
    return quiz


async def discard_draft(session: AsyncSession, user: User, slug: str) -> Quiz:
    """Throw the unpublished changes away; the published revision is untouched. A draft is
    nobody's history: no attempt ever pins one (preview answers are never stored)."""
    quiz = await owned_quiz(session, user, slug)
    draft = await draft_of(session, quiz)
    if draft is None:
        raise AuthoringError(NO_DRAFT)
    if quiz.current_revision_id is None:
        raise AuthoringError("This quiz has never been published: there is nothing to go back to.")
    async with writing(session):
        await session.exec(
            delete(RevisionQuestion).where(col(RevisionQuestion.revision_id) == draft.id)
        )
        await session.delete(draft)
        quiz.updated_at = utcnow()
        session.add(quiz)
    return quiz
