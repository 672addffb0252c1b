"""Services: importing and exporting quizzes as documents (forms/quiz_import.py's format)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload
from sqlmodel import col
from sqlmodel import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.forms.quiz_import import ChoiceData
from web.forms.quiz_import import QuestionData
from web.forms.quiz_import import QuizData
from web.models import Choice
from web.models import Question
from web.models import Quiz


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


def _build_quiz(data: QuizData, author_id: int | None) -> Quiz:
    return Quiz(
        slug=data.slug,
        title=data.title,
        description=data.description,
        category=data.category,
        difficulty=data.difficulty,
        time_limit_seconds=data.time_limit_seconds,
        feedback_mode=data.feedback_mode,
        shuffle_questions=data.shuffle_questions,
        shuffle_choices=data.shuffle_choices,
        is_published=data.published,
        created_by_id=author_id,
        questions=[
            Question(  # type: ignore[call-arg]  # quiz_id is set by the relationship
                position=q_index,
                text=question.text,
                explanation=question.explanation,
                choices=[
                    Choice(  # type: ignore[call-arg]  # question_id: set by the relationship
                        position=c_index, text=choice.text, is_correct=choice.correct
                    )
                    for c_index, choice in enumerate(question.choices, start=1)
                ],
            )
            for q_index, question in enumerate(data.questions, start=1)
        ],
    )


async def import_quizzes(
    session: AsyncSession,
    quizzes: tuple[QuizData, ...],
    *,
    replace: bool = False,
    author_id: int | None = None,
) -> ImportResult:
    """All or nothing in one transaction; an existing slug is skipped unless replace is set.

    Replacing deletes the old quiz and its attempts' history with it, so it is opt-in.
    """
    created: list[str] = []
    replaced: list[str] = []
    skipped: list[str] = []
    async with writing(session):
        slugs = [quiz.slug for quiz in quizzes]
        existing = set(
            (await session.exec(select(Quiz.slug).where(col(Quiz.slug).in_(slugs)))).all()
        )
        for data in quizzes:
            if data.slug in existing:
                if not replace:
                    skipped.append(data.slug)
                    continue
                await session.exec(delete(Quiz).where(col(Quiz.slug) == data.slug))
                replaced.append(data.slug)
            else:
                created.append(data.slug)
            session.add(_build_quiz(data, author_id))
    return ImportResult(tuple(created), tuple(replaced), tuple(skipped))


async def export_quizzes(session: AsyncSession, slugs: list[str] | None = None) -> list[QuizData]:
    """Every quiz, or those named; a name that matches none fails it all (UnknownSlugsError),
    so a typo never passes for an export with one quiz fewer."""
    with_questions = selectinload(Quiz.questions)  # type: ignore[arg-type]  # SQLModel types it as a list
    query = select(Quiz).options(with_questions).order_by(col(Quiz.id))
    if slugs:
        query = query.where(col(Quiz.slug).in_(slugs))
    quizzes = (await session.exec(query)).all()
    found = {quiz.slug for quiz in quizzes}
    if missing := [slug for slug in dict.fromkeys(slugs or []) if slug not in found]:
        raise UnknownSlugsError(missing)
    return [
        QuizData(
            slug=quiz.slug,
            title=quiz.title,
            description=quiz.description,
            category=quiz.category,
            difficulty=quiz.difficulty,
            time_limit_seconds=quiz.time_limit_seconds,
            feedback_mode=quiz.feedback_mode,
            shuffle_questions=quiz.shuffle_questions,
            shuffle_choices=quiz.shuffle_choices,
            published=quiz.is_published,
            questions=tuple(
                QuestionData(
                    text=question.text,
                    explanation=question.explanation,
                    choices=tuple(
                        ChoiceData(text=choice.text, correct=choice.is_correct)
                        for choice in question.choices
                    ),
                )
                for question in quiz.questions
            ),
        )
        for quiz in quizzes
    ]
