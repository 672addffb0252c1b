"""Services: a quiz's draft (or its current revision) as a taker would meet it, graded by
its kinds and never stored: no attempt row, no answers, nothing in any score."""

from __future__ import annotations

from dataclasses import dataclass

from quart import url_for
from sqlmodel.ext.asyncio.session import AsyncSession

from web.kinds.base import Form
from web.models import Attempt
from web.models import User
from web.services.attempt_state import Answer
from web.services.attempt_state import AttemptState
from web.services.attempts import grade
from web.services.authoring import AuthoringError
from web.services.content import revision_content
from web.services.drafts import editing

NOTHING_YET = "This quiz has no questions to preview yet: add one first."


@dataclass
class PreviewState(AttemptState):
    """An unsaved attempt whose card posts to the preview and whose "Next question" and
    "See results" lead through it; `at` is the question just shown or answered. Answers are
    not accumulated: each question shows its own feedback."""

    slug: str = ""
    at: int = 1

    def answer_url(self, position: int) -> str:
        return url_for("authoring_preview.answer_preview", slug=self.slug, position=position)

    def question_url(self, position: int) -> str:
        return url_for("authoring_preview.preview_question", slug=self.slug, position=position)

    def results_url(self) -> str:
        return url_for("authoring_preview.preview_done", slug=self.slug)

    def next_position(self) -> int | None:
        return self.at + 1 if self.at < self.total else None


async def preview_state(session: AsyncSession, user: User, slug: str, at: int = 1) -> PreviewState:
    """The editor's revision (draft first) in an attempt that is never added to the session;
    its shuffle seed is the revision's, so a card and its grading see the same order."""
    shown = await editing(session, user, slug)
    if shown.revision is None or shown.revision.id is None or not shown.questions:
        raise AuthoringError(NOTHING_YET)
    content = await revision_content(session, shown.revision.id)  # drafts are never cached
    attempt = Attempt.begin(
        user.id or 0,
        shown.quiz.id or 0,
        content.revision_id,
        question_count=len(content.questions),
        points_possible=content.points_possible,
        time_limit_seconds=None,  # a preview is never timed out
    )
    attempt.shuffle_seed = content.revision_id % 2**31
    state = PreviewState(attempt, shown.quiz, content, slug=slug, at=at)
    state.question_at(at)  # AttemptNotFoundError (404) for a position the quiz lacks
    return state


def grade_preview(state: PreviewState, form: Form) -> Answer:
    """The answer as a taker's would be graded (InvalidResponseError when it is none),
    kept only in the returned state for the feedback to show."""
    question = state.question_at(state.at)
    answer = grade(question, form)
    state.answers[question.id] = answer
    return answer
