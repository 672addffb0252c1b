"""Services: editing a quiz's draft: settings, and questions added, saved, copied, moved
and deleted.

Only a draft is ever edited; the first edit of a published quiz copies its current
revision into a new draft, question identities and all, so publishing later can say what
changed and attempts already taken never see it. Each draft row counts its saves
(`version`): a save made from an older version is refused with both versions shown, so
two authors (or two tabs) never silently overwrite each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.forms.authoring import QuestionFields
from web.forms.authoring import QuizSettings
from web.forms.validation_messages import problems
from web.kinds import KINDS
from web.models import Question
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import RevisionStatus
from web.models import User
from web.models import utcnow
from web.services.authoring import AuthoringError
from web.services.authoring import QuizNotFoundError
from web.services.authoring import apply_settings
from web.services.authoring import draft_of
from web.services.authoring import owned_quiz

MAX_QUESTIONS = 100
GONE = "That question is no longer in this quiz's draft (deleted meanwhile?)."


class EditConflictError(AuthoringError):
    """Saved from an older version: `current` is what the draft holds now."""

    def __init__(self, current: RevisionQuestion, *, expected: int | None = None) -> None:
        super().__init__(
            "Someone saved this question after you opened it. Their version is shown beside"
            " yours: copy what you need, then save again."
        )
        self.current = current
        # The version a save made knowing of `current` sends (a published row's first save
        # into a new draft sends 1, which is what the copy starts at).
        self.expected = current.version if expected is None else expected


class BodyInvalidError(AuthoringError):
    """The kind's fields do not make a question that can be graded: {field: message}."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Check the fields marked below.")
        self.errors = errors


@dataclass(frozen=True)
class Editing:
    """A quiz as its editor shows it: the draft when there is one, else the current
    revision (read only until the first edit makes a draft of it)."""

    quiz: Quiz
    revision: QuizRevision | None
    questions: list[RevisionQuestion]

    @property
    def is_draft(self) -> bool:
        return self.revision is not None and self.revision.status == RevisionStatus.DRAFT

    def question(self, question_id: int) -> RevisionQuestion:
        found = next((q for q in self.questions if q.question_id == question_id), None)
        if found is None:
            raise QuizNotFoundError(GONE)
        return found


async def _rows(session: AsyncSession, revision_id: int | None) -> list[RevisionQuestion]:
    if revision_id is None:
        return []
    return list(
        (
            await session.exec(
                select(RevisionQuestion)
                .where(col(RevisionQuestion.revision_id) == revision_id)
                .order_by(col(RevisionQuestion.position))
            )
        ).all()
    )


async def editing(session: AsyncSession, user: User, slug: str) -> Editing:
    quiz = await owned_quiz(session, user, slug)
    revision = await draft_of(session, quiz)
    if revision is None and quiz.current_revision_id is not None:
        revision = await session.get(QuizRevision, quiz.current_revision_id)
    return Editing(quiz, revision, await _rows(session, revision.id if revision else None))


async def ensure_draft(session: AsyncSession, quiz: Quiz) -> QuizRevision:
    """The quiz's draft, made from its current revision when it has none. Call inside
    `writing()`: the copy and the edit that needed it commit together."""
    draft = await draft_of(session, quiz)
    if draft is not None:
        return draft
    assert quiz.id is not None  # noqa: S101 - a persisted quiz
    number = (
        await session.exec(
            select(func.coalesce(func.max(QuizRevision.number), 0)).where(
                col(QuizRevision.quiz_id) == quiz.id
            )
        )
    ).one()
    current = await session.get(QuizRevision, quiz.current_revision_id or 0)
    draft = QuizRevision(quiz_id=quiz.id, number=number + 1, status=RevisionStatus.DRAFT)
    if current is not None:
        for name in ("time_limit_seconds", "feedback_mode", "shuffle_questions"):
            setattr(draft, name, getattr(current, name))
        draft.shuffle_choices = current.shuffle_choices
    session.add(draft)
    await session.flush()
    assert draft.id is not None  # noqa: S101 - flushed
    for row in await _rows(session, current.id if current else None):
        copied = row.model_dump(exclude={"id", "revision_id", "version"})
        session.add(RevisionQuestion(**copied, revision_id=draft.id))
    await session.flush()
    return draft


async def save_settings(
    session: AsyncSession, user: User, slug: str, settings: QuizSettings
) -> Quiz:
    quiz = await owned_quiz(session, user, slug)
    async with writing(session):
        draft = await ensure_draft(session, quiz)
        apply_settings(quiz, draft, settings)
        session.add_all([quiz, draft])
    return quiz


def _touch(quiz: Quiz, session: AsyncSession) -> None:
    quiz.updated_at = utcnow()
    session.add(quiz)


async def add_question(session: AsyncSession, user: User, slug: str, kind: str) -> int:
    """A new question of `kind` at the end of the draft, starting from the kind's starter
    body; returns its identity, for the editor to open."""
    quiz = await owned_quiz(session, user, slug)  # who asks, before what they sent
    if kind not in KINDS:
        raise BodyInvalidError({"kind": "Choose a question type from the list."})
    async with writing(session):
        draft = await ensure_draft(session, quiz)
        rows = await _rows(session, draft.id)
        if len(rows) >= MAX_QUESTIONS:
            raise AuthoringError(f"A quiz holds at most {MAX_QUESTIONS} questions.")
        identity = Question(quiz_id=quiz.id or 0)
        session.add(identity)
        await session.flush()
        assert identity.id is not None  # noqa: S101 - flushed
        assert draft.id is not None  # noqa: S101 - flushed
        body = KINDS[kind].body.model_validate(KINDS[kind].starter)
        session.add(
            RevisionQuestion(
                revision_id=draft.id,
                question_id=identity.id,
                position=len(rows) + 1,
                kind=kind,
                text=f"New {KINDS[kind].label.lower()} question",
                body=body.model_dump(mode="json"),
            )
        )
        _touch(quiz, session)
    return identity.id


def validate_body(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's body from an editor's fields, as stored; BodyInvalidError otherwise."""
    try:
        return KINDS[kind].body.model_validate(raw).model_dump(mode="json")
    except ValidationError as error:
        raise BodyInvalidError(problems(error, tags=(), named={})) from error


async def save_question(
    session: AsyncSession,
    user: User,
    slug: str,
    question_id: int,
    *,
    version: int,
    fields: QuestionFields,
    body: Mapping[str, Any],
) -> RevisionQuestion:
    """Save one question of the draft, unless it was saved since `version` was read."""
    quiz = await owned_quiz(session, user, slug)
    async with writing(session):
        if await draft_of(session, quiz) is None and version != 1:
            # No draft yet: the editor opened the published question, which a first save
            # copies at version 1. Anything else is stale; show what is published.
            published = await _rows(session, quiz.current_revision_id)
            raise EditConflictError(_find(published, question_id), expected=1)
        draft = await ensure_draft(session, quiz)
        row = _find(await _rows(session, draft.id), question_id)
        if row.version != version:
            raise EditConflictError(row)
        row.body = validate_body(row.kind, body)
        row.text, row.points = fields.text, fields.points
        row.explanation, row.text_format = fields.explanation, fields.text_format
        row.version += 1
        session.add(row)
        _touch(quiz, session)
    return row


def _find(rows: list[RevisionQuestion], question_id: int) -> RevisionQuestion:
    found = next((row for row in rows if row.question_id == question_id), None)
    if found is None:
        raise QuizNotFoundError(GONE)
    return found


async def _renumber(session: AsyncSession, rows: list[RevisionQuestion]) -> None:
    """Positions 1..N in the given order; the unique (revision, position) index allows no
    two rows at one place even for a moment, so they pass through free positions first."""
    for offset, row in enumerate(rows, start=1):
        row.position = MAX_QUESTIONS * 10 + offset
        session.add(row)
    await session.flush()
    for position, row in enumerate(rows, start=1):
        row.position = position
        session.add(row)
    await session.flush()


async def duplicate_question(session: AsyncSession, user: User, slug: str, question_id: int) -> int:
    """A copy right after the original, with an identity of its own."""
    quiz = await owned_quiz(session, user, slug)
    async with writing(session):
        draft = await ensure_draft(session, quiz)
        rows = await _rows(session, draft.id)
        if len(rows) >= MAX_QUESTIONS:
            raise AuthoringError(f"A quiz holds at most {MAX_QUESTIONS} questions.")
        original = _find(rows, question_id)
        identity = Question(quiz_id=quiz.id or 0)
        session.add(identity)
        await session.flush()
        assert identity.id is not None  # noqa: S101 - flushed
        copy = RevisionQuestion(
            **original.model_dump(exclude={"id", "question_id", "position", "version"}),
            question_id=identity.id,
            position=MAX_QUESTIONS * 20,
        )
        session.add(copy)
        await session.flush()
        rows.insert(rows.index(original) + 1, copy)
        await _renumber(session, rows)
        _touch(quiz, session)
    return identity.id


async def move_question(
    session: AsyncSession, user: User, slug: str, question_id: int, *, by: int
) -> int:
    """Move one place up (by=-1) or down (by=1); returns the new position (unchanged at
    either end)."""
    quiz = await owned_quiz(session, user, slug)
    async with writing(session):
        draft = await ensure_draft(session, quiz)
        rows = await _rows(session, draft.id)
        row = _find(rows, question_id)
        index = rows.index(row)
        target = min(max(index + by, 0), len(rows) - 1)
        if target != index:
            rows.insert(target, rows.pop(index))
            await _renumber(session, rows)
            _touch(quiz, session)
    return target + 1


async def delete_question(session: AsyncSession, user: User, slug: str, question_id: int) -> None:
    """Out of the draft only: published revisions (and attempts on them) keep it."""
    quiz = await owned_quiz(session, user, slug)
    async with writing(session):
        draft = await ensure_draft(session, quiz)
        rows = await _rows(session, draft.id)
        row = _find(rows, question_id)
        await session.delete(row)
        await session.flush()
        await _renumber(session, [other for other in rows if other is not row])
        _touch(quiz, session)
