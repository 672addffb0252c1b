"""Services: hosting a live game: create it, move it on, lock, reveal, results, end.

Every change runs in one write transaction that holds the game's row (FOR UPDATE on
PostgreSQL; SQLite's single writer), so two clicks of the host, a time-out noticed by two
workers and the last answer arriving at once move the game exactly one step. After the
commit the new `seq` is published (web/live/broker.py); streams reload and render.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.live.broker import Broker
from web.models import Attempt
from web.models import Game
from web.models import GamePhase
from web.models import GamePlayer
from web.models import Quiz
from web.models import User
from web.models import utcnow
from web.models.game import GameError
from web.models.game import GameNotFoundError
from web.models.game import NotHostError
from web.services.content import revision_content
from web.services.live_view import NOT_FOUND
from web.services.live_view import load_snapshot
from web.services.live_view import rank

SECONDS_MIN, SECONDS_MAX = 5, 600
CODE_TRIES = 20


def game_topic(game_id: int) -> str:
    """What players' streams wait on: phase, question, pause and seat changes."""
    return f"game:{game_id}"


def host_topic(game_id: int) -> str:
    """What the host's stream also waits on: joins and answers."""
    return f"host:{game_id}"


@dataclass(frozen=True)
class HostOptions:
    """The host's choices, parsed at the edge (web/forms/live.py)."""

    seconds_per_question: int | None
    speed_bonus: bool


async def create_game(session: AsyncSession, host: User, slug: str, options: HostOptions) -> Game:
    """A lobby for the quiz's published revision, under a fresh 6-digit code. Only the
    quiz's author hosts it (CONTRACT.md: "a quiz its author owns")."""
    quiz = (await session.exec(select(Quiz).where(Quiz.slug == slug))).first()
    if quiz is None or quiz.id is None or quiz.archived_at is not None:
        raise GameNotFoundError("We could not find that quiz.")
    if quiz.created_by_id != host.id:
        raise NotHostError("Only the quiz's author can host it live.")
    if not quiz.is_published or quiz.current_revision_id is None:
        raise GameError("Publish the quiz before hosting it live.")
    content = await revision_content(session, quiz.current_revision_id)
    if not content.questions:
        raise GameError("Add questions to the quiz before hosting it live.")
    assert host.id is not None  # noqa: S101 - a persisted user
    for _ in range(CODE_TRIES):
        game = Game(
            code=Game.new_code(),
            quiz_id=quiz.id,
            revision_id=content.revision_id,
            host_id=host.id,
            seconds_per_question=options.seconds_per_question,
            speed_bonus=options.speed_bonus and options.seconds_per_question is not None,
        )
        try:
            async with writing(session):
                session.add(game)
        except IntegrityError:
            continue  # the code is another live game's: draw again
        return game
    raise GameError("Could not find a free game code; try again in a moment.")


async def hosted_game(session: AsyncSession, host: User, game_id: int) -> Game:
    """The game, if this person hosts it (someone else's is 403, none is 404)."""
    game = await session.get(Game, game_id, populate_existing=True)
    if game is None:
        raise GameNotFoundError(NOT_FOUND)
    if game.host_id != host.id:
        raise NotHostError("Only the game's host can do that.")
    return game


async def locked_game(session: AsyncSession, game_id: int) -> Game:
    game = (
        await session.exec(
            select(Game)
            .where(Game.id == game_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if game is None:
        raise GameNotFoundError(NOT_FOUND)
    return game


Step = Callable[[AsyncSession, Game, datetime], Awaitable[None]]


async def _step(session: AsyncSession, broker: Broker, game_id: int, step: Step) -> Game:
    """Run one change of the game in a write transaction; publish its new seq after."""
    async with writing(session):
        game = await locked_game(session, game_id)
        before = game.seq
        await step(session, game, utcnow())
        changed = game.seq != before
        session.add(game)
    if changed:
        await broker.publish(game_topic(game_id), game.seq)
        await broker.publish(host_topic(game_id), game.seq)
    return game


def _begin_question(game: Game, index: int, now: datetime) -> None:
    game.phase = GamePhase.QUESTION
    game.question_index = index
    game.question_started_at = now
    game.deadline_at = (
        now + timedelta(seconds=game.seconds_per_question) if game.seconds_per_question else None
    )
    game.paused_at = None
    game.seconds_left_at_pause = None
    game.seq += 1


def lock_question(game: Game) -> None:
    game.phase = GamePhase.REVEAL
    game.paused_at = None
    game.seconds_left_at_pause = None
    game.seq += 1


async def _finish_attempts(session: AsyncSession, game: Game, now: datetime) -> None:
    """The game's attempts end with it: unanswered questions count as wrong."""
    attempts = (
        await session.exec(
            select(Attempt).where(Attempt.game_id == game.id, col(Attempt.finished_at).is_(None))
        )
    ).all()
    for attempt in attempts:
        attempt.finish(now)
        session.add(attempt)


async def anyone_waiting(session: AsyncSession, game: Game) -> bool:
    """A seated player who has not answered the open question yet."""
    waiting = (
        await session.exec(
            select(GamePlayer.id)
            .where(
                GamePlayer.game_id == game.id,
                col(GamePlayer.removed_at).is_(None),
                GamePlayer.answered_index < game.question_index,
            )
            .limit(1)
        )
    ).first()
    return waiting is not None


async def _players_count(session: AsyncSession, game: Game) -> int:
    players = await session.exec(
        select(GamePlayer.id).where(
            GamePlayer.game_id == game.id, col(GamePlayer.removed_at).is_(None)
        )
    )
    return len(players.all())


async def start(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    async def step(session: AsyncSession, game: Game, now: datetime) -> None:
        if game.phase != GamePhase.LOBBY:
            raise GameError("The game has already started.")
        if not await _players_count(session, game):
            raise GameError("Wait for at least one player to join, then start.")
        _begin_question(game, 1, now)

    return await _step(session, broker, game_id, step)


async def lock(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    """ "Lock answers": no more answers; the reveal shows the right one and the tally."""

    async def step(_session: AsyncSession, game: Game, _now: datetime) -> None:
        if game.phase != GamePhase.QUESTION:
            raise GameError("No question is open.")
        lock_question(game)

    return await _step(session, broker, game_id, step)


async def lock_if_due(session: AsyncSession, broker: Broker, game_id: int) -> bool:
    """Lock a timed question whose time ran out; any stream or page that notices calls it,
    and only the first one changes anything."""

    async def step(_session: AsyncSession, game: Game, now: datetime) -> None:
        if game.is_due_to_lock(now):
            lock_question(game)

    before = await session.get(Game, game_id, populate_existing=True)
    if before is None or not before.is_due_to_lock():
        return False
    await _step(session, broker, game_id, step)
    return True


async def lock_when_all_answered(
    session: AsyncSession, broker: Broker, game_id: int, index: int
) -> bool:
    """Lock question `index` if nobody is left to answer it: what the last answer in does.
    Answers run side by side (services/live_play.py), so this checks again under the lock."""
    locked = False

    async def step(session: AsyncSession, game: Game, _now: datetime) -> None:
        nonlocal locked
        open_now = game.phase == GamePhase.QUESTION and game.question_index == index
        if open_now and not await anyone_waiting(session, game):
            lock_question(game)
            locked = True

    await _step(session, broker, game_id, step)
    return locked


async def next_question(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    async def step(_session: AsyncSession, game: Game, now: datetime) -> None:
        if game.phase == GamePhase.QUESTION:
            raise GameError("Lock answers before the next question.")
        if game.phase != GamePhase.REVEAL:
            raise GameError("The game is not between questions.")
        content = await revision_content(session, game.revision_id)
        if game.question_index >= len(content.questions):
            raise GameError("That was the last question: show the results.")
        _begin_question(game, game.question_index + 1, now)

    return await _step(session, broker, game_id, step)


async def show_results(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    """The podium and full ranking; every attempt of the game finishes."""

    async def step(session: AsyncSession, game: Game, now: datetime) -> None:
        if game.phase not in (GamePhase.REVEAL, GamePhase.QUESTION):
            raise GameError("Results come after the questions.")
        await _finish_attempts(session, game, now)
        game.phase = GamePhase.RESULTS
        game.paused_at = None
        game.seq += 1

    return await _step(session, broker, game_id, step)


async def end(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    """ "End game": closes it for good (its code is free again); results are kept."""

    async def step(session: AsyncSession, game: Game, now: datetime) -> None:
        if game.phase == GamePhase.ENDED:
            return
        await _finish_attempts(session, game, now)
        game.phase = GamePhase.ENDED
        game.ended_at = now
        game.paused_at = None
        game.seq += 1

    return await _step(session, broker, game_id, step)


async def pause(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    """Stop the clock and the answers (WCAG 2.2.1: the host can give the room time)."""

    async def step(_session: AsyncSession, game: Game, now: datetime) -> None:
        if game.phase != GamePhase.QUESTION or game.is_paused:
            raise GameError("Only an open question can be paused.")
        left = game.deadline_at - now if game.deadline_at else None
        game.seconds_left_at_pause = max(left.total_seconds(), 0) if left is not None else None
        game.paused_at = now
        game.deadline_at = None
        game.seq += 1

    return await _step(session, broker, game_id, step)


async def resume(session: AsyncSession, broker: Broker, game_id: int) -> Game:
    async def step(_session: AsyncSession, game: Game, now: datetime) -> None:
        if not game.is_paused:
            raise GameError("The game is not paused.")
        if game.seconds_left_at_pause is not None:
            game.deadline_at = now + timedelta(seconds=game.seconds_left_at_pause)
        game.paused_at = None
        game.seconds_left_at_pause = None
        game.seq += 1

    return await _step(session, broker, game_id, step)


async def remove_player(
    session: AsyncSession, broker: Broker, game_id: int, player_id: int
) -> Game:
    """Take a seat away (a bad nickname). Their answers stay in their attempt."""

    async def step(session: AsyncSession, game: Game, now: datetime) -> None:
        player = await session.get(GamePlayer, player_id)
        if player is None or player.game_id != game.id:
            raise GameNotFoundError("We could not find that player in this game.")
        if player.removed_at is None:
            player.removed_at = now
            session.add(player)
            await session.flush()
            game.seq += 1
            # The seat the room waited for is gone: lock as the last answer would.
            if game.phase == GamePhase.QUESTION and not await anyone_waiting(session, game):
                lock_question(game)

    return await _step(session, broker, game_id, step)


async def results_csv(session: AsyncSession, game_id: int) -> Iterator[str]:
    """The game's ranking as CSV lines: rank, nickname, account, correct, points, bonus."""
    snapshot = await load_snapshot(session, game_id)
    usernames = dict(
        (
            await session.exec(
                select(User.id, User.username).where(
                    col(User.id).in_([s.player.user_id for s in snapshot.standings])
                )
            )
        ).all()
    )

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["rank", "nickname", "account", "correct", "points", "speed bonus", "total"]
        )
        for standing in rank(snapshot.active):
            player = standing.player
            writer.writerow(
                [
                    standing.rank,
                    _cell(player.nickname),
                    usernames.get(player.user_id, "") if player.user_id else "",
                    player.correct_count,
                    f"{player.points:g}",
                    f"{player.bonus:g}",
                    f"{player.total:g}",
                ]
            )
        yield buffer.getvalue()

    return lines()


def _cell(text: str) -> str:
    """A nickname that a spreadsheet would run as a formula is written as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
