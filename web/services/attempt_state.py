"""Services: an attempt as its taker sees it: questions in attempt order, answers, verdicts.

Pure values, loaded once per request by services/attempts.py and read by routes and
components alike; nothing here touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from typing import Any

from quart import url_for

from web.models import Attempt
from web.models import AttemptNotFoundError
from web.models import Quiz
from web.models.attempt import TIME_IS_UP
from web.services.content import QuestionView
from web.services.content import RevisionContent

CORRECT, INCORRECT, PARTIAL = "Correct", "Incorrect", "Partially correct"
POINTS_EPSILON = 1e-6  # points are rounded to 7 places; sums of them may be off by less


class StoredResponse(Mapping[str, Any]):
    """A stored response as read from the database, decoded from its JSON on first use.

    An answer reads every answer of its attempt so far (which questions are done, and
    whether this one was) but looks inside one: decoding the 50 others of a 100-question
    quiz each time cost about 0.2 ms per answer.
    """

    __slots__ = ("_raw", "_value")

    def __init__(self, raw: str) -> None:
        self._raw = raw
        self._value: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._value is None:
            self._value = json.loads(self._raw)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"StoredResponse({self._raw!r})"


@dataclass(frozen=True)
class Answer:
    """A stored answer: the response as its kind parsed it, and the points it earned then."""

    response: Mapping[str, Any]
    points: float

    def verdict(self, question: QuestionView) -> str:
        """What feedback and review call it: full points, none, or some (CONTRACT.md)."""
        if self.points >= question.points - POINTS_EPSILON:
            return CORRECT
        return INCORRECT if self.points <= POINTS_EPSILON else PARTIAL


@dataclass
class AttemptState:
    """An attempt as its taker sees it: questions in attempt order and the answers so far."""

    attempt: Attempt
    quiz: Quiz
    content: RevisionContent
    answers: dict[int, Answer] = field(default_factory=dict)

    @cached_property
    def questions(self) -> list[QuestionView]:
        """Attempt order, computed once per request: the card, its position and "what next"
        all ask for it."""
        by_id = {question.id: question for question in self.content.questions}
        ids = list(by_id)
        if self.content.shuffle_questions:
            ids = self.attempt.order(ids)
        return [by_id[question_id] for question_id in ids]

    @property
    def total(self) -> int:
        return len(self.content.questions)

    def question_at(self, position: int) -> QuestionView:
        questions = self.questions
        if not 1 <= position <= len(questions):
            raise AttemptNotFoundError("That question is not part of this attempt.")
        return questions[position - 1]

    # Where the card posts and "Next question" and "See results" lead; a preview (authoring)
    # overrides them to grade without storing.
    def answer_url(self, position: int) -> str:
        return url_for("attempts.submit_answer", attempt_id=self.attempt.id, position=position)

    def question_url(self, position: int) -> str:
        return url_for("attempts.question", attempt_id=self.attempt.id, position=position)

    def results_url(self) -> str:
        return url_for("attempts.results", attempt_id=self.attempt.id)

    @property
    def is_exam(self) -> bool:
        return self.content.is_exam

    def arrange[T](
        self, question: QuestionView, options: Sequence[T], *, always: bool = False
    ) -> list[T]:
        """A question's options in this attempt's order: shuffled when the revision says so
        (or `always`, for items whose given order would be the answer), the same each time."""
        if not (always or self.content.shuffle_choices):
            return list(options)
        order = self.attempt.order(list(range(len(options))), salt=question.id)
        return [options[index] for index in order]

    def may_show(self, position: int) -> bool:
        """Exam answers are never shown back; a finished attempt shows only its feedback."""
        answered = self.question_at(position).id in self.answers
        if self.is_exam:
            return not answered and not self.attempt.is_finished
        return answered or not self.attempt.is_finished

    def after_answer(self, position: int) -> int | None:
        """What follows an answer: its feedback (immediate mode), the next card (exam mode),
        or None when only the results are left."""
        if not self.is_exam:
            return position
        return None if self.attempt.is_finished else self.next_position()

    @property
    def time_up_note(self) -> str | None:
        """What the results say when the clock, not the taker, ended the attempt."""
        return TIME_IS_UP if self.attempt.ran_out_of_time else None

    def next_position(self) -> int | None:
        """The first unanswered question, where a resumed attempt picks up."""
        for position, question in enumerate(self.questions, start=1):
            if question.id not in self.answers:
                return position
        return None


@dataclass(frozen=True)
class ReviewItem:
    """A question in attempt order with the answer given (None when unanswered)."""

    position: int
    question: QuestionView
    answer: Answer | None


def review_items(state: AttemptState) -> list[ReviewItem]:
    """Every question of the attempt's revision, with what was given and what it earned."""
    return [
        ReviewItem(position, question, state.answers.get(question.id))
        for position, question in enumerate(state.questions, start=1)
    ]
