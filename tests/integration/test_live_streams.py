"""Live games' SSE streams: the current state first (unless Last-Event-ID has it), every
change after, heartbeats, the per-worker cap, and events that reach a stream on another app
instance, through Redis or by polling, also while Redis is down."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from quart import Quart

from tests.conftest import make_app
from tests.integration.live_helpers import Host
from tests.integration.live_helpers import game_of
from tests.integration.live_helpers import host_game
from tests.integration.live_helpers import seat_named
from tests.integration.live_helpers import seated
from tests.integration.live_helpers import sse
from tests.integration.live_helpers import update_game
from tests.integration.test_live_broker import DEAD_REDIS
from tests.integration.test_live_broker import eventually
from tests.integration.test_live_broker import proxied
from tests.integration.test_live_broker import reachable_redis
from web.live import broker
from web.live import streams
from web.live.broker import get_broker
from web.models import utcnow
from web.models.game import LOCK_GRACE
from web.services.live_games import game_topic

FULL = "This server is at its limit of live connections. Reload the page in a moment."


@pytest.fixture
def own_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Channels of this test's own: other test runs on the same Redis number their games
    from 1 too, and their publishes must not wake these streams."""
    monkeypatch.setattr(broker, "CHANNEL_PREFIX", f"hyperquiz-test-{uuid.uuid4().hex[:12]}:")


def events_path(host: Host) -> str:
    return f"/play/{host.code}/events"


@asynccontextmanager
async def instances(database_url: str, redis_url: str | None) -> AsyncIterator[tuple[Quart, Quart]]:
    """Two app instances on one database, each with its own broker (and Redis, if any):
    the host on one, players on the other."""
    first = make_app(database_url, REDIS_URL=redis_url)
    second = make_app(database_url, REDIS_URL=redis_url)
    async with first.test_app(), second.test_app():
        yield first, second


# --- one instance ------------------------------------------------------------------------


async def test_the_first_message_is_the_current_state_then_each_change(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    await seated(app, host.code, "Bo")
    seq = (await game_of(app, host.game_id)).seq
    async with sse(ana.client, events_path(host)) as stream:
        first = await stream.next()
        assert stream.status == 200
        assert stream.content_type.startswith("text/event-stream")
        assert first.id == seq
        assert 'data-phase="lobby"' in first.data
        assert "Waiting for the host" in first.data
        assert (await host.act("start")).status_code == 303
        question = await stream.next(2)
        assert question.id == seq + 1
        assert 'data-phase="question"' in question.data
        assert 'id="question-card"' in question.data
        assert (await host.act("lock")).status_code == 303
        reveal = await stream.next(2)
        assert (reveal.id, 'data-phase="reveal"' in reveal.data) == (seq + 2, True)


async def test_a_stream_that_already_shows_the_state_gets_nothing_first(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    seq = (await game_of(app, host.game_id)).seq
    async with sse(ana.client, events_path(host), {"Last-Event-ID": str(seq)}) as stream:
        assert await stream.nothing_for(0.5)
        assert (await host.act("start")).status_code == 303
        question = await stream.next(2)
        assert question.id == seq + 1
        assert 'data-phase="question"' in question.data


async def test_a_stream_that_missed_changes_gets_the_current_state_at_once(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    assert (await host.act("start")).status_code == 303
    assert (await host.act("pause")).status_code == 303
    seq = (await game_of(app, host.game_id)).seq
    for stale in (str(seq - 2), "not a number", "9" * 30):
        async with sse(ana.client, events_path(host), {"Last-Event-ID": stale}) as stream:
            first = await stream.next(1)
            assert first.id == seq, stale
            assert "Paused" in first.data


async def test_the_hosts_stream_counts_joins_and_answers(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    async with sse(host.player.client, f"/games/{host.game_id}/host/events") as stream:
        first = await stream.next()
        assert "Ana" in first.data
        assert "1 player" in first.data
        await seated(app, host.code, "Bo")
        joined = await stream.next(2)
        assert "Bo" in joined.data
        assert "2 players" in joined.data
        assert (await host.act("start")).status_code == 303
        assert 'data-phase="question"' in (await stream.until("question", 2)).data
        assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
        progress = await stream.next(2)
        assert "1 of 2 answered" in progress.data
        assert 'hx-swap-oob="true"' in progress.data  # the count alone; focus stays put


async def test_streams_lock_a_timed_question_when_its_time_is_up(app: Quart) -> None:
    """No page is loaded meanwhile: the streams notice the deadline themselves, after the
    grace, and two of them noticing at once move the game one step."""
    host = await host_game(app, seconds="20")
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    assert (await host.act("start")).status_code == 303
    seq = (await game_of(app, host.game_id)).seq
    deadline = utcnow() + timedelta(seconds=0.3)
    await update_game(app, host.game_id, deadline_at=deadline)
    async with (
        sse(ana.client, events_path(host)) as first,
        sse(bo.client, events_path(host)) as second,
    ):
        for stream in (first, second):
            assert 'data-phase="question"' in (await stream.next()).data
        reveals = await asyncio.gather(first.until("reveal", 4), second.until("reveal", 4))
        assert utcnow() >= deadline + LOCK_GRACE  # an answer in the grace would still count
    assert [event.id for event in reveals] == [seq + 1, seq + 1]
    game = await game_of(app, host.game_id)
    assert (game.phase, game.seq) == ("reveal", seq + 1)


async def test_a_late_notification_never_takes_a_stream_back(app: Quart) -> None:
    """Notifications may arrive late or out of order (another instance, a Redis hiccup, an
    answer that locked the question publishing after the host moved on): a stream that
    already showed a newer seq must not send an older state again."""
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    assert (await host.act("start")).status_code == 303
    async with sse(ana.client, events_path(host)) as stream:
        question = await stream.next()
        assert (await host.act("lock")).status_code == 303
        reveal = await stream.next(2)
        assert reveal.id == (question.id or 0) + 1
        await get_broker(app).publish(game_topic(host.game_id), question.id or 0)
        try:
            late = await stream.next(0.5)
        except TimeoutError:
            return
        assert (late.id or 0) >= (reveal.id or 0), f"went back to seq {late.id}: {late.data}"


async def test_a_quiet_stream_sends_heartbeats(app: Quart, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(streams, "POLL_SECONDS", 0.05)
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    async with sse(ana.client, events_path(host)) as stream:
        await stream.next()
        assert await stream.chunk(2) == b": heartbeat\n\n"


async def test_a_removed_players_stream_says_so(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    seat = await seat_named(app, host.game_id, "Ana")
    async with sse(ana.client, events_path(host)) as stream:
        await stream.next()
        assert (await host.act(f"players/{seat.id}/remove")).status_code == 303
        assert "You were removed from this game" in (await stream.next(2)).data


async def test_an_ended_game_ends_its_streams(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    async with sse(ana.client, events_path(host)) as stream:
        await stream.next()
        assert (await host.act("end")).status_code == 303
        ended = await stream.next(2)
        assert 'data-phase="ended"' in ended.data
        assert await stream.ends_within(2)


async def test_a_server_shutting_down_closes_its_streams(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    async with sse(ana.client, events_path(host)) as stream:
        await stream.next()
        await get_broker(app).stop()  # what after_serving runs
        assert await stream.ends_within(2)
    await get_broker(app).start()


async def test_a_stream_without_a_seat_is_refused(app: Quart) -> None:
    host = await host_game(app)
    response = await app.test_client().get(events_path(host))
    assert response.status_code == 404
    assert streams.slots(app).open == 0


@pytest.mark.parametrize("app_overrides", [{"LIVE_MAX_STREAMS": 1}])
async def test_a_full_worker_refuses_streams_with_a_message(app: Quart) -> None:
    host = await host_game(app)
    ana = await seated(app, host.code, "Ana")
    bo = await seated(app, host.code, "Bo")
    async with sse(ana.client, events_path(host)) as stream:
        await stream.next()
        refused = await bo.client.get(events_path(host))
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert await refused.get_data(as_text=True) == FULL
        host_refused = await host.player.get(f"/games/{host.game_id}/host/events")
        assert host_refused.status_code == 503
    # The slot comes back when the first stream closes.
    await eventually(lambda: streams.slots(app).open == 0, seconds=2)
    async with sse(bo.client, events_path(host)) as stream:
        assert (await stream.next()).id is not None


# --- two instances -----------------------------------------------------------------------


async def started_across(host_app: Quart, player_app: Quart, seconds: float) -> float:
    """The host starts on `host_app`; a player's stream on `player_app` must show the
    question within `seconds`. Returns how long it took."""
    host = await host_game(host_app)
    ana = await seated(player_app, host.code, "Ana")
    async with sse(ana.client, events_path(host)) as stream:
        assert 'data-phase="lobby"' in (await stream.next()).data
        started = time.monotonic()
        assert (await host.act("start")).status_code == 303
        question = await stream.until("question", seconds)
        took = time.monotonic() - started
        assert question.id == (await game_of(host_app, host.game_id)).seq
        # and the player, on their instance, answers; the host, on theirs, sees it
        assert (await ana.answer(1, await ana.pick(right=True))).status_code == 303
    assert 'data-phase="reveal"' in await host.page()  # the only answer locked it
    return took


@pytest.mark.needs_redis
@pytest.mark.usefixtures("own_channels")
async def test_redis_carries_the_hosts_start_to_another_instance(
    app: Quart, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app` only cleans the database; the host and the player are on two other instances."""
    live_redis = await reachable_redis()
    # No polling to fall back on: only Redis can bring the event in time.
    monkeypatch.setattr(streams, "POLL_SECONDS", 60.0)
    monkeypatch.setattr(streams, "POLL_SECONDS_DEGRADED", 60.0)
    async with instances(database_url, live_redis) as (host_app, player_app):
        assert get_broker(player_app).healthy
        took = await started_across(host_app, player_app, 3)
    assert took < 3


async def test_without_redis_another_instance_polls_the_change_in(
    app: Quart, database_url: str
) -> None:
    async with instances(database_url, None) as (host_app, player_app):
        took = await started_across(host_app, player_app, streams.POLL_SECONDS + 1.5)
    assert took < streams.POLL_SECONDS + 1.5


async def test_with_redis_unreachable_games_go_on_and_streams_poll(
    app: Quart, database_url: str
) -> None:
    """A Redis that is not there: no 500s; streams on another instance poll faster."""
    async with instances(database_url, DEAD_REDIS) as (host_app, player_app):
        assert not get_broker(player_app).healthy
        took = await started_across(host_app, player_app, streams.POLL_SECONDS_DEGRADED + 1.5)
    assert took < streams.POLL_SECONDS_DEGRADED + 1.5


@pytest.mark.needs_redis
@pytest.mark.usefixtures("own_channels")
async def test_redis_going_down_mid_game(app: Quart, database_url: str) -> None:
    """Redis goes away after the start: host actions and answers still succeed, the other
    instance's stream still gets every change (by polling), and Redis carries them again
    once it is back."""
    live_redis = await reachable_redis()
    async with (
        proxied(live_redis) as redis_proxy,
        instances(database_url, redis_proxy.url) as (host_app, player_app),
    ):
        host = await host_game(host_app)
        ana = await seated(player_app, host.code, "Ana")
        bo = await seated(host_app, host.code, "Bo")
        async with sse(ana.client, events_path(host)) as stream:
            await stream.next()
            assert (await host.act("start")).status_code == 303
            await stream.until("question", 2)

            await redis_proxy.down()
            answered = await bo.answer(1, await bo.pick(right=True))
            assert answered.status_code == 303
            assert (await host.act("lock")).status_code == 303
            reveal = await stream.until("reveal", streams.POLL_SECONDS + 2)
            assert reveal.id == (await game_of(host_app, host.game_id)).seq
            assert "No answer" in reveal.data
            assert (await host.act("next")).status_code == 303
            assert (await stream.until("question", streams.POLL_SECONDS + 2)).data
            right = await ana.pick(right=True)
            assert (await ana.answer(2, right)).status_code == 303
            assert "Answer received" in await ana.text()
            assert "1 of 2 answered" in await host.page()

            await redis_proxy.up()
            await eventually(lambda: get_broker(player_app).healthy, seconds=8)
            assert (await host.act("pause")).status_code == 303
            paused = await stream.next(streams.POLL_SECONDS + 2)
            assert paused.id == (await game_of(host_app, host.game_id)).seq
