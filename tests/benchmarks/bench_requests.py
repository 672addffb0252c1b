"""Benchmark: what the hot requests cost in-process (app and database, no network).

Run with `make bench` (SQLite), or with TEST_DATABASE_URL set (PostgreSQL). It prints figures
and asserts nothing: timings belong in numbers people read, not in flaky tests.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quart import Quart
from quart.testing import QuartClient
from sqlalchemy import event

from tests.databases import POSTGRES_URL
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from web.app import create_app
from web.db import get_database
from web.db import get_session
from web.forms.quiz_import import parse_quiz_document
from web.services.accounts import create_user
from web.services.quiz_import import import_quizzes

QUESTIONS = 100
ROUNDS = 300
HTMX = {"HX-Request": "true"}
TOKEN = re.compile(r'"X-CSRF-Token": "([^"]+)"')
CHOICE = re.compile(r'name="choice" value="(\d+)"')


def _document() -> dict[str, Any]:
    questions = [
        {
            "text": f"Benchmark question {n}?",
            "explanation": "Because it is.",
            "choices": [{"text": f"Choice {c}", "correct": c == 1} for c in range(1, 5)],
        }
        for n in range(1, QUESTIONS + 1)
    ]
    quiz = {"slug": "bench", "title": "Bench", "category": "Bench", "published": True}
    return {"quizzes": [{**quiz, "questions": questions}]}


async def _seed(app: Quart, users: int) -> None:
    async with app.app_context():
        session = get_session()
        parsed = parse_quiz_document(_document())
        assert parsed.data is not None
        await import_quizzes(session, parsed.data)
        for n in range(users):
            await create_user(
                session,
                username=f"bench{n}",
                email=f"b{n}@example.com",
                password="Bench1234",
                verified=True,
            )


def _token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token"
    return match.group(1)


async def _start(client: QuartClient, n: int) -> tuple[str, str]:
    """Log in as bench<n> and start an attempt; (attempt URL, CSRF token)."""
    token = _token(await (await client.get("/auth/login")).get_data(as_text=True))
    form = {"csrf_token": token, "identifier": f"bench{n}", "password": "Bench1234"}
    await client.post("/auth/login", form=form)
    token = _token(await (await client.get("/quizzes/bench")).get_data(as_text=True))
    response = await client.post("/quizzes/bench/attempts", form={"csrf_token": token})
    return response.headers["Location"], token


async def _measure(
    name: str,
    counter: list[int],
    prepare: Callable[[int], Awaitable[Any]],
    call: Callable[[Any], Awaitable[int]],
) -> None:
    """Time `call` alone (not `prepare`) over ROUNDS, counting its SQL statements."""
    timings, statements, sizes = [], [], []
    for index in range(ROUNDS):
        argument = await prepare(index)
        before, started = counter[0], time.perf_counter()
        sizes.append(await call(argument))
        timings.append((time.perf_counter() - started) * 1000)
        statements.append(counter[0] - before)
    timings.sort()
    p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95)]
    print(
        f"  {name:<26} mean {statistics.mean(timings):6.2f} ms   p50 {p50:6.2f} ms   "
        f"p95 {p95:6.2f} ms   statements {max(statements)}   body {max(sizes)} B"
    )


async def run(url: str, backend: str) -> None:
    users = ROUNDS // QUESTIONS + 1
    app = create_app("testing", {"DATABASE_URL": url, "SECRET_KEY": "bench"})
    async with app.test_app():
        await _seed(app, users)
        counter = [0]

        def count(*_: object) -> None:
            counter[0] += 1

        event.listen(get_database(app).engine.sync_engine, "before_cursor_execute", count)
        clients = [app.test_client() for _ in range(users)]
        attempts = [await _start(client, n) for n, client in enumerate(clients)]

        async def no_preparation(_index: int) -> None:
            return None

        async def card(_: None) -> int:
            url = f"{attempts[0][0]}/questions/{QUESTIONS}"
            return len(await (await clients[0].get(url, headers=HTMX)).get_data())

        async def page(_: None) -> int:
            url = f"{attempts[0][0]}/questions/{QUESTIONS}"
            return len(await (await clients[0].get(url)).get_data())

        async def search(_: None) -> int:
            response = await clients[0].get("/quizzes?q=bench", headers=HTMX)
            return len(await response.get_data())

        async def pick_choice(index: int) -> tuple[int, str, str]:
            user, position = divmod(index, QUESTIONS)
            url = f"{attempts[user][0]}/questions/{position + 1}"
            html = await (await clients[user].get(url, headers=HTMX)).get_data(as_text=True)
            choice = CHOICE.search(html)
            assert choice
            return user, url, choice.group(1)

        async def answer(picked: tuple[int, str, str]) -> int:
            user, url, choice = picked
            form = {"csrf_token": attempts[user][1], "choice": choice}
            return len(await (await clients[user].post(url, form=form, headers=HTMX)).get_data())

        print(f"Hyperquiz request costs on {backend}: {ROUNDS} rounds each, in-process")
        await _measure("question card fragment", counter, no_preparation, card)
        await _measure("full question page", counter, no_preparation, page)
        await _measure("catalog search fragment", counter, no_preparation, search)
        await _measure("answer submit (htmx)", counter, pick_choice, answer)


async def main() -> None:
    backend = "postgresql" if POSTGRES_URL.startswith("postgresql") else "sqlite"
    url = create_scratch_database(backend, Path(tempfile.mkdtemp()))
    await asyncio.to_thread(migrate, url)
    try:
        await run(url, backend)
    finally:
        await asyncio.to_thread(drop_scratch_database, url)


if __name__ == "__main__":
    asyncio.run(main())
