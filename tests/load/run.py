"""Load test (`make loadtest`): N takers against the app served as the Procfile serves it.

    python -m tests.load.run [--backend sqlite|postgres|both] [--takers 200] [--duration 60]
                             [--max-requests N]

Production tier, `hyperquiz check-config` then hypercorn (1 worker on SQLite; 2 workers with
PostgreSQL and Redis), on a scratch database with the demo quizzes imported and N verified
takers made by the account service. All traffic goes to 127.0.0.1, bounded in time and in
requests. The per-address limits are raised for the run through their variables (every taker
comes from 127.0.0.1), never switched off, and a 429 counts as an error. Exits 1 on any error
or on a pool timeout, "database is locked" or traceback in the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
import redis

from tests.load.client import Figures
from tests.load.client import Taker
from tests.load.takers import PASSWORD
from tests.load.takers import taker_name

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO = ROOT / "web" / "demo" / "quizzes.json"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"
GENEROUS = "1000000 per minute"  # every taker shares 127.0.0.1: raise the limits, keep them on
LIMITS = ("RATELIMIT_LOGIN", "RATELIMIT_REGISTER", "RATELIMIT_FORGOT", "RATELIMIT_DEFAULT")
LOG_PROBLEMS = ("QueuePool limit", "database is locked", "Traceback")
REQUEST_TIMEOUT = 60  # seconds; longer than the pool's 30 s timeout, so that one shows as a 500
GRACE = REQUEST_TIMEOUT + 5  # seconds after the end for the requests still in flight
KEEPALIVE = 2.0  # seconds an idle client connection is kept; hypercorn keeps one for 5
BUDGET_RATE = 1000  # default request budget per second of load: far above what 2 cores serve
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def untimed_quizzes() -> list[str]:
    """Slugs the takers may pick: a timed quiz could expire while a taker waits its turn."""
    quizzes = json.loads(DEMO.read_text())["quizzes"]
    return [quiz["slug"] for quiz in quizzes if not quiz.get("time_limit_seconds")]


async def _postgres(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def environment(backend: str, workdir: Path, port: int) -> tuple[dict[str, str], str | None]:
    """The server's environment, and the scratch PostgreSQL database to drop afterwards."""
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "loadtest-secret-key-0123456789abcdef",
        "LOG_DIR": str(workdir / "logs"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1" if backend == "sqlite" else "2",
        **dict.fromkeys(LIMITS, GENEROUS),
    }
    env.pop("RATELIMIT_ENABLED", None)
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'load.db'}"
        env.pop("REDIS_URL", None)
        return env, None
    name = f"hq_load_{uuid.uuid4().hex[:10]}"
    asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    env["DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    env["REDIS_URL"] = REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()  # no counts left over from an earlier run
    return env, name


def prepare(env: dict[str, str], takers: int) -> None:
    """Migrate, import the demo quizzes as an operator would, and make the takers."""
    quiet = subprocess.DEVNULL
    subprocess.run([BIN / "hyperquiz", "migrate"], env=env, cwd=ROOT, check=True, stdout=quiet)
    subprocess.run([BIN / "hyperquiz", "import", DEMO], env=env, cwd=ROOT, check=True, stdout=quiet)
    started = time.monotonic()
    maker = [sys.executable, "-m", "tests.load.takers", str(takers), "taker"]
    subprocess.run(maker, env=env, cwd=ROOT, check=True)
    print(
        f"made {takers} verified takers (a production argon2 hash each) in "
        f"{time.monotonic() - started:.1f} s, before the timed window"
    )


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """The Procfile's web line, bound to loopback."""
    command = (
        f"{BIN / 'hyperquiz'} check-config && exec {BIN / 'python'} -m web.serve "
        f"--bind 127.0.0.1:{port} --workers {env['WEB_CONCURRENCY']} --access-logfile - "
        "web.asgi:app"
    )
    server = subprocess.Popen(  # noqa: S602 - our own fixed command line, as the Procfile runs it
        command,
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_healthy(server, port, log)
    except BaseException:
        os.killpg(server.pid, signal.SIGKILL)
        raise
    return server


def _wait_until_healthy(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Up to a minute for /health to say 200; otherwise why not (its body, the log's end)."""
    deadline, last = time.monotonic() + 60, "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code} {error.read().decode(errors='replace')}"
        except OSError as error:
            last = str(error)
        time.sleep(0.3)
    problems = [line for line in log.read_text().splitlines() if "GET /health" not in line]
    raise RuntimeError(f"the server never became healthy: {last}\n" + "\n".join(problems[-40:]))


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        stats[pid] = fields
        children.setdefault(int(fields[1]), []).append(pid)
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        if pid in stats:
            total += (int(stats[pid][11]) + int(stats[pid][12])) / TICKS
        stack.extend(children.get(pid, []))
    return total


async def drive(
    port: int, takers: int, duration: float, slugs: list[str], max_requests: int
) -> Figures:
    """All takers at once for `duration` seconds; the requests in flight then may finish."""
    figures = Figures(max_requests, deadline=time.monotonic() + duration)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    # Idle connections are dropped before hypercorn's 5 s keep-alive ends, so a request is never
    # sent on a socket the server is closing (a client artifact, not a server error).
    connector = aiohttp.TCPConnector(limit=takers + 10, keepalive_timeout=KEEPALIVE)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        base = f"http://127.0.0.1:{port}"
        people = [Taker(http, base, figures, taker_name("taker", n)) for n in range(takers)]
        tasks = [asyncio.create_task(person.run(PASSWORD, slugs)) for person in people]
        done, pending = await asyncio.wait(tasks, timeout=duration + GRACE)
        for task in pending:
            task.cancel()
            figures.fail("unfinished", f"still running {GRACE} s after the end")
        for task in done:  # a bug in the client must not pass for a quiet run
            if (error := task.exception()) is not None:
                figures.fail("client", f"crashed ({type(error).__name__}: {error})")
    return figures


def scan_logs(*paths: Path) -> tuple[dict[str, int], str]:
    """How often each problem appears in the logs, and the first traceback's opening lines
    (a count alone does not say what broke)."""
    text = "".join(p.read_text(errors="replace") for p in paths if p.is_file())
    at = text.find("Traceback")
    first = "\n".join(text[text.rfind("\n", 0, at) + 1 :].splitlines()[:40]) if at >= 0 else ""
    return {problem: text.count(problem) for problem in LOG_PROBLEMS}, first


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass
class Measurement:
    """What one run measured, printed as the figures the issue asks for."""

    backend: str
    workers: int
    takers: int
    figures: Figures
    seconds: float
    server_cpu: float
    client_cpu: float
    busy_cores: float
    problems: dict[str, int]
    first_traceback: str

    @property
    def passed(self) -> bool:
        return self.figures.errors.total() == 0 and not any(self.problems.values())

    def print(self) -> None:
        figures, seconds = self.figures, self.seconds
        total = figures.sent
        print(
            f"\n== {self.backend}, {self.workers} worker(s), {self.takers} takers, {seconds:.1f} s"
        )
        for line in figures.table(seconds):
            print(line)
        budget = " (request budget reached: the run stopped early)" if figures.budget_spent else ""
        print(
            f"requests {total}, {total / seconds:.1f} req/s; "
            f"quizzes completed {figures.quizzes_completed} "
            f"(started {figures.quizzes_started}; the run ends mid-quiz for some){budget}"
        )
        print(
            f"errors {figures.errors.total()}; "
            f"server CPU {self.server_cpu * 1000 / max(total, 1):.2f} ms/request "
            f"({self.server_cpu:.1f} s); client CPU {self.client_cpu * 1000 / max(total, 1):.2f} "
            f"ms/request ({self.client_cpu:.1f} s); machine busy {self.busy_cores:.2f} of "
            f"{os.cpu_count()} cores"
        )
        print("server log: " + ", ".join(f"{k!r} x{n}" for k, n in self.problems.items()))
        if self.first_traceback:
            print("first traceback in the server log:\n" + self.first_traceback)


def run(backend: str, takers: int, duration: float, max_requests: int) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"hq-load-{backend}-"))
    port = free_port()
    env, database = environment(backend, workdir, port)
    server, keep = None, True
    try:
        prepare(env, takers)
        log = workdir / "server.log"
        server = serve(env, port, log)
        cpu_before = tree_cpu_seconds(server.pid)
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        busy_before, total_before = machine_ticks()
        started = time.monotonic()
        figures = asyncio.run(drive(port, takers, duration, untimed_quizzes(), max_requests))
        seconds = time.monotonic() - started
        busy_after, total_after = machine_ticks()
        server_cpu = tree_cpu_seconds(server.pid) - cpu_before
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (client_after.ru_utime - client_before.ru_utime) + (
            client_after.ru_stime - client_before.ru_stime
        )
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        problems, first_traceback = scan_logs(log, *(workdir / "logs").glob("*.log*"))
        measurement = Measurement(
            backend=backend,
            workers=int(env["WEB_CONCURRENCY"]),
            takers=takers,
            figures=figures,
            seconds=seconds,
            server_cpu=server_cpu,
            client_cpu=client_cpu,
            busy_cores=(busy_after - busy_before)
            / max(total_after - total_before, 1)
            * (os.cpu_count() or 1),
            problems=problems,
            first_traceback=first_traceback,
        )
        measurement.print()
        keep = not measurement.passed
        return measurement.passed
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
        if database is not None:
            asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        if keep:  # what went wrong stays readable
            print(f"server logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--takers", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60, help="seconds of driven load")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help=f"stop after this many requests (default: {BUDGET_RATE} per second of --duration)",
    )
    arguments = parser.parse_args()
    budget = arguments.max_requests or int(arguments.duration * BUDGET_RATE)
    backends = ["sqlite", "postgres"] if arguments.backend == "both" else [arguments.backend]
    results = [run(backend, arguments.takers, arguments.duration, budget) for backend in backends]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
