"""Services: playing a live game: join with a code, keep the seat, answer once.

A seat is a random token in a cookie (stored hashed), so a player who reloads, loses the
network or whose phone sleeps comes back to the same seat and score. An answer counts
exactly once: the seat's `answered_index` and the answers' unique (attempt, question) key
both say so, inside a transaction that holds the game's row, so a lock cannot slip between
the check and the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.forms.live import JoinRequest
from web.kinds import Form
from web.live.broker import Broker
from web.models import Attempt
from web.models import Game
from web.models import GamePhase
from web.models import GamePlayer
from web.models import User
from web.models import UserAnswer
from web.models import utcnow
from web.models.game import GameError
from web.models.game import GameNotFoundError
from web.models.game import nickname_key
from web.security import hash_token
from web.security import new_url_token
from web.services.attempt_state import CORRECT
from web.services.attempt_state import Answer
from web.services.attempts import grade
from web.services.content import revision_content
from web.services.live_games import anyone_waiting
from web.services.live_games import game_topic
from web.services.live_games import host_topic
from web.services.live_games import lock_question
from web.services.live_games import locked_game
from web.services.live_view import NOT_FOUND

LOCKED = "Answers for this question are locked."
PAUSED = "The host paused the game: answer when it resumes."
GONE = "The host removed you from this game."


class SeatNotFoundError(GameNotFoundError):
    """No seat in this game for this browser: join first."""


@dataclass(frozen=True)
class Seat:
    """The joined player and the token for their cookie (only right after joining)."""

    player: GamePlayer
    game: Game
    token: str | None = None


async def live_game_by_code(session: AsyncSession, code: str) -> Game:
    game = (
        await session.exec(select(Game).where(Game.code == code, col(Game.ended_at).is_(None)))
    ).first()
    if game is None:
        raise GameNotFoundError(NOT_FOUND)
    return game


async def join(
    session: AsyncSession,
    broker: Broker,
    request: JoinRequest,
    user: User | None,
    seat_token: str | None,
) -> Seat:
    """A seat in the game under `request.code`; a browser already seated there gets its
    own seat back, whatever nickname it typed."""
    game = await live_game_by_code(session, request.code)
    if seat_token:
        try:
            seat = await seat_of(session, game.code, seat_token)
        except GameNotFoundError:
            seat = None  # a seat of another game: join anew
        # A seat of an ended game that had the same code, or one the host took: join anew.
        if seat is not None and seat.game.id == game.id and seat.player.removed_at is None:
            return seat
    if game.is_over:
        raise GameError("This game has finished: it takes no new players.")
    token, token_hash = new_url_token()
    assert game.id is not None  # noqa: S101 - a persisted game
    key = nickname_key(request.nickname)
    try:
        async with writing(session):
            taken = (
                await session.exec(
                    select(GamePlayer.id).where(
                        GamePlayer.game_id == game.id, GamePlayer.nickname_key == key
                    )
                )
            ).first()
            if taken is not None:
                raise GameError(f"Someone in this game is already called {request.nickname}.")
            content = await revision_content(session, game.revision_id)
            attempt = Attempt.begin(
                user.id if user else None,
                game.quiz_id,
                game.revision_id,
                question_count=len(content.questions),
                points_possible=content.points_possible,
                time_limit_seconds=None,
                game_id=game.id,
            )
            session.add(attempt)
            await session.flush()
            player = GamePlayer(
                game_id=game.id,
                nickname=request.nickname,
                nickname_key=key,
                user_id=user.id if user else None,
                seat_hash=token_hash,
                attempt_id=attempt.id,
            )
            session.add(player)
    except IntegrityError:  # the same nickname, joined a moment earlier elsewhere
        raise GameError(f"Someone in this game is already called {request.nickname}.") from None
    await broker.publish(host_topic(game.id), game.seq)
    return Seat(player, game, token)


async def seat_of(session: AsyncSession, code: str, token: str) -> Seat:
    """The seat this cookie holds in the game with this code (ended games included, so a
    player still sees the podium)."""
    found = (
        await session.exec(
            select(GamePlayer, Game)
            .join(Game, col(Game.id) == GamePlayer.game_id)
            .where(GamePlayer.seat_hash == hash_token(token), Game.code == code)
            .execution_options(populate_existing=True)
        )
    ).first()
    if found is None:
        raise SeatNotFoundError("Join the game first: enter its code and a nickname.")
    player, game = found
    return Seat(player, game)


@dataclass(frozen=True)
class Answered:
    answer: Answer
    verdict: str
    duplicate: bool


async def answer(
    session: AsyncSession, broker: Broker, seat: Seat, question_index: int, form: Form
) -> Answered:
    """Store the seat's answer to the open question, once; the last one in locks it."""
    game, player = seat.game, seat.player
    game_id, player_id, attempt_id = game.id, player.id, player.attempt_id
    assert game_id is not None  # noqa: S101 - a persisted game
    assert player_id is not None  # noqa: S101 - a persisted seat
    assert attempt_id is not None  # noqa: S101 - every seat has its attempt
    content = await revision_content(session, game.revision_id)
    if not 0 < question_index <= len(content.questions):
        raise GameError(LOCKED)
    question = content.questions[question_index - 1]
    graded = grade(question, form)  # a form that is no answer is a 422, nothing stored
    locked_now = False
    async with writing(session):
        game = await locked_game(session, game_id)
        player = await _fresh_player(session, player_id)
        if player.removed_at is not None:
            raise GameError(GONE)
        if player.answered_index >= question_index:
            stored = await _stored(session, player, question.id)
            return Answered(stored, stored.verdict(question), duplicate=True)
        now = utcnow()
        if game.question_index != question_index or game.phase != GamePhase.QUESTION:
            raise GameError(LOCKED)
        if game.is_paused:
            raise GameError(PAUSED)
        if not game.accepts_answers(now):
            raise GameError(LOCKED)
        fraction = graded.points / question.points if question.points else 0.0
        session.add(
            UserAnswer(
                attempt_id=attempt_id,
                question_id=question.id,
                response=graded.response,
                points=graded.points,
                answered_at=now,
            )
        )
        attempt = await session.get(Attempt, attempt_id)
        if attempt is not None:
            attempt.answered_count += 1
            attempt.points_awarded = round(attempt.points_awarded + graded.points, 7)
            attempt.points_answered = round(attempt.points_answered + question.points, 7)
            session.add(attempt)
        player.points = round(player.points + graded.points, 7)
        player.bonus = round(player.bonus + game.speed_bonus_for(question.points, fraction, now), 7)
        player.correct_count += graded.verdict(question) == CORRECT
        player.answered_index = question_index
        session.add(player)
        await session.flush()
        if not await anyone_waiting(session, game):
            lock_question(game)
            session.add(game)
            locked_now = True
    if locked_now:
        await broker.publish(game_topic(game_id), game.seq)
    await broker.publish(host_topic(game_id), game.seq)
    return Answered(graded, graded.verdict(question), duplicate=False)


async def _fresh_player(session: AsyncSession, player_id: int) -> GamePlayer:
    player = await session.get(GamePlayer, player_id, populate_existing=True)
    if player is None:
        raise SeatNotFoundError(GONE)
    return player


async def _stored(session: AsyncSession, player: GamePlayer, question_id: int) -> Answer:
    row = (
        await session.exec(
            select(UserAnswer).where(
                UserAnswer.attempt_id == player.attempt_id, UserAnswer.question_id == question_id
            )
        )
    ).first()
    return Answer(row.response, row.points) if row else Answer({}, 0.0)
