"""Helpers for live-game tests: a host with a quiz of their own, guests who join by code."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import cast

from quart import Quart
from quart import Response
from quart.testing import QuartClient
from quart.testing.connections import TestHTTPConnection
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update

from tests.conftest import csrf_token
from tests.integration.quiz_helpers import HTMX
from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import quiz_doc
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import sign_in
from web.db import get_session
from web.models import Attempt
from web.models import Game
from web.models import GamePlayer
from web.models import Quiz
from web.models import UserAnswer

GAME_PATH = re.compile(r"/games/(\d+)/host")
CHOICE = re.compile(r'name="choice" value="(\d+)"[^>]*>\s*<kbd[^>]*>\d</kbd> (Right|Wrong) ')


@dataclass
class Host:
    """The quiz's author, signed in, hosting game `game_id` under `code`."""

    player: Player
    game_id: int
    code: str

    async def act(self, action: str, *, htmx: bool = False) -> Response:
        return await self.player.post(f"/games/{self.game_id}/{action}", htmx=htmx)

    async def page(self) -> str:
        response = await self.player.get(f"/games/{self.game_id}/host")
        assert response.status_code == 200, await response.get_data(as_text=True)
        return await response.get_data(as_text=True)


@dataclass
class Guest:
    """A browser with a seat: its client and CSRF token."""

    client: QuartClient
    token: str
    code: str

    async def page(self, *, htmx: bool = False) -> Response:
        return await self.client.get(f"/play/{self.code}", headers=HTMX if htmx else {})

    async def text(self) -> str:
        response = await self.page()
        assert response.status_code == 200, await response.get_data(as_text=True)
        return await response.get_data(as_text=True)

    async def answer(self, question: int, choice: str, *, htmx: bool = False) -> Response:
        return await self.client.post(
            f"/play/{self.code}/answer",
            form={"csrf_token": self.token, "question": str(question), "choice": choice},
            headers=HTMX if htmx else {},
        )

    async def pick(self, *, right: bool) -> str:
        """The id of a right (or a wrong) choice on the card now showing."""
        choices = {kind: value for value, kind in CHOICE.findall(await self.text())}
        return choices["Right" if right else "Wrong"]


async def own_quiz(app: Quart, slug: str, user_id: int, questions: int = 3) -> None:
    await seed_quizzes(app, quiz_doc(slug, questions=questions))
    async with app.app_context():
        session = get_session()
        quiz = (await session.exec(select(Quiz).where(Quiz.slug == slug))).one()
        quiz.created_by_id = user_id
        session.add(quiz)
        await session.commit()


async def host_game(
    app: Quart, *, slug: str = "live", seconds: str = "", bonus: bool = False, questions: int = 3
) -> Host:
    player = await sign_in(app, "hostess")
    await own_quiz(app, slug, player.user_id, questions)
    form = {"seconds_per_question": seconds} | ({"speed_bonus": "on"} if bonus else {})
    response = await player.post(f"/quizzes/{slug}/games", form)
    assert response.status_code == 303, await response.get_data(as_text=True)
    match = GAME_PATH.fullmatch(response.headers["Location"])
    assert match, response.headers["Location"]
    game_id = int(match.group(1))
    async with app.app_context():
        game = await get_session().get(Game, game_id)
        assert game is not None
        return Host(player, game_id, game.code)


async def join(
    app: Quart, code: str, nickname: str, client: QuartClient | None = None
) -> tuple[Guest, Response]:
    browser = client or cast(QuartClient, app.test_client())  # the class Quart hands out
    token = await csrf_token(browser, "/play")
    response = await browser.post(
        "/play", form={"csrf_token": token, "game_code": code, "nickname": nickname}
    )
    return Guest(browser, token, code), response


async def seated(app: Quart, code: str, nickname: str) -> Guest:
    guest, response = await join(app, code, nickname)
    assert response.status_code == 303, await response.get_data(as_text=True)
    return guest


async def players_of(app: Quart, game_id: int) -> list[GamePlayer]:
    async with app.app_context():
        return list(
            (
                await get_session().exec(select(GamePlayer).where(GamePlayer.game_id == game_id))
            ).all()
        )


async def game_of(app: Quart, game_id: int) -> Game:
    """The game as the database holds it now."""
    async with app.app_context():
        game = await get_session().get(Game, game_id)
        assert game is not None
        return game


async def update_game(app: Quart, game_id: int, **values: object) -> None:
    """Change a game's row directly (a clock that ran out, a game that ended elsewhere)."""
    async with app.app_context():
        session = get_session()
        await session.exec(update(Game).where(col(Game.id) == game_id).values(**values))
        await session.commit()


async def answers_in(app: Quart, game_id: int) -> list[UserAnswer]:
    """Every answer stored in the game's attempts."""
    async with app.app_context():
        query = (
            select(UserAnswer)
            .join(Attempt, col(Attempt.id) == UserAnswer.attempt_id)
            .where(Attempt.game_id == game_id)
        )
        return list((await get_session().exec(query)).all())


async def seat_named(app: Quart, game_id: int, nickname: str) -> GamePlayer:
    [found] = [p for p in await players_of(app, game_id) if p.nickname == nickname]
    return found


class StreamEndedError(Exception):
    """The server ended the event stream."""


@dataclass
class SseEvent:
    """One server-sent event: its id (the game's seq) and its data lines joined."""

    id: int | None
    data: str


class SseStream:
    """An open SSE response from Quart's test client, read event by event."""

    def __init__(self, connection: TestHTTPConnection) -> None:
        self.connection = connection
        self._buffer = b""

    @property
    def status(self) -> int | None:
        """Known once the response started (after the first event)."""
        return self.connection.status_code

    @property
    def content_type(self) -> str:
        headers = self.connection.headers
        return headers.get("Content-Type", "") if headers is not None else ""

    async def chunk(self, seconds: float = 5.0) -> bytes:
        """What the server sends next, as sent (b"" when the response ended)."""
        async with asyncio.timeout(seconds):
            return await self.connection.receive()

    async def next(self, seconds: float = 5.0) -> SseEvent:
        """The next event (heartbeats skipped); TimeoutError after `seconds` without one,
        StreamEndedError when the server ends the response first."""
        async with asyncio.timeout(seconds):
            while True:
                while b"\n\n" in self._buffer:
                    block, self._buffer = self._buffer.split(b"\n\n", 1)
                    event = _parse_sse(block.decode())
                    if event is not None:
                        return event
                received = await self.connection.receive()
                if not received:
                    raise StreamEndedError
                self._buffer += received

    async def ends_within(self, seconds: float) -> bool:
        """True when the server ends the response within `seconds` (events before it are
        skipped)."""
        try:
            while True:
                await self.next(seconds)
        except StreamEndedError:
            return True
        except TimeoutError:
            return False

    async def nothing_for(self, seconds: float) -> bool:
        """True when no event (heartbeats aside) arrives within `seconds`."""
        try:
            await self.next(seconds)
        except TimeoutError:
            return True
        return False

    async def until(self, phase: str, seconds: float = 5.0) -> SseEvent:
        """Events until one shows `phase` (data-phase on the stage)."""
        async with asyncio.timeout(seconds):
            while True:
                event = await self.next(seconds)
                if f'data-phase="{phase}"' in event.data:
                    return event


def _parse_sse(block: str) -> SseEvent | None:
    event_id: int | None = None
    data: list[str] = []
    for line in block.splitlines():
        if line.startswith("id: "):
            event_id = int(line.removeprefix("id: "))
        elif line.startswith("data: ") or line == "data:":
            data.append(line.removeprefix("data:").removeprefix(" "))
    if event_id is None and not data:
        return None  # a comment: a heartbeat
    return SseEvent(event_id, "\n".join(data))


@asynccontextmanager
async def sse(
    client: QuartClient, path: str, headers: dict[str, str] | None = None
) -> AsyncIterator[SseStream]:
    """GET `path` as a stream; the client hangs up when the block ends."""
    async with client.request(path, headers=headers or {}) as opened:
        connection = cast(TestHTTPConnection, opened)  # the class Quart's client uses
        await connection.send_complete()
        stream = SseStream(connection)
        try:
            yield stream
        finally:
            await connection.disconnect()
