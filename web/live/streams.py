"""Live: the SSE streams of a game, one per open host or player page.

A stream holds no database session while it waits: it waits on the broker (Redis pub/sub
across workers and instances, in-process otherwise), and for each wake-up opens a short
session, reads what changed and renders. It also polls the game's `seq` now and then
(every POLL_SECONDS; faster while Redis is unreachable), which is what carries events
between workers that share no broker (several workers on SQLite without Redis) and what
recovers from a lost message. It notices a timed question's end itself and locks it (one
stream wins: services.live_games.lock_if_due). Each worker caps its open streams.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from dataclasses import field

from quart import Quart
from sqlmodel import select

from web.db import Database
from web.live.broker import Broker
from web.live.broker import Listener
from web.models import Game
from web.models import utcnow
from web.models.game import LOCK_GRACE
from web.services import live_games
from web.services.live_view import Snapshot
from web.services.live_view import SnapshotCache

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 2.0
POLL_SECONDS_DEGRADED = 1.0
COUNTS_EVERY_SECONDS = 0.5  # the host's "12 of 30 answered", during a rush of answers
FULL = "This server is at its limit of live connections. Reload the page in a moment."
# Sent once a game has ended: the pages' hx-sse:close names it, so the browser stops
# reconnecting (hx-sse reconnects to a stream that simply ends, forever).
ENDED = b"event: game-ended\ndata: \n\n"

Render = Callable[[Snapshot], Awaitable[str]]


@dataclass
class StreamSlots:
    """This worker's open streams, at most `limit` (LIVE_MAX_STREAMS)."""

    limit: int
    open: int = 0
    snapshots: SnapshotCache = field(default_factory=SnapshotCache)
    # Each game's seq as last read, and when: streams of one game share a poll.
    _seen: dict[int, tuple[float, int]] = field(default_factory=dict)
    _poll_locks: dict[int, asyncio.Lock] = field(default_factory=dict)

    def take(self) -> bool:
        if self.open >= self.limit:
            return False
        self.open += 1
        return True

    def give_back(self) -> None:
        self.open -= 1

    async def current_seq(self, database: Database, game_id: int, fresh_for: float) -> int | None:
        """The game's seq, read at most once per `fresh_for` seconds by this worker."""
        async with self._poll_locks.setdefault(game_id, asyncio.Lock()):
            seen = self._seen.get(game_id)
            if seen is not None and time.monotonic() - seen[0] < fresh_for:
                return seen[1]
            async with database.sessionmaker() as session:
                seq = (await session.exec(select(Game.seq).where(Game.id == game_id))).first()
            if seq is not None:
                self._seen[game_id] = (time.monotonic(), seq)
            return seq


def slots(app: Quart) -> StreamSlots:
    found: StreamSlots | None = app.extensions.get("live_streams")
    if found is None:
        found = app.extensions["live_streams"] = StreamSlots(app.config["LIVE_MAX_STREAMS"])
    return found


def message(seq: int, html: str) -> bytes:
    """One SSE message: its id (the game's seq, for Last-Event-ID) and the HTML to swap."""
    data = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
    return f"id: {seq}\n{data}\n".encode()


async def game_events(
    app: Quart,
    broker: Broker,
    game_id: int,
    topics: tuple[str, ...],
    render: Render,
    *,
    last_event_id: int | None,
    every_wake: bool = False,
) -> AsyncIterator[bytes]:
    """The stream's messages: the current state first (unless Last-Event-ID says the page
    already shows it), then one message per change of seq, heartbeats between.

    `every_wake`: render on every notification, reading a snapshot of its own (the host's
    page counts joins and answers, which change no seq); players share the worker's
    snapshot of each seq instead. The caller took a slot (StreamSlots.take); it is given
    back here when the stream ends."""
    database: Database = app.extensions["database"]
    pool = slots(app)
    try:
        async with AsyncExitStack() as stack:
            listeners = [await stack.enter_async_context(broker.listen(t)) for t in topics]
            async with database.sessionmaker() as session:
                snapshot = await pool.snapshots.get(session, game_id, None)
            shown, last_sent = last_event_id, time.monotonic()
            if shown != snapshot.game.seq:
                yield message(snapshot.game.seq, await render(snapshot))
                shown = snapshot.game.seq
            while snapshot.game.ended_at is None:
                woke = await _next(listeners, _wait_for(snapshot.game, broker))
                if any(listener.closed for listener in listeners):
                    return  # the server is stopping: the client reconnects elsewhere
                due = snapshot.game.is_due_to_lock()
                stale = woke is not None and shown is not None and woke <= shown
                if stale and not (every_wake or due):
                    continue  # a late notification of a state already sent: never go back
                if woke is None and not due:
                    seq = await pool.current_seq(database, game_id, _poll_every(broker))
                    if seq is None:
                        return
                    # <=: the worker's shared poll may have read just before a commit this
                    # stream has since been told of; never send an older state again.
                    if shown is not None and seq <= shown:
                        if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                            yield b": heartbeat\n\n"
                            last_sent = time.monotonic()
                        continue
                    woke = seq
                if every_wake and woke == shown and not due:
                    # Only counts moved (joins, answers): at most one render per interval
                    # however fast they come; the notifications meanwhile coalesce.
                    await asyncio.sleep(last_sent + COUNTS_EVERY_SECONDS - time.monotonic())
                async with database.sessionmaker() as session:
                    if due:
                        await live_games.lock_if_due(session, broker, game_id)
                    wanted = None if every_wake or due else woke
                    snapshot = await pool.snapshots.get(session, game_id, wanted)
                if every_wake or snapshot.game.seq != shown:
                    yield message(snapshot.game.seq, await render(snapshot))
                    shown, last_sent = snapshot.game.seq, time.monotonic()
            yield ENDED
    finally:
        pool.give_back()


def _poll_every(broker: Broker) -> float:
    return POLL_SECONDS if broker.healthy else POLL_SECONDS_DEGRADED


def _wait_for(game: Game, broker: Broker) -> float:
    """Until the next poll, or until a timed question's lock is due, whichever is first."""
    timeout = _poll_every(broker)
    if game.deadline_at is not None and not game.is_paused and game.phase == "question":
        due = (game.deadline_at + LOCK_GRACE - utcnow()).total_seconds()
        timeout = max(min(timeout, due + 0.05), 0.05)
    return timeout


async def _next(listeners: list[Listener], seconds: float) -> int | None:
    """The first seq any listener hears within `seconds`."""
    if len(listeners) == 1:
        return await listeners[0].wait(seconds)
    waits = [asyncio.ensure_future(listener.wait(seconds)) for listener in listeners]
    done, not_done = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in not_done:
        task.cancel()
    heard = [seq for seq in (task.result() for task in done) if seq is not None]
    return max(heard) if heard else None
