"""Services: quiz content (questions and choices) as immutable values, cached per process.

Content is read-mostly, and each query through the async ORM costs about as much as a
whole render (perf-facts.md). Entries are keyed by the quiz's `updated_at`, which every
caller already reads with the attempt or quiz row, so an edit made by any worker is seen
by all of them without a cross-worker message.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.models import Question

MAX_CACHED_QUIZZES = 256


@dataclass(frozen=True)
class ChoiceView:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class QuestionView:
    id: int
    position: int
    text: str
    explanation: str
    choices: tuple[ChoiceView, ...]

    @property
    def correct(self) -> ChoiceView:
        return next(choice for choice in self.choices if choice.is_correct)

    def choice(self, choice_id: int) -> ChoiceView | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)


@dataclass(frozen=True)
class QuizContent:
    quiz_id: int
    version: datetime
    questions: tuple[QuestionView, ...]

    def question(self, question_id: int) -> QuestionView | None:
        return next((q for q in self.questions if q.id == question_id), None)


_cache: OrderedDict[int, QuizContent] = OrderedDict()


async def quiz_content(session: AsyncSession, quiz_id: int, version: datetime) -> QuizContent:
    """The questions of a quiz as of `version` (its updated_at); one query on a miss."""
    cached = _cache.get(quiz_id)
    if cached is not None and cached.version == version:
        _cache.move_to_end(quiz_id)
        return cached
    questions = (
        await session.exec(
            select(Question).where(Question.quiz_id == quiz_id).order_by(col(Question.position))
        )
    ).all()
    content = QuizContent(
        quiz_id=quiz_id,
        version=version,
        questions=tuple(
            QuestionView(
                id=question.id or 0,
                position=question.position,
                text=question.text,
                explanation=question.explanation,
                choices=tuple(
                    ChoiceView(choice.id or 0, choice.text, choice.is_correct)
                    for choice in question.choices
                ),
            )
            for question in questions
        ),
    )
    _cache[quiz_id] = content
    while len(_cache) > MAX_CACHED_QUIZZES:
        _cache.popitem(last=False)
    return content
