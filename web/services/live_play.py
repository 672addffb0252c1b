"""Services: playing a live game: join with a code, keep the seat, answer once.

A seat is a random token in a cookie (stored hashed), so a player who reloads, loses the
network or whose phone sleeps comes back to the same seat and score. An answer counts
exactly once: the seat's `answered_index` and the answers' unique (attempt, question) key
both say so, inside a transaction that holds the game's row, so a lock cannot slip between
the check and the store.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import select as select_core
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import detached
from web.db import release
from web.db import run_in_one_hop
from web.db import writing
from web.forms.live import JoinRequest
from web.kinds import Form
from web.live.broker import Broker
from web.models import Attempt
from web.models import Game
from web.models import GamePhase
from web.models import GamePlayer
from web.models import User
from web.models import utcnow
from web.models.game import GameError
from web.models.game import GameNotFoundError
from web.models.game import nickname_key
from web.security import hash_token
from web.security import new_url_token
from web.services.attempt_state import CORRECT
from web.services.attempt_state import Answer
from web.services.attempts import ANSWERS
from web.services.attempts import ATTEMPTS
from web.services.attempts import grade
from web.services.attempts import insert_answer
from web.services.content import QuestionView
from web.services.content import revision_content
from web.services.live_games import host_topic
from web.services.live_games import lock_when_all_answered
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
    """The stored answer; `duplicate` when it was stored before (a retry, a second tab);
    `locked` when it was the last one the room waited for."""

    answer: Answer
    verdict: str
    duplicate: bool
    locked: bool = False


GAMES: Table = Game.__table__  # type: ignore[attr-defined]
SEATS: Table = GamePlayer.__table__  # type: ignore[attr-defined]
GAME_COLUMNS = [(column.key, column) for column in GAMES.columns]
# Built once (composing a statement costs about as much as running it). The game's row is
# held FOR SHARE: answers do not wait for each other, and the host's lock (FOR UPDATE)
# waits for the answers already under way, so one sent before the lock counts; SQLite
# ignores it, its one writer orders everything.
GAME_FOR_ANSWER = (
    select_core(*(column for _key, column in GAME_COLUMNS))
    .where(GAMES.c.id == bindparam("game_id"))
    .with_for_update(read=True)
)
SEAT_FOR_ANSWER = select_core(SEATS.c.answered_index, SEATS.c.removed_at).where(
    SEATS.c.id == bindparam("player_id")
)
STORED_ANSWER = select_core(ANSWERS.c.response, ANSWERS.c.points).where(
    ANSWERS.c.attempt_id == bindparam("attempt_id"),
    ANSWERS.c.question_id == bindparam("question_id"),
)
COUNT_ON_ATTEMPT = (
    update(ATTEMPTS)
    .where(ATTEMPTS.c.id == bindparam("attempt_id"))
    .values(
        answered_count=ATTEMPTS.c.answered_count + 1,
        points_awarded=ATTEMPTS.c.points_awarded + bindparam("add_points"),
        points_answered=ATTEMPTS.c.points_answered + bindparam("add_possible"),
    )
)
COUNT_ON_SEAT = (
    update(SEATS)
    .where(SEATS.c.id == bindparam("player_id"))
    .values(
        points=SEATS.c.points + bindparam("add_points"),
        bonus=SEATS.c.bonus + bindparam("add_bonus"),
        correct_count=SEATS.c.correct_count + bindparam("add_correct"),
        answered_index=bindparam("index"),
    )
)
SOMEONE_WAITING = (
    select_core(SEATS.c.id)
    .where(
        SEATS.c.game_id == bindparam("game_id"),
        SEATS.c.removed_at.is_(None),
        SEATS.c.answered_index < bindparam("index"),
    )
    .limit(1)
)


@dataclass(frozen=True)
class _Stored:
    response: Mapping[str, Any]
    points: float
    inserted: bool
    waiting: bool


def _store(
    seat: Seat, question: QuestionView, index: int, graded: Answer
) -> Callable[[Session], _Stored]:
    """The answer's whole write, as Core statements in one unit (one thread hop on SQLite):
    check the game and the seat, insert the answer unless one is there, count it on the
    attempt and the seat, and say whether anyone is still to answer."""
    ids = {"game_id": seat.game.id, "player_id": seat.player.id}
    keys = {"attempt_id": seat.player.attempt_id, "question_id": question.id}

    def work(session: Session) -> _Stored:
        connection, now = session.connection(), utcnow()
        row = connection.execute(GAME_FOR_ANSWER, ids).first()
        if row is None:
            raise GameNotFoundError(NOT_FOUND)
        game = detached(Game, {key: row[i] for i, (key, _c) in enumerate(GAME_COLUMNS)})
        answered, removed = connection.execute(SEAT_FOR_ANSWER, ids).one()
        if removed is not None:
            raise GameError(GONE)
        if answered < index:  # not yet: the game must still take it
            if game.question_index != index or game.phase != GamePhase.QUESTION:
                raise GameError(LOCKED)
            if game.is_paused:
                raise GameError(PAUSED)
            if not game.accepts_answers(now):
                raise GameError(LOCKED)
            values = {**keys, "response": graded.response, "points": graded.points}
            inserted = connection.execute(
                insert_answer(connection.dialect.name), {**values, "answered_at": now}
            )
            if inserted.rowcount:
                fraction = graded.points / question.points if question.points else 0.0
                counts = {
                    **ids,
                    **keys,
                    "add_points": graded.points,
                    "add_possible": question.points,
                    "add_bonus": game.speed_bonus_for(question.points, fraction, now),
                    "add_correct": int(graded.verdict(question) == CORRECT),
                    "index": index,
                }
                connection.execute(COUNT_ON_ATTEMPT, counts)
                connection.execute(COUNT_ON_SEAT, counts)
                waiting = connection.execute(SOMEONE_WAITING, {**ids, "index": index}).first()
                return _Stored(graded.response, graded.points, True, waiting is not None)
        stored = connection.execute(STORED_ANSWER, keys).first()
        if stored is None:  # answered_index moved on, yet no answer: the seat skipped none
            raise GameError(LOCKED)
        return _Stored(dict(stored[0]), stored[1], False, True)

    return work


async def answer(
    session: AsyncSession, broker: Broker, seat: Seat, question_index: int, form: Form
) -> Answered:
    """Store the seat's answer to the open question, once; the last one in locks it."""
    game_id = seat.game.id
    assert game_id is not None  # noqa: S101 - a persisted game
    content = await revision_content(session, seat.game.revision_id)
    if not 0 < question_index <= len(content.questions):
        raise GameError(LOCKED)
    question = content.questions[question_index - 1]
    graded = grade(question, form)  # a form that is no answer is a 422, nothing stored
    stored = await run_in_one_hop(
        session, _store(seat, question, question_index, graded), write=True
    )
    answer = Answer(stored.response, stored.points)
    if not stored.inserted:
        return Answered(answer, answer.verdict(question), duplicate=True)
    await broker.publish(host_topic(game_id), seat.game.seq)
    waiting = stored.waiting
    if waiting and not session.info["database"].is_sqlite:
        # Answers commit side by side on PostgreSQL: each saw the others still waiting, so
        # the last ones look again now that theirs are in (SQLite wrote them one by one).
        ids = {"game_id": game_id, "index": question_index}
        connection = await session.connection()
        waiting = (await connection.execute(SOMEONE_WAITING, ids)).first() is not None
        await release(session)
    locked = not waiting and await lock_when_all_answered(session, broker, game_id, question_index)
    return Answered(answer, answer.verdict(question), duplicate=False, locked=locked)
