"""Models: live games, their players, and the rules of moving a game on.

A game runs one published revision of a quiz for a room. Its state lives here, in the
database, so every worker and every app instance sees the same game; the broker only tells
streams that `seq` moved (web/live/broker.py).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlmodel import Field
from sqlmodel import SQLModel

from web.models.base import utcnow

CODE_DIGITS = 6
NICKNAME_MAX = 24
# An answer that left the phone before the lock still counts: the network takes a moment.
LOCK_GRACE = timedelta(seconds=1)
SPEED_BONUS_SHARE = 0.5  # a correct answer at once earns up to half its points again
CODE_PATTERN = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")


class GamePhase(StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    RESULTS = "results"
    ENDED = "ended"


class GameError(Exception):
    """A refusal the host or player reads; `status` is the HTTP status that fits it."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GameNotFoundError(GameError):
    status = 404


class NotHostError(GameError):
    status = 403


class Game(SQLModel, table=True):
    """One live run of a quiz revision. `seq` counts what players see change (phases,
    questions, pauses, removals): it is the SSE event id, and a stream that reconnects with
    an older Last-Event-ID is simply sent the current state."""

    __tablename__ = "games"
    __table_args__ = (
        # A code names one game that has not ended; ended games give theirs back.
        Index(
            "uq_games_live_code",
            "code",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        CheckConstraint("question_index >= 0", name="ck_games_question_index"),
        CheckConstraint(
            "seconds_per_question IS NULL OR seconds_per_question > 0",
            name="ck_games_seconds_per_question",
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=CODE_DIGITS, index=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE", index=True)
    revision_id: int = Field(foreign_key="quiz_revisions.id")
    host_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    seconds_per_question: int | None = Field(default=None)
    speed_bonus: bool = Field(default=False)
    phase: str = Field(default=GamePhase.LOBBY, max_length=10)
    # The question on screen, 1-based; 0 in the lobby.
    question_index: int = Field(default=0)
    question_started_at: datetime | None = Field(default=None)
    deadline_at: datetime | None = Field(default=None)
    # While paused: when, and how long the question had left (None when untimed).
    paused_at: datetime | None = Field(default=None)
    seconds_left_at_pause: float | None = Field(default=None)
    seq: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = Field(default=None)

    @staticmethod
    def new_code() -> str:
        return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_over(self) -> bool:
        return self.phase in (GamePhase.RESULTS, GamePhase.ENDED)

    def seconds_left(self, now: datetime | None = None) -> int | None:
        """Whole seconds the current question has left; None when untimed."""
        if self.is_paused:
            return None if self.seconds_left_at_pause is None else int(self.seconds_left_at_pause)
        if self.deadline_at is None:
            return None
        return max(int((self.deadline_at - (now or utcnow())).total_seconds() + 0.999), 0)

    def is_due_to_lock(self, now: datetime | None = None) -> bool:
        """A timed question whose time (and grace) ran out, still open."""
        return (
            self.phase == GamePhase.QUESTION
            and not self.is_paused
            and self.deadline_at is not None
            and (now or utcnow()) >= self.deadline_at + LOCK_GRACE
        )

    def accepts_answers(self, now: datetime | None = None) -> bool:
        return (
            self.phase == GamePhase.QUESTION and not self.is_paused and not self.is_due_to_lock(now)
        )

    def speed_bonus_for(self, points: float, fraction: float, now: datetime) -> float:
        """What a speed bonus adds to an answer's points: up to half again, shrinking with the
        time taken, and nothing untimed, off, or for an answer that earned nothing."""
        if not (self.speed_bonus and points > 0 and self.seconds_per_question):
            return 0.0
        if self.deadline_at is None:
            return 0.0
        left = max((self.deadline_at - now).total_seconds(), 0.0)
        share = min(left / self.seconds_per_question, 1.0)
        return round(points * fraction * SPEED_BONUS_SHARE * share, 2)


class GamePlayer(SQLModel, table=True):
    """A seat in a game: a nickname, the cookie that holds the seat (stored hashed), the
    attempt that keeps their answers, and the running totals the leaderboard sorts by."""

    __tablename__ = "game_players"
    __table_args__ = (
        UniqueConstraint("game_id", "nickname_key", name="uq_game_players_nickname"),
        CheckConstraint("points >= 0", name="ck_game_players_points"),
    )

    id: int | None = Field(default=None, primary_key=True)
    game_id: int = Field(foreign_key="games.id", ondelete="CASCADE", index=True)
    nickname: str = Field(max_length=NICKNAME_MAX)
    # The nickname as uniqueness compares it (nickname_key below): "Ana" and "ANA" clash.
    nickname_key: str = Field(max_length=NICKNAME_MAX * 4)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    seat_hash: str = Field(max_length=64, unique=True)
    attempt_id: int | None = Field(default=None, foreign_key="attempts.id", ondelete="SET NULL")
    points: float = Field(default=0.0)
    bonus: float = Field(default=0.0)
    correct_count: int = Field(default=0)
    # The question this player last answered (1-based; 0 for none): "everyone answered".
    answered_index: int = Field(default=0)
    joined_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = Field(default=None)

    @property
    def total(self) -> float:
        return round(self.points + self.bonus, 7)


def nickname_key(nickname: str) -> str:
    """Nicknames compare without case, width or accents' encodings: NFKC, then casefold."""
    return unicodedata.normalize("NFKC", nickname).casefold()


def ordinal(rank: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st."""
    teens = rank % 100 in range(10, 21)
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"
