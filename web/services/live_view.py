"""Services: a live game as its host and its players see it, loaded in one read.

A snapshot is the game row, its revision's content (cached), every seat in rank order, and
during the reveal the tally of the current question's answers. Every stream of a game on a
worker renders from the same snapshot of the same `seq` (SnapshotCache), so a question
change costs each worker one read, not one per player.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.models import Game
from web.models import GamePhase
from web.models import GamePlayer
from web.models import Quiz
from web.models import UserAnswer
from web.models.game import GameNotFoundError
from web.models.game import ordinal
from web.services.attempt_state import Answer
from web.services.content import QuestionView
from web.services.content import RevisionContent
from web.services.content import revision_content

TOP = 5
PODIUM = 3
NOT_FOUND = "We could not find that game. Check the code and try again."


@dataclass(frozen=True)
class Standing:
    """A seat on the leaderboard; tied totals share a rank (1, 1, 3)."""

    player: GamePlayer
    rank: int

    @property
    def place(self) -> str:
        return ordinal(self.rank)


@dataclass(frozen=True)
class TallyBar:
    """One answer in the reveal's chart: how many gave it, and whether it was right."""

    label: str
    count: int
    correct: bool
    percent: int


@dataclass
class Snapshot:
    """A game at one `seq`, with everything its pages render."""

    game: Game
    content: RevisionContent
    standings: list[Standing]
    quiz_title: str = ""
    tally: list[TallyBar] = field(default_factory=list)
    # The current question's answers by player id (reveal and question phases).
    answers: dict[int, Answer] = field(default_factory=dict)

    @property
    def total_questions(self) -> int:
        return len(self.content.questions)

    @property
    def question(self) -> QuestionView | None:
        index = self.game.question_index
        return self.content.questions[index - 1] if 0 < index <= self.total_questions else None

    @property
    def is_last_question(self) -> bool:
        return self.game.question_index >= self.total_questions

    @property
    def active(self) -> list[GamePlayer]:
        return [s.player for s in self.standings]

    @property
    def answered_count(self) -> int:
        index = self.game.question_index
        return sum(1 for player in self.active if player.answered_index >= index)

    @property
    def top(self) -> list[Standing]:
        return self.standings[:TOP]

    @property
    def podium(self) -> list[Standing]:
        return [standing for standing in self.standings if standing.rank <= PODIUM]

    def standing_of(self, player_id: int) -> Standing | None:
        return next((s for s in self.standings if s.player.id == player_id), None)

    def arrange[T](
        self, question: QuestionView, options: Sequence[T], *, always: bool = False
    ) -> list[T]:
        """Options in the order every player sees (the host's chart reads the same); items
        whose given order would be the answer are shuffled by the game, the same for all."""
        if not always:
            return list(options)
        order = list(range(len(options)))
        seed = (self.game.id or 0) * 1_000_003 + question.id
        random.Random(seed).shuffle(order)  # noqa: S311 - an order, not a secret
        return [options[index] for index in order]


def rank(players: Sequence[GamePlayer]) -> list[Standing]:
    """Highest total first; equal totals share the better rank; nickname breaks ties in
    display order only."""
    ordered = sorted(players, key=lambda p: (-p.total, p.nickname.casefold()))
    standings: list[Standing] = []
    for position, player in enumerate(ordered, 1):
        tied = standings and standings[-1].player.total == player.total
        standings.append(Standing(player, standings[-1].rank if tied else position))
    return standings


def tally(question: QuestionView, answers: Sequence[Answer]) -> list[TallyBar]:
    """How many gave each answer: the kind's own answers first (none given shows 0), then
    any others as typed, most given first."""
    body = question.body
    counts: Counter[str] = Counter()
    right = set(body.right_labels())
    for answer in answers:
        counts.update(body.tally(answer.response))
        if answer.points >= question.points - 1e-6:
            right.update(body.tally(answer.response))
    labels = list(body.answer_labels())
    labels += sorted((label for label in counts if label not in labels), key=lambda k: -counts[k])
    most = max(counts.values(), default=0)
    return [
        TallyBar(
            label, counts[label], label in right, round(100 * counts[label] / most) if most else 0
        )
        for label in labels
    ]


async def load_snapshot(session: AsyncSession, game_id: int) -> Snapshot:
    """The game, its quiz's title, its seats, and the current question's answers."""
    game = await session.get(Game, game_id, populate_existing=True)
    if game is None or game.id is None:
        raise GameNotFoundError(NOT_FOUND)
    content = await revision_content(session, game.revision_id)
    players = (
        await session.exec(
            select(GamePlayer)
            .where(GamePlayer.game_id == game.id, col(GamePlayer.removed_at).is_(None))
            # Answers are written in a unit of their own: never the request's stale copies.
            .execution_options(populate_existing=True)
        )
    ).all()
    quiz = await session.get(Quiz, game.quiz_id)
    snapshot = Snapshot(game, content, rank(players), quiz.title if quiz else "")
    question = snapshot.question
    if question is not None and game.phase in (GamePhase.QUESTION, GamePhase.REVEAL):
        by_attempt = {p.attempt_id: p.id for p in players if p.attempt_id and p.id}
        rows = (
            await session.exec(
                select(UserAnswer).where(
                    col(UserAnswer.attempt_id).in_(list(by_attempt)),
                    UserAnswer.question_id == question.id,
                )
            )
        ).all()
        snapshot.answers = {
            by_attempt[row.attempt_id]: Answer(row.response, row.points) for row in rows
        }
        if game.phase == GamePhase.REVEAL:
            snapshot.tally = tally(question, list(snapshot.answers.values()))
    return snapshot


async def seat_snapshot(session: AsyncSession, game: Game, player: GamePlayer) -> Snapshot:
    """The game as one seat sees it while a question is open: no other seat is shown then,
    so an answer's own response reads nothing more (200 answers, not 200 x 200 seats)."""
    content = await revision_content(session, game.revision_id)
    return Snapshot(game, content, [Standing(player, 1)])


class SnapshotCache:
    """The latest snapshot of each game this worker streams, by (game id, seq, answers):
    streams woken by one event share one read. Snapshots are read-only to the renderers."""

    def __init__(self, size: int = 64) -> None:
        self._entries: OrderedDict[tuple[int, int], Snapshot] = OrderedDict()
        self._locks: dict[int, asyncio.Lock] = {}
        self._size = size

    async def get(self, session: AsyncSession, game_id: int, seq: int | None) -> Snapshot:
        """A snapshot at least as new as `seq` (None: always read)."""
        lock = self._locks.setdefault(game_id, asyncio.Lock())
        async with lock:  # the first stream reads; the others find its snapshot
            if seq is not None:
                found = self._entries.get((game_id, seq))
                if found is not None:
                    return found
            snapshot = await load_snapshot(session, game_id)
            self._entries[(game_id, snapshot.game.seq)] = snapshot
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
            return snapshot
