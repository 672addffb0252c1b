"""Services: a revision's questions as immutable values, cached per process by revision id.

Content is read-mostly, and each query through the async ORM costs about as much as a
whole render (perf-facts.md). A published revision never changes, so an entry keyed by its
id needs no invalidation and is right in every worker at once; drafts are never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.kinds import Kind
from web.kinds import QuestionBody
from web.kinds import kind
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import RevisionStatus
from web.models.quiz import FeedbackMode

MAX_CACHED_REVISIONS = 512


class RevisionNotFoundError(LookupError):
    """No revision has that id: a dangling pointer, which the database's keys prevent."""


@dataclass(frozen=True)
class QuestionView:
    """A question as one revision asks it; `id` is its identity across revisions."""

    id: int
    position: int
    kind: str
    text: str
    explanation: str
    points: float
    body: QuestionBody
    text_format: str

    @property
    def kind_info(self) -> Kind:
        return kind(self.kind)


@dataclass(frozen=True)
class RevisionContent:
    revision_id: int
    quiz_id: int
    feedback_mode: str
    time_limit_seconds: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    questions: tuple[QuestionView, ...]

    @property
    def is_exam(self) -> bool:
        return self.feedback_mode == FeedbackMode.EXAM

    @property
    def points_possible(self) -> float:
        return round(sum(question.points for question in self.questions), 7)

    def question(self, question_id: int) -> QuestionView | None:
        return next((q for q in self.questions if q.id == question_id), None)


_cache: OrderedDict[int, RevisionContent] = OrderedDict()


def _question_view(row: RevisionQuestion) -> QuestionView:
    return QuestionView(
        id=row.question_id,
        position=row.position,
        kind=row.kind,
        text=row.text,
        explanation=row.explanation,
        points=row.points,
        body=kind(row.kind).body.model_validate(row.body),
        text_format=row.text_format,
    )


async def revision_content(session: AsyncSession, revision_id: int) -> RevisionContent:
    """The revision's settings and questions in order; two queries on a miss, none on a hit."""
    cached = _cache.get(revision_id)
    if cached is not None:
        _cache.move_to_end(revision_id)
        return cached
    revision = await session.get(QuizRevision, revision_id)
    if revision is None or revision.id is None:
        raise RevisionNotFoundError(revision_id)
    rows = (
        await session.exec(
            select(RevisionQuestion)
            .where(col(RevisionQuestion.revision_id) == revision_id)
            .order_by(col(RevisionQuestion.position))
        )
    ).all()
    content = RevisionContent(
        revision_id=revision.id,
        quiz_id=revision.quiz_id,
        feedback_mode=revision.feedback_mode,
        time_limit_seconds=revision.time_limit_seconds,
        shuffle_questions=revision.shuffle_questions,
        shuffle_choices=revision.shuffle_choices,
        questions=tuple(_question_view(row) for row in rows),
    )
    if revision.status == RevisionStatus.PUBLISHED:
        _cache[revision_id] = content
        while len(_cache) > MAX_CACHED_REVISIONS:
            _cache.popitem(last=False)
    return content


def forget_cached_content() -> None:
    """Empty the cache: for tests, whose scratch databases start their ids again at 1."""
    _cache.clear()
