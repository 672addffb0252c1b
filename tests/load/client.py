"""Load test: one simulated quiz-taker, the pages it reads, and the figures it records.

A taker does what a person with a browser does: logs in through the form, opens the catalog
and a quiz, starts it, answers every question with htmx requests, and reads the results. Its
cookies are kept by hand: the production tier marks them Secure, which every client cookie
jar (rightly) withholds from plain http, and the test talks plain http to 127.0.0.1. Pages are
read with regexes, not a DOM parser: the client shares the server's two cores.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

import aiohttp

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRF-Token": "([^"]+)"')
CARD_ACTION = re.compile(r'<form id="question-card"[^>]*\baction="([^"]+)"')
CHOICE = re.compile(r'name="choice" value="(\d+)"')
NEXT_QUESTION = re.compile(r'hx-get="(/attempts/\d+/questions/\d+)"')
RESULTS_LINK = re.compile(r'hx-get="(/attempts/\d+/results)"')
HTMX = {"HX-Request": "true"}
RETRY_PAUSE = 1.0  # seconds a taker waits after a failed quiz, as a person would


class RequestFailedError(Exception):
    """A request that failed or showed an unexpected page; already counted in the figures."""


class RunOverError(Exception):
    """The run's time or request budget is spent: the taker stops (not an error)."""


@dataclass
class Card:
    action: str
    choices: list[str]


def read_card(html: str) -> Card | None:
    """The question card in a page or fragment, or None when there is none."""
    action = CARD_ACTION.search(html)
    choices = CHOICE.findall(html)
    if action is None or not choices:
        return None
    return Card(action.group(1), choices)


def read_csrf(html: str) -> str | None:
    """The page's token for htmx (its hx-headers) or, on a plain form, the hidden field."""
    found = CSRF_HEADER.search(html) or CSRF_FIELD.search(html)
    return found.group(1) if found else None


def keep_cookies(jar: dict[str, str], set_cookies: list[str]) -> None:
    """Apply Set-Cookie headers to a name -> value jar, Secure or not; Max-Age=0 deletes."""
    for header in set_cookies:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if value and "max-age=0" not in header.lower():
            jar[name.strip()] = value
        else:
            jar.pop(name.strip(), None)


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of values already sorted; 0 for none."""
    if not sorted_values:
        return 0.0
    rank = max(math.ceil(fraction * len(sorted_values)) - 1, 0)
    return sorted_values[rank]


@dataclass
class Figures:
    """Latencies and errors per kind of request, shared by every taker of a run.

    The run is over at `deadline` (time.monotonic()) or once `max_requests` were sent: no
    request starts after that, and the ones in flight are still measured.
    """

    max_requests: int
    deadline: float = math.inf
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    quizzes_started: int = 0
    quizzes_completed: int = 0
    sent: int = 0

    def record(self, kind: str, milliseconds: float) -> None:
        self.latencies[kind].append(milliseconds)

    def fail(self, kind: str, reason: str) -> RequestFailedError:
        """Count an error of this kind; the caller raises what it returns."""
        self.errors[(kind, reason)] += 1
        return RequestFailedError(f"{kind}: {reason}")

    @property
    def budget_spent(self) -> bool:
        return self.sent >= self.max_requests

    @property
    def over(self) -> bool:
        return self.budget_spent or time.monotonic() >= self.deadline

    def table(self, seconds: float) -> list[str]:
        """One line per kind: successes, their req/s and p50/p95/p99 (ms), then its errors."""
        lines = [f"{'kind':<14}{'ok':>8}{'req/s':>9}{'p50':>9}{'p95':>9}{'p99':>9}  errors"]
        kinds = sorted(set(self.latencies) | {kind for kind, _ in self.errors})
        for kind in kinds:
            values = sorted(self.latencies.get(kind, []))
            errors = [
                f"{reason} x{n}" for (k, reason), n in sorted(self.errors.items()) if k == kind
            ]
            lines.append(
                f"{kind:<14}{len(values):>8}{len(values) / seconds:>9.1f}"
                f"{percentile(values, 0.50):>9.0f}{percentile(values, 0.95):>9.0f}"
                f"{percentile(values, 0.99):>9.0f}  {', '.join(errors) or 0}"
            )
        return lines


class Taker:
    """One person's browser: its own cookies, its CSRF token, one request at a time."""

    def __init__(
        self, http: aiohttp.ClientSession, base: str, figures: Figures, username: str
    ) -> None:
        self.http = http
        self.base = base
        self.figures = figures
        self.username = username
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    async def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: int,
        form: dict[str, str] | None = None,
        htmx: bool = False,
    ) -> tuple[str, str]:
        """(body, Location) of one request; a timeout, a dropped connection or any status but
        `expect` (a 429 too) is counted as an error of `kind` and raised."""
        if self.figures.over:
            raise RunOverError
        self.figures.sent += 1
        headers = {**(HTMX if htmx else {}), "Cookie": cookie_header(self.cookies)}
        if method == "POST" and htmx:
            headers["X-CSRF-Token"] = self.csrf
        started = time.perf_counter()
        try:
            async with self.http.request(
                method, self.base + path, data=form, headers=headers, allow_redirects=False
            ) as response:
                body = await response.text()
        except TimeoutError:
            raise self.figures.fail(kind, "timeout") from None
        except aiohttp.ClientError as error:
            raise self.figures.fail(kind, f"connection error ({type(error).__name__})") from None
        elapsed = (time.perf_counter() - started) * 1000
        keep_cookies(self.cookies, response.headers.getall("Set-Cookie", []))
        if response.status != expect:
            raise self.figures.fail(kind, f"HTTP {response.status}")
        self.figures.record(kind, elapsed)
        return body, response.headers.get("Location", "")

    def _take_csrf(self, kind: str, html: str) -> None:
        token = read_csrf(html)
        if token is None:
            raise self.figures.fail(kind, "no CSRF token on the page")
        self.csrf = token

    async def log_in(self, password: str) -> None:
        page, _ = await self.request("login_page", "GET", "/auth/login", expect=200)
        self._take_csrf("login_page", page)
        form = {"identifier": self.username, "password": password, "csrf_token": self.csrf}
        await self.request("login", "POST", "/auth/login", expect=303, form=form)

    async def take_quiz(self, slug: str) -> None:
        """Catalog, quiz page, start, every answer by htmx, results."""
        await self.request("catalog", "GET", "/quizzes", expect=200)
        page, _ = await self.request("quiz_page", "GET", f"/quizzes/{slug}", expect=200)
        self._take_csrf("quiz_page", page)
        _, attempt = await self.request(
            "start", "POST", f"/quizzes/{slug}/attempts", expect=303, form={"csrf_token": self.csrf}
        )
        self.figures.quizzes_started += 1
        _, first = await self.request("resume", "GET", attempt, expect=303)
        html, _ = await self.request("question_page", "GET", first, expect=200)
        card = read_card(html)
        while card is not None:
            html, _ = await self.request(
                "answer",
                "POST",
                card.action,
                expect=200,
                form={"choice": random.choice(card.choices)},  # noqa: S311 - any answer will do
                htmx=True,
            )
            answered, card = card, read_card(html)
            following = NEXT_QUESTION.search(html)
            if card is None and following is not None:  # immediate feedback: "Next question"
                html, _ = await self.request(
                    "next_card", "GET", following.group(1), expect=200, htmx=True
                )
                card = read_card(html)
            if card is not None and card.action == answered.action:
                raise self.figures.fail("answer", "the same question came back")
        results = RESULTS_LINK.search(html)
        if results is not None:  # immediate feedback on the last question: "See results"
            html, _ = await self.request("results", "GET", results.group(1), expect=200, htmx=True)
        if "You scored" not in html:
            raise self.figures.fail("results", "the attempt ended without its results")
        self.figures.quizzes_completed += 1

    async def run(self, password: str, slugs: list[str]) -> None:
        """Log in, then take quiz after quiz until the run is over; a failed request costs
        the taker its quiz (or, at login, the run)."""
        try:
            await self.log_in(password)
            while True:
                try:
                    await self.take_quiz(random.choice(slugs))  # noqa: S311 - not a secret
                except RequestFailedError:
                    await asyncio.sleep(RETRY_PAUSE)
        except (RequestFailedError, RunOverError):
            return
