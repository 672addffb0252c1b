"""Benchmark: prepare the real app for wrk replay, answers of several kinds (a copy of
/work/shared/bench/prepare.py that also answers typed kinds).

    python -m tests.benchmarks.prepare_kinds quizzes OUT.json
    python -m tests.benchmarks.prepare_kinds takers BASE_URL SERVER_LOG OUT_DIR N_USERS

`quizzes` writes the bench quiz document (import it with `hyperquiz import`): "bench-single"
(single choice), "bench-typed" (short answer and numeric, alternating) and "bench-card" (one
single-choice question nobody answers, so its card reads the same in every round). `takers`
registers N takers through the app's own forms (verify links read from the server log, so run
the server without MAIL_SERVER and with RATELIMIT_ENABLED=0), starts one attempt per bench
quiz each, and writes the tab-separated replay lists loadtest.sh -R reads
(METHOD PATH COOKIE CSRF BODY): answers_single.tsv, answers_short.tsv, answers_numeric.tsv
and answers_typed.tsv (both typed kinds; every question once, shuffled across takers) and
cards.tsv (the bench-card question; pages.tsv holds the same lines, replayed as full pages).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "Bench12345"
QUESTIONS = 100
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CHOICE = re.compile(r'name="choice" value="([^"]+)"')
CREATED = re.compile(r"/attempts/(\d+)")


def _single(number: int) -> dict[str, Any]:
    return {
        "kind": "single_choice",
        "text": f"Bench question {number}: which of these statements is true?",
        "explanation": "Because it is.",
        "points": 1,
        "choices": [
            {
                "text": f"Statement {c} about awaiting a database call",
                "weight": 100 if c == 2 else 0,
            }
            for c in range(1, 5)
        ],
    }


def _typed(number: int) -> dict[str, Any]:
    if number % 2:
        return {
            "kind": "short_answer",
            "text": f"Bench question {number}: what is the largest moon of Saturn?",
            "explanation": "Titan.",
            "points": 1,
            "answers": [{"text": "Titan", "weight": 100}],
        }
    return {
        "kind": "numeric",
        "text": f"Bench question {number}: how many planets are in the Solar System?",
        "explanation": "Eight.",
        "points": 1,
        "answers": [{"value": "8", "weight": 100}],
    }


def quiz_document() -> dict[str, Any]:
    base = {"category": "Bench", "difficulty": "medium", "published": True}
    base |= {"feedback_mode": "immediate", "time_limit_seconds": None}
    base |= {"shuffle_questions": False, "shuffle_choices": False}
    quizzes = [
        ("bench-single", [_single(n) for n in range(1, QUESTIONS + 1)]),
        ("bench-typed", [_typed(n) for n in range(1, QUESTIONS + 1)]),
        ("bench-card", [_single(1)]),
    ]
    return {
        "format": 2,
        "quizzes": [
            {**base, "slug": slug, "title": slug, "description": slug, "questions": questions}
            for slug, questions in quizzes
        ],
    }


def csrf_of(html: str) -> str:
    match = TOKEN.search(html)
    return match.group(1) if match else ""


async def verify_link(log: Path, email: str) -> str:
    end = time.time() + 30
    while time.time() < end:
        text = log.read_text(errors="replace")  # noqa: ASYNC240 - a bench tool
        index = text.rfind(email)
        if index >= 0:
            match = re.search(r"(/auth/verify/[A-Za-z0-9_\-\.]+)", text[index : index + 4000])
            if match:
                return match.group(1)
        await asyncio.sleep(0.2)
    raise RuntimeError(f"no verify link for {email} in {log}")


async def one_taker(base: str, log: Path, name: str, sem: asyncio.Semaphore) -> dict[str, Any]:
    async with sem, httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=120) as c:
        email = f"{name}@example.com"
        page = await c.get("/auth/register")
        form = {"csrf_token": csrf_of(page.text), "username": name, "email": email}
        form |= {"password": PASSWORD, "confirm_password": PASSWORD}
        response = await c.post("/auth/register", data=form)
        if response.status_code >= 400:
            raise RuntimeError(f"register {name}: {response.status_code}")
        link = await verify_link(log, email)
        page = await c.get(link)  # the link offers a button; the POST verifies
        await c.post(link, data={"csrf_token": csrf_of(page.text)})
        page = await c.get("/auth/login")
        form = {"csrf_token": csrf_of(page.text), "identifier": name, "password": PASSWORD}
        response = await c.post("/auth/login", data=form)
        if "Log out" not in response.text:
            raise RuntimeError(f"login {name} failed: {response.status_code}")
        attempts = {}
        for slug in ("bench-single", "bench-typed", "bench-card"):
            page = await c.get(f"/quizzes/{slug}")
            response = await c.post(
                f"/quizzes/{slug}/attempts", data={"csrf_token": csrf_of(page.text)}
            )
            match = CREATED.search(str(response.url))
            if not match:
                raise RuntimeError(f"{name} could not start {slug}")
            attempts[slug] = int(match.group(1))
        cookie = "; ".join(f"{k.name}={k.value}" for k in c.cookies.jar)
        return {"cookie": cookie, "csrf": csrf_of(response.text), "attempts": attempts}


async def choices(base: str, taker: dict[str, Any]) -> list[str]:
    """The right choice's value per single-choice position (the same for every taker)."""
    headers = {"Cookie": taker["cookie"]}
    attempt = taker["attempts"]["bench-single"]
    values = []
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as c:
        for position in range(1, QUESTIONS + 1):
            page = await c.get(f"/attempts/{attempt}/questions/{position}")
            values.append(CHOICE.findall(page.text)[1])
    return values


async def takers(base: str, log: Path, out: Path, count: int) -> None:
    out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a bench tool
    sem = asyncio.Semaphore(4)
    stamp = int(time.time()) % 100000
    found = await asyncio.gather(
        *(one_taker(base, log, f"k{stamp}x{i}", sem) for i in range(count))
    )
    right = await choices(base, found[0])
    lists: dict[str, list[str]] = {"single": [], "short": [], "numeric": [], "cards": []}
    for taker in found:
        cookie, csrf, attempts = taker["cookie"], taker["csrf"], taker["attempts"]

        def line(method: str, path: str, body: str, c: str = cookie, t: str = csrf) -> str:
            return f"{method}\t{path}\t{c}\t{t}\t{body}"

        for position in range(1, QUESTIONS + 1):
            single = f"/attempts/{attempts['bench-single']}/questions/{position}"
            lists["single"].append(line("POST", single, f"choice={right[position - 1]}"))
            typed = f"/attempts/{attempts['bench-typed']}/questions/{position}"
            kind, answer = ("short", "Titan") if position % 2 else ("numeric", "8")
            lists[kind].append(line("POST", typed, f"answer={answer}"))
        lists["cards"].append(line("GET", f"/attempts/{attempts['bench-card']}/questions/1", ""))
    lists["typed"] = lists["short"] + lists["numeric"]
    for name, lines in lists.items():
        random.Random(1).shuffle(lines)  # noqa: S311 - spread writes over attempts, as real takers do
        filename = "cards.tsv" if name == "cards" else f"answers_{name}.tsv"
        (out / filename).write_text("\n".join(lines) + "\n")
    # The same GETs without HX-Request (side_by_side.sh's replay): the full question page.
    (out / "pages.tsv").write_text((out / "cards.tsv").read_text())
    print(f"{len(found)} takers -> {out}: " + ", ".join(f"{k} {len(v)}" for k, v in lists.items()))


def main() -> None:
    if sys.argv[1] == "quizzes":
        Path(sys.argv[2]).write_text(json.dumps(quiz_document(), indent=1))
        return
    base, log, out, count = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
    asyncio.run(takers(base, log, out, count))


if __name__ == "__main__":
    main()
