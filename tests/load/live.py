"""Live load test (`make loadtest-live`): one live game, N players on its SSE streams.

    python -m tests.load.live [--backend sqlite|postgres|both] [--players 200] [--questions 3]
                              [--forms htmx|plain]

Production tier, served as tests/load/run.py serves it. PostgreSQL + Redis: two app instances
of 2 workers each on their own ports, the host on the first, the players alternating between
them. SQLite: one instance of 1 worker, no Redis. The host (an account owning an imported,
untimed single-choice quiz) keeps its page's stream open and moves the game on; each guest
player joins, opens the play page and its stream, and answers each question at a random moment
within ANSWER_SPREAD s of seeing it. Buttons and answers post as htmx does (a 200 with the new
stage; `--forms plain`: as plain forms, a 303).

Each host action is timed from just before its request to the message, on each player's
stream, that shows the new phase. On every question but the last one player (a different one
each time) does not answer, so "Lock answers" is the host's; the host presses it only once
every answer came back. On the last question everyone answers and the last answer locks it:
that event is timed from the last answer sent. An answer is accepted when its post succeeded
(and, with htmx, showed "Answer received"); it is lost when the player's reveal then says "No
answer", or when the room's tally differs from the answers accepted. Exits 1 when a player
missed an event, an answer was lost, any request or stream failed, or a server's log shows a
traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import aiohttp

from tests.load.client import CHOICE
from tests.load.client import Figures
from tests.load.client import RequestFailedError
from tests.load.client import Taker
from tests.load.client import cookie_header
from tests.load.client import percentile
from tests.load.client import read_csrf
from tests.load.run import BIN
from tests.load.run import GENEROUS
from tests.load.run import KEEPALIVE
from tests.load.run import REQUEST_TIMEOUT
from tests.load.run import ROOT
from tests.load.run import _postgres
from tests.load.run import environment
from tests.load.run import free_port
from tests.load.run import machine_ticks
from tests.load.run import scan_logs
from tests.load.run import serve
from tests.load.run import tree_cpu_seconds
from tests.load.takers import PASSWORD
from tests.load.takers import taker_name
from web.live.pages import JS_COOKIE
from web.live.streams import HEARTBEAT_SECONDS

SLUG = "live-load"
HOST_PREFIX = "host"
HOST = taker_name(HOST_PREFIX, 0)
STAGE = re.compile(r'<section class="game-player" data-phase="(\w+)" data-question="(\d+)"')
HEADING = re.compile(r'<h2 id="stage-heading"[^>]*>([^<]*)</h2>')
TALLY = re.compile(r'<table class="[^"]*tally[^"]*">(.*?)</table>', re.DOTALL)
TALLY_COUNT = re.compile(r"</th>\s*<td>(\d+)</td>")  # a row: the answer, then how many gave it
GAME_PATH = re.compile(r"/games/(\d+)/host$")
GAME_CODE = re.compile(r"Game code <strong>(\d{6})</strong>")
ANSWER_SPREAD = 1.0  # seconds over which a room answers a question it just saw
EVENT_TIMEOUT = 30.0  # seconds every player has to see an event before it counts as missed
JOINS_AT_ONCE = 20  # a room joins over a few seconds, not in one instant
RETRY_PAUSE = 1.0  # seconds before a dropped stream reconnects (EventSource waits too)
# A stream that says nothing for two heartbeats is dead: reconnect, as a browser would.
STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_read=2 * HEARTBEAT_SECONDS + 5)

type Stage = tuple[str, int]


@dataclass(frozen=True)
class Step:
    """One move of the game: the host's `action` (None: the last answer locks) and the
    stage every player's stream must then show."""

    name: str
    action: str | None
    stage: Stage


def plan(questions: int) -> list[Step]:
    steps = []
    for question in range(1, questions + 1):
        move = "start" if question == 1 else "next"
        steps.append(Step(f"{move}/q{question}", move, ("question", question)))
        last = question == questions
        name = f"{'last answer' if last else 'lock'}/q{question}"
        steps.append(Step(name, None if last else "lock", ("reveal", question)))
    steps.append(Step("results", "results", ("results", questions)))
    steps.append(Step("end", "end", ("ended", questions)))
    return steps


def holdout(question: int, questions: int, players: int) -> int | None:
    """The player who leaves this question unanswered, so the host's lock locks it."""
    return None if question == questions else (question - 1) % players


def read_stage(html: str) -> Stage | None:
    found = STAGE.search(html)
    return (found.group(1), int(found.group(2))) if found else None


def answer_taken(html: str) -> bool:
    """An htmx answer's stage shows it stored: "Answer received", or (the answer that locked
    the question) the reveal with a verdict."""
    stage, heading = read_stage(html), HEADING.search(html)
    if stage is None or heading is None:
        return False
    if stage[0] == "question":
        return heading.group(1) == "Answer received"
    return stage[0] == "reveal" and heading.group(1) != "No answer"


def tally_total(html: str) -> int:
    """How many answers the reveal's tally counts (-1: it has none)."""
    table = TALLY.search(html)
    return sum(int(n) for n in TALLY_COUNT.findall(table.group(1))) if table else -1


@dataclass
class SSEParser:
    """Lines of a text/event-stream in, (id, data) messages out, as hx-sse swaps them: named
    events (the server's "game-ended") are left out, and comments are heartbeats."""

    event_id: str = ""
    event: str = ""
    data: list[str] = field(default_factory=list)

    def feed(self, line: str) -> tuple[str, str] | None:
        if not line:
            swapped = self.data and self.event in ("", "message")
            message = (self.event_id, "\n".join(self.data)) if swapped else None
            self.data, self.event = [], ""
            return message
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            self.event_id = value
        elif name == "event":
            self.event = value
        elif name == "data":
            self.data.append(value)
        return None


async def follow(
    taker: Taker, path: str, receive: Callable[[str, str], None], over: Callable[[], bool]
) -> None:
    """A page's stream until `over()`, reconnecting with Last-Event-ID as EventSource does;
    every drop and refusal is an error of kind "stream"."""
    parser = SSEParser()
    while not over():
        parser.data, parser.event = [], ""  # a message cut by a drop is not one
        headers = {"Accept": "text/event-stream", "Cookie": cookie_header(taker.cookies)}
        if parser.event_id:
            headers["Last-Event-ID"] = parser.event_id
        try:
            async with taker.http.get(
                taker.base + path, headers=headers, timeout=STREAM_TIMEOUT
            ) as response:
                if response.status != 200:
                    taker.figures.fail("stream", f"HTTP {response.status}")
                else:
                    async for raw in response.content:
                        if (message := parser.feed(raw.decode().rstrip("\r\n"))) is not None:
                            receive(*message)
                    if not over():
                        taker.figures.fail("stream", "closed before the game ended")
        except (TimeoutError, aiohttp.ClientError) as error:
            taker.figures.fail("stream", f"dropped ({type(error).__name__})")
        if not over():
            await asyncio.sleep(RETRY_PAUSE)


class Player:
    """One guest's browser with JavaScript: a seat, the play page's stream, its answers."""

    def __init__(
        self, taker: Taker, number: int, skips: set[int], changed: asyncio.Event, *, htmx: bool
    ) -> None:
        self.taker = taker
        self.htmx = htmx
        self.changed = changed  # set on every message: the host waits on it
        self.nickname = f"Player {number}"
        self.skips = skips
        self.code = ""
        self.arrived: dict[Stage, tuple[float, str]] = {}  # first seen: (perf_counter, seq)
        self.reveals: dict[int, str] = {}
        self.answers: dict[int, asyncio.Task[None]] = {}
        self.sent: dict[int, float] = {}
        self.accepted: set[int] = set()

    async def join(self, code: str) -> None:
        self.code = code
        self.taker.cookies[JS_COOKIE] = "1"  # what app.js sets: the page follows its stream
        page, _ = await self.taker.request("join_page", "GET", "/play", expect=200)
        self.taker.csrf = read_csrf(page) or ""
        form = {"game_code": code, "nickname": self.nickname, "csrf_token": self.taker.csrf}
        await self.taker.request("join", "POST", "/play", expect=303, form=form)
        await self.taker.request("play_page", "GET", f"/play/{code}", expect=200)

    async def follow(self) -> None:
        await follow(self.taker, f"/play/{self.code}/events", self.receive, self.over)

    def over(self) -> bool:
        return any(phase == "ended" for phase, _ in self.arrived)

    def receive(self, seq: str, html: str) -> None:
        stage = read_stage(html)
        if stage is None:
            self.taker.figures.fail("stream", "a message without the player's stage")
            return
        self.arrived.setdefault(stage, (time.perf_counter(), seq))
        self.changed.set()
        phase, question = stage
        if phase == "question" and question not in self.answers and question not in self.skips:
            self.answers[question] = asyncio.create_task(self.answer(question, html))
        elif phase == "reveal":
            self.reveals.setdefault(question, html)

    async def answer(self, question: int, card: str) -> None:
        await asyncio.sleep(random.uniform(0, ANSWER_SPREAD))  # noqa: S311 - not a secret
        choices = CHOICE.findall(card)
        if not choices:
            self.taker.figures.fail("answer", "the question came without a card")
            return
        form = {"csrf_token": self.taker.csrf, "question": str(question)}
        form["choice"] = random.choice(choices)  # noqa: S311 - any answer will do
        self.sent[question] = time.perf_counter()
        path, expect = f"/play/{self.code}/answer", 200 if self.htmx else 303
        with contextlib.suppress(RequestFailedError):  # counted in the figures
            html, _ = await self.taker.request(
                "answer", "POST", path, expect=expect, form=form, htmx=self.htmx
            )
            if self.htmx and not answer_taken(html):
                raise self.taker.figures.fail("answer", "a 200 that does not show it received")
            self.accepted.add(question)


class Host:
    """The quiz's author in a browser with JavaScript: the host page, its stream, its buttons."""

    def __init__(self, taker: Taker, *, htmx: bool) -> None:
        self.taker = taker
        self.htmx = htmx
        self.game = 0
        self.code = ""
        self.messages = 0
        self.ended = False

    async def open_game(self) -> None:
        await self.taker.log_in(PASSWORD)
        page, _ = await self.taker.request("quiz_page", "GET", f"/quizzes/{SLUG}", expect=200)
        self.taker.csrf = read_csrf(page) or ""
        form = {"csrf_token": self.taker.csrf, "seconds_per_question": ""}  # untimed
        _, location = await self.taker.request(
            "host_game", "POST", f"/quizzes/{SLUG}/games", expect=303, form=form
        )
        found = GAME_PATH.search(location)
        if found is None:
            raise self.taker.figures.fail("host_game", f"redirected to {location!r}")
        self.game = int(found.group(1))
        page, _ = await self.taker.request("host_page", "GET", location, expect=200)
        code = GAME_CODE.search(page)
        if code is None:
            raise self.taker.figures.fail("host_page", "no game code on the page")
        self.code = code.group(1)

    async def follow(self) -> None:
        def receive(_seq: str, html: str) -> None:
            self.messages += 1
            self.ended = self.ended or '<section class="game-host" data-phase="ended"' in html

        await follow(self.taker, f"/games/{self.game}/host/events", receive, lambda: self.ended)

    async def act(self, action: str) -> None:
        form = {"csrf_token": self.taker.csrf}
        path = f"/games/{self.game}/{action}"
        expect = 200 if self.htmx else 303
        await self.taker.request(
            f"host_{action}", "POST", path, expect=expect, form=form, htmx=self.htmx
        )


def all_saw(people: list[Player], stage: Stage) -> Callable[[], bool]:
    return lambda: all(stage in person.arrived for person in people)


async def until(condition: Callable[[], bool], changed: asyncio.Event, seconds: float) -> None:
    """Until `condition()` holds, checked whenever `changed` is set, or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while not condition() and (left := deadline - time.monotonic()) > 0:
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), left)


@dataclass
class Outcome:
    """What the game showed: per step its start and who saw it when; the answers."""

    players: int
    starts: dict[str, float] = field(default_factory=dict)
    arrivals: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    accepted: dict[int, int] = field(default_factory=dict)  # question -> answers accepted
    tallies: dict[int, set[int]] = field(default_factory=dict)  # question -> totals seen
    sent: int = 0
    lost: int = 0
    host_messages: int = 0

    @property
    def missed(self) -> int:
        return sum(self.players - len(seen) for seen in self.arrivals.values())

    @property
    def tally_wrong(self) -> list[int]:
        return [q for q, seen in self.tallies.items() if seen != {self.accepted.get(q, 0)}]

    @property
    def passed(self) -> bool:
        return not self.missed and not self.lost and not self.tally_wrong

    def lines(self) -> list[str]:
        rows = [f"{'event':<16}{'received':>12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  seq"]
        for name, seen in self.arrivals.items():
            delays = sorted((at - self.starts[name]) * 1000 for at, _ in seen)
            seqs = ",".join(sorted({seq for _, seq in seen})) or "-"
            rows.append(
                f"{name:<16}{f'{len(seen)}/{self.players}':>12}{percentile(delays, 0.5):>9.0f}"
                f"{percentile(delays, 0.99):>9.0f}{max(delays, default=0):>9.0f}  {seqs}"
            )
        accepted = sum(self.accepted.values())
        tallies = ", ".join(
            f"q{q} {'/'.join(map(str, sorted(seen)))} of {self.accepted.get(q, 0)}"
            for q, seen in sorted(self.tallies.items())
        )
        rows.append(f"answers sent {self.sent}, accepted {accepted}, lost {self.lost}")
        rows.append(f"reveal tallies: {tallies or 'none'}; missed events {self.missed}")
        rows.append(f"host stream: {self.host_messages} messages")
        return rows


def judge(outcome: Outcome, steps: list[Step], people: list[Player]) -> None:
    """Fill in who saw each step, and which answers the reveals lost."""
    for step in steps:
        outcome.arrivals[step.name] = [
            p.arrived[step.stage] for p in people if step.stage in p.arrived
        ]
        if step.action is None:  # the last answer locked it: timed from the last one sent
            sent = [p.sent[step.stage[1]] for p in people if step.stage[1] in p.sent]
            outcome.starts[step.name] = max(sent, default=0.0)
    for person in people:
        outcome.sent += len(person.sent)
        for question in person.accepted:
            outcome.accepted[question] = outcome.accepted.get(question, 0) + 1
        for question, html in person.reveals.items():
            outcome.tallies.setdefault(question, set()).add(tally_total(html))
            heading = HEADING.search(html)
            outcome.lost += question in person.accepted and (
                heading is None or heading.group(1) == "No answer"
            )


async def drive(
    bases: list[str], players: int, questions: int, *, htmx: bool
) -> tuple[Outcome, Figures]:
    """Host one game on the first base for `players` spread over every base, to the end;
    buttons post as htmx does (or, `htmx` False, as plain forms)."""
    figures, steps = Figures(max_requests=10**9), plan(questions)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        host = Host(Taker(http, bases[0], figures, HOST), htmx=htmx)
        await host.open_game()
        people, changed = [], asyncio.Event()
        for n in range(players):
            skips = {q for q in range(1, questions + 1) if holdout(q, questions, players) == n}
            taker = Taker(http, bases[n % len(bases)], figures, f"player{n}")
            people.append(Player(taker, n, skips, changed, htmx=htmx))
        gate = asyncio.Semaphore(JOINS_AT_ONCE)

        async def seat(person: Player) -> None:
            async with gate:
                await person.join(host.code)
            await person.follow()

        streams = [asyncio.create_task(seat(p)) for p in people]
        streams.append(asyncio.create_task(host.follow()))
        started = time.monotonic()
        await until(all_saw(people, ("lobby", 0)), changed, 120)
        print(
            f"{players} players joined and on their streams in {time.monotonic() - started:.1f} s"
        )
        outcome = Outcome(players)
        for step in steps:
            outcome.starts[step.name] = time.perf_counter()
            if step.action is not None:
                with contextlib.suppress(RequestFailedError):  # counted; the streams say the rest
                    await host.act(step.action)
            await until(all_saw(people, step.stage), changed, EVENT_TIMEOUT)
            answers = [p.answers[q] for p in people for q in p.answers if q == step.stage[1]]
            if step.stage[0] == "question" and answers:  # the host locks once all came back
                await asyncio.wait(answers, timeout=REQUEST_TIMEOUT + ANSWER_SPREAD)
        await asyncio.wait(streams, timeout=EVENT_TIMEOUT)
        for task in streams:
            if not task.done():
                task.cancel()
                figures.fail("stream", "still open after the game ended")
            elif (error := task.exception()) is not None and not isinstance(
                error, RequestFailedError
            ):
                figures.fail("client", f"crashed ({type(error).__name__}: {error})")
        judge(outcome, steps, people)
        outcome.host_messages = host.messages
    return outcome, figures


def quiz_document(questions: int) -> dict[str, object]:
    """Our JSON format: an untimed, published quiz of single-choice questions."""
    choices = [
        {"id": n, "text": f"Choice {n}", "weight": 100 if n == 1 else 0} for n in (1, 2, 3, 4)
    ]
    return {
        "format": 2,
        "quizzes": [
            {
                "slug": SLUG,
                "title": "Live load",
                "description": "The live load test's quiz.",
                "category": "General",
                "difficulty": "easy",
                "feedback_mode": "exam",
                "shuffle_questions": False,
                "shuffle_choices": False,
                "time_limit_seconds": None,
                "published": True,
                "questions": [
                    {
                        "kind": "single_choice",
                        "text": f"Question {n}?",
                        "points": 1,
                        "choices": choices,
                    }
                    for n in range(1, questions + 1)
                ],
            }
        ],
    }


def prepare(env: dict[str, str], workdir: Path, questions: int) -> None:
    """Migrate, make the host's account, and import its quiz as an operator would."""
    quiet, quiz = subprocess.DEVNULL, workdir / "live-quiz.json"
    quiz.write_text(json.dumps(quiz_document(questions)))
    subprocess.run([BIN / "hyperquiz", "migrate"], env=env, cwd=ROOT, check=True, stdout=quiet)
    maker = [sys.executable, "-m", "tests.load.takers", "1", HOST_PREFIX]
    subprocess.run(maker, env=env, cwd=ROOT, check=True)
    importer = [str(BIN / "hyperquiz"), "import", str(quiz), "--author", HOST]
    subprocess.run(importer, env=env, cwd=ROOT, check=True, stdout=quiet)


def run(backend: str, players: int, questions: int, *, htmx: bool) -> bool:
    """One backend: its instances up, one game driven to its end, the figures printed."""
    workdir = Path(tempfile.mkdtemp(prefix=f"hq-live-{backend}-"))
    instances = 1 if backend == "sqlite" else 2
    ports = [free_port() for _ in range(instances)]
    env, database = environment(backend, workdir, ports[0])
    env["RATELIMIT_JOIN"] = GENEROUS  # every player joins from 127.0.0.1
    servers: list[subprocess.Popen[bytes]] = []
    logs = [workdir / f"server-{n}.log" for n in range(instances)]
    passed = False
    try:
        prepare(env, workdir, questions)
        for n, port in enumerate(ports):
            own = {**env, "PORT": str(port), "LOG_DIR": str(workdir / f"logs-{n}")}
            servers.append(serve(own, port, logs[n]))
        cpu_before = sum(tree_cpu_seconds(server.pid) for server in servers)
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        busy_before, total_before = machine_ticks()
        started = time.monotonic()
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        outcome, figures = asyncio.run(drive(bases, players, questions, htmx=htmx))
        seconds = time.monotonic() - started
        busy_after, total_after = machine_ticks()
        server_cpu = sum(tree_cpu_seconds(server.pid) for server in servers) - cpu_before
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (client_after.ru_utime - client_before.ru_utime) + (
            client_after.ru_stime - client_before.ru_stime
        )
        busy = (
            (busy_after - busy_before) / max(total_after - total_before, 1) * (os.cpu_count() or 1)
        )
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        servers = []
        problems, first_traceback = scan_logs(*logs, *workdir.glob("logs-*/*.log*"))
        print(
            f"\n== {backend}: {instances} instance(s) of {env['WEB_CONCURRENCY']} worker(s), "
            f"{players} players, {questions} questions, {seconds:.1f} s"
        )
        for line in [*outcome.lines(), *figures.table(seconds)]:
            print(line)
        print(
            f"errors {figures.errors.total()}; server CPU {server_cpu:.1f} s, client CPU "
            f"{client_cpu:.1f} s; machine busy {busy:.2f} of {os.cpu_count()} cores"
        )
        print("server log: " + ", ".join(f"{k!r} x{n}" for k, n in problems.items()))
        if first_traceback:
            print("first traceback in the server log:\n" + first_traceback)
        passed = outcome.passed and not figures.errors.total() and not any(problems.values())
        print("PASS" if passed else "FAIL")
        return passed
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
        if database is not None:
            asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        if passed:
            shutil.rmtree(workdir, ignore_errors=True)
        else:  # what went wrong stays readable
            print(f"server logs kept in {workdir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument(
        "--forms",
        choices=["htmx", "plain"],
        default="htmx",
        help="answers and the host's buttons post as htmx does (200, the new stage) or as "
        "plain forms (303)",
    )
    arguments = parser.parse_args()
    backends = ["sqlite", "postgres"] if arguments.backend == "both" else [arguments.backend]
    htmx = arguments.forms == "htmx"
    results = [run(b, arguments.players, arguments.questions, htmx=htmx) for b in backends]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
