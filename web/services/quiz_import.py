"""Services: importing quizzes as published revisions (or drafts), and exporting them.

An import never deletes: a new quiz gets revision 1, and replacing an existing one adds a
published revision and moves the quiz's pointer to it, so attempts (pinned to the revision
they took) and answers (pointing at question identities) keep their history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import QuizData
from web.kinds import kind
from web.models import Question
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import RevisionStatus
from web.models import utcnow


class UnknownSlugsError(LookupError):
    """Export was asked for quizzes that do not exist; `slugs` names them in the order asked."""

    def __init__(self, slugs: list[str]) -> None:
        super().__init__(f"No quiz has the slug(s): {', '.join(slugs)}")
        self.slugs = slugs


@dataclass(frozen=True)
class ImportResult:
    created: tuple[str, ...]
    replaced: tuple[str, ...]
    skipped: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"Imported {len(self.created)} new, replaced {len(self.replaced)}, "
            f"skipped {len(self.skipped)} existing quiz(zes)."
        )


def _catalog(quiz: Quiz, data: QuizData) -> None:
    quiz.title = data.title
    quiz.description = data.description
    quiz.category = data.category
    quiz.difficulty = data.difficulty
    quiz.is_published = data.published


async def _identities(
    session: AsyncSession, quiz: Quiz, questions: Sequence[QuestionData]
) -> list[int]:
    """A question id for each question: the identity of a current question with the same
    kind and text (each used once, in order), else a new one, so per-question history and
    answers carry over to the new revision wherever the question is the same one."""
    reusable: dict[tuple[str, str], list[int]] = defaultdict(list)
    if quiz.current_revision_id is not None:
        rows = await session.exec(
            select(RevisionQuestion.kind, RevisionQuestion.text, RevisionQuestion.question_id)
            .where(RevisionQuestion.revision_id == quiz.current_revision_id)
            .order_by(col(RevisionQuestion.position))
        )
        for kind_name, text, question_id in rows.all():
            reusable[kind_name, text].append(question_id)
    assert quiz.id is not None  # noqa: S101 - flushed by the caller
    chosen: list[int | None] = []
    for question in questions:
        same = reusable[question.kind, question.text]
        chosen.append(same.pop(0) if same else None)
    new = [Question(quiz_id=quiz.id) for question_id in chosen if question_id is None]
    session.add_all(new)
    await session.flush()
    fresh = iter(new)
    return [_persisted(next(fresh).id if qid is None else qid) for qid in chosen]


async def _has_draft(session: AsyncSession, quiz: Quiz) -> bool:
    found = await session.exec(
        select(QuizRevision.id).where(
            QuizRevision.quiz_id == quiz.id, QuizRevision.status == RevisionStatus.DRAFT
        )
    )
    return found.first() is not None


def _persisted(question_id: int | None) -> int:
    assert question_id is not None  # noqa: S101 - flushed above
    return question_id


class DraftExistsError(ValueError):
    """A draft import met a quiz whose draft holds unpublished changes: never overwritten."""


async def _add_revision(session: AsyncSession, quiz: Quiz, data: QuizData, *, draft: bool) -> None:
    """Add `data` as the quiz's next revision: published and current, or a draft for its
    author to review (the quiz's current revision and catalog entry untouched)."""
    assert quiz.id is not None  # noqa: S101 - flushed by the caller
    latest = await session.exec(
        select(func.max(QuizRevision.number)).where(QuizRevision.quiz_id == quiz.id)
    )
    question_ids = await _identities(session, quiz, data.questions)
    revision = QuizRevision(
        quiz_id=quiz.id,
        number=(latest.one() or 0) + 1,
        status=RevisionStatus.DRAFT if draft else RevisionStatus.PUBLISHED,
        time_limit_seconds=data.time_limit_seconds,
        feedback_mode=data.feedback_mode,
        shuffle_questions=data.shuffle_questions,
        shuffle_choices=data.shuffle_choices,
        published_at=None if draft else utcnow(),
    )
    session.add(revision)
    await session.flush()
    assert revision.id is not None  # noqa: S101 - just flushed
    session.add_all(
        RevisionQuestion(
            revision_id=revision.id,
            question_id=question_id,
            position=position,
            kind=question.kind,
            text=question.text,
            explanation=question.explanation,
            points=question.points,
            text_format=question.text_format,
            body=question.body.model_dump(mode="json"),
        )
        for position, (question, question_id) in enumerate(
            zip(data.questions, question_ids, strict=True), start=1
        )
    )
    if not draft:
        quiz.current_revision_id = revision.id
        session.add(quiz)


async def import_quizzes(
    session: AsyncSession,
    quizzes: Sequence[QuizData],
    *,
    replace: bool = False,
    author_id: int | None = None,
    draft: bool = False,
) -> ImportResult:
    """All or nothing in one transaction; an existing slug is skipped unless replace is set.

    Replacing adds a published revision (and updates the catalog fields); nothing is
    deleted, and attempts already taken keep the revision they pinned. With `draft` (a
    browser import) each quiz gets a draft instead, for its author to review and publish;
    a quiz that already has one is refused (DraftExistsError) rather than overwritten.
    """
    created: list[str] = []
    replaced: list[str] = []
    skipped: list[str] = []
    async with writing(session):
        slugs = [quiz.slug for quiz in quizzes]
        existing = {
            quiz.slug: quiz
            for quiz in (await session.exec(select(Quiz).where(col(Quiz.slug).in_(slugs)))).all()
        }
        for data in quizzes:
            quiz = existing.get(data.slug)
            if quiz is not None and not replace:
                skipped.append(data.slug)
                continue
            if quiz is None:
                quiz = Quiz(slug=data.slug, title=data.title, category=data.category)
                created.append(data.slug)
                quiz.created_by_id = author_id
            else:
                replaced.append(data.slug)
                quiz.updated_at = utcnow()
                if draft and await _has_draft(session, quiz):
                    raise DraftExistsError(
                        f"{quiz.title} has unpublished changes: publish or discard them first."
                    )
            if not draft or quiz.current_revision_id is None:
                _catalog(quiz, data)
            if draft:
                quiz.is_published = quiz.is_published and quiz.current_revision_id is not None
            session.add(quiz)
            await session.flush()
            await _add_revision(session, quiz, data, draft=draft)
    return ImportResult(tuple(created), tuple(replaced), tuple(skipped))


async def export_quizzes(
    session: AsyncSession, slugs: Sequence[str] | None = None
) -> list[QuizData]:
    """Every quiz, archived ones too, or those named, as their current revision asks them
    (a quiz never published: its newest revision). A name that matches none fails it all
    (UnknownSlugsError), so a typo never passes for an export with one quiz fewer."""
    query = select(Quiz).order_by(col(Quiz.id))
    if slugs:
        query = query.where(col(Quiz.slug).in_(slugs))
    quizzes = (await session.exec(query)).all()
    found = {quiz.slug for quiz in quizzes}
    if missing := [slug for slug in dict.fromkeys(slugs or []) if slug not in found]:
        raise UnknownSlugsError(missing)
    revisions = await _exported_revisions(session, [quiz.id for quiz in quizzes if quiz.id])
    rows = await session.exec(
        select(RevisionQuestion)
        .where(col(RevisionQuestion.revision_id).in_([r.id for r in revisions.values()]))
        .order_by(col(RevisionQuestion.revision_id), col(RevisionQuestion.position))
    )
    questions: dict[int, list[QuestionData]] = defaultdict(list)
    for row in rows.all():
        body = kind(row.kind).body.model_validate(row.body)
        questions[row.revision_id].append(
            QuestionData(row.kind, row.text, row.explanation, row.points, body, row.text_format)
        )
    return [_quiz_data(quiz, revisions.get(quiz.id or 0), questions) for quiz in quizzes]


async def _exported_revisions(
    session: AsyncSession, quiz_ids: list[int]
) -> dict[int, QuizRevision]:
    """Each quiz's current revision, or its newest when it has none (a draft only)."""
    rows = await session.exec(
        select(QuizRevision, Quiz.current_revision_id)
        .join(Quiz, col(Quiz.id) == QuizRevision.quiz_id)
        .where(col(QuizRevision.quiz_id).in_(quiz_ids))
        .order_by(col(QuizRevision.number))
    )
    chosen: dict[int, QuizRevision] = {}
    for revision, current_id in rows.all():
        if current_id is None or revision.id == current_id:
            chosen[revision.quiz_id] = revision  # newest wins when none is current
    return chosen


def _quiz_data(
    quiz: Quiz, revision: QuizRevision | None, questions: dict[int, list[QuestionData]]
) -> QuizData:
    return QuizData(
        slug=quiz.slug,
        title=quiz.title,
        description=quiz.description,
        category=quiz.category,
        difficulty=quiz.difficulty,
        time_limit_seconds=revision.time_limit_seconds if revision else None,
        feedback_mode=revision.feedback_mode if revision else "immediate",
        shuffle_questions=revision.shuffle_questions if revision else False,
        shuffle_choices=revision.shuffle_choices if revision else False,
        published=quiz.is_published,
        questions=tuple(questions.get(revision.id or 0, ()) if revision else ()),
    )
