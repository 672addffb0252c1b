"""The live load test's own helpers: if they misread a stream or miscount, `make loadtest-live`
passes on a broken game."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer
from aiohttp.test_utils import TestServer

from tests.load import live
from tests.load.client import Figures
from tests.load.client import Taker
from tests.load.live import Outcome
from tests.load.live import SSEParser
from tests.load.live import Step
from tests.load.live import answer_taken
from tests.load.live import holdout
from tests.load.live import plan
from tests.load.live import read_stage
from tests.load.live import tally_total
from web.live.streams import ENDED
from web.live.streams import message


def stage(phase: str, question: int, heading: str = "", body: str = "") -> str:
    return (
        f'<section class="game-player" data-phase="{phase}" data-question="{question}" '
        f'aria-labelledby="stage-heading">\n  <h2 id="stage-heading" tabindex="-1"'
        f" data-swap-focus>{heading}</h2>\n{body}</section>"
    )


TALLY = """<figure class="game-tally"><table class="game-tally">
  <tbody>
    <tr class="tally-correct">
      <th scope="row">Paris <span class="tally-mark">(correct)</span></th>
      <td>3</td>
      <td class="tally-cell"><svg class="tally-chart"></svg></td>
    </tr>
    <tr><th scope="row">Rome</th><td>2</td></tr>
  </tbody>
</table></figure>
<table class="standings"><tr><td>1st</td><th scope="row">Ann</th><td>7</td></tr></table>"""


def test_the_plan_locks_by_the_host_except_the_last_question() -> None:
    steps = plan(2)
    assert [s.name for s in steps] == [
        "start/q1",
        "lock/q1",
        "next/q2",
        "last answer/q2",
        "results",
        "end",
    ]
    assert steps[1] == Step("lock/q1", "lock", ("reveal", 1))
    assert steps[3].action is None
    assert steps[-1].stage == ("ended", 2)


def test_one_player_holds_out_on_each_question_but_the_last() -> None:
    assert [holdout(q, 4, 200) for q in (1, 2, 3, 4)] == [0, 1, 2, None]
    assert holdout(2, 3, 1) == 0  # a single player sits out, and the host still locks


def test_the_stage_and_an_htmx_answer_are_read_from_the_fragment() -> None:
    assert read_stage(stage("lobby", 0, "Waiting for the host")) == ("lobby", 0)
    assert read_stage("<p>Too many requests</p>") is None
    assert answer_taken(stage("question", 2, "Answer received"))
    assert answer_taken(stage("reveal", 2, "Correct"))  # this answer locked the question
    assert not answer_taken(stage("reveal", 2, "No answer"))
    assert not answer_taken(stage("question", 2, "Question 2 of 3"))


def test_the_tally_sums_its_own_rows_only() -> None:
    assert tally_total(stage("reveal", 1, "Correct", TALLY)) == 5
    assert tally_total(stage("reveal", 1, "Correct")) == -1


def test_the_parser_reads_the_servers_messages_and_skips_heartbeats() -> None:
    html = stage("question", 1, "Question 1 of 3")
    parser = SSEParser()
    raw = message(7, html) + b": heartbeat\n\n" + message(8, "<p>next</p>") + ENDED
    messages = [parser.feed(line) for line in raw.decode().split("\n")]
    assert [m for m in messages if m is not None] == [("7", html), ("8", "<p>next</p>")]
    assert parser.event_id == "8"


def outcome() -> Outcome:
    result = Outcome(players=3)
    result.starts = {"start/q1": 10.0, "lock/q1": 20.0}
    result.arrivals = {
        "start/q1": [(10.010, "1"), (10.020, "1"), (10.300, "1")],
        "lock/q1": [(20.050, "2"), (20.060, "2")],
    }
    result.accepted, result.tallies, result.sent = {1: 2}, {1: {2}}, 2
    return result


def test_the_report_gives_each_event_its_count_and_delays() -> None:
    header, start, lock, answers, tallies, host = outcome().lines()
    assert header.split() == ["event", "received", "p50", "ms", "p99", "ms", "max", "ms", "seq"]
    assert start.split() == ["start/q1", "3/3", "20", "300", "300", "1"]
    assert lock.split() == ["lock/q1", "2/3", "50", "60", "60", "2"]
    assert answers == "answers sent 2, accepted 2, lost 0"
    assert tallies == "reveal tallies: q1 2 of 2; missed events 1"
    assert host == "host stream: 0 messages"


def test_a_missed_event_a_lost_answer_or_a_wrong_tally_fails_the_run() -> None:
    assert not outcome().passed  # one player never saw the lock
    whole = outcome()
    whole.arrivals["lock/q1"].append((20.070, "2"))
    assert whole.passed
    whole.tallies = {1: {2, 1}}  # one worker's reveal counted one answer fewer
    assert whole.tally_wrong == [1]
    assert not whole.passed
    whole.tallies, whole.lost = {1: {2}}, 1
    assert not whole.passed


@pytest.fixture
async def server() -> AsyncIterator[tuple[BaseTestServer, list[str]]]:
    """A stream that sends the lobby and drops; the reconnection gets the end. With it, the
    Last-Event-ID of each connection."""
    seen: list[str] = []

    async def events(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Last-Event-ID", ""))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        if len(seen) == 1:
            await response.write(message(4, stage("lobby", 0)) + b": heartbeat\n\ndata: cut")
        else:
            await response.write(message(5, stage("ended", 3)))
        return response

    app = web.Application()
    app.router.add_get("/events", events)
    async with TestServer(app, host="127.0.0.1") as test_server:
        yield test_server, seen


async def test_a_dropped_stream_resumes_from_its_last_event_id(
    server: tuple[BaseTestServer, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream, seen = server
    monkeypatch.setattr(live, "RETRY_PAUSE", 0)
    figures, got = Figures(max_requests=10), []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        taker = Taker(http, str(stream.make_url("")).rstrip("/"), figures, "p0")
        await live.follow(
            taker,
            "/events",
            lambda seq, html: got.append((seq, read_stage(html))),
            lambda: any(s == ("ended", 3) for _, s in got),
        )
    assert got == [("4", ("lobby", 0)), ("5", ("ended", 3))]
    assert seen == ["", "4"]
    assert dict(figures.errors) == {("stream", "closed before the game ended"): 1}
