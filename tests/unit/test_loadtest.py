"""The load test's own helpers: if they miscount, `make loadtest` passes on a broken run.

The real pages it parses are checked in tests/integration/test_loadtest_pages.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer
from aiohttp.test_utils import TestServer

from tests.load.client import Figures
from tests.load.client import RequestFailedError
from tests.load.client import RunOverError
from tests.load.client import Taker
from tests.load.client import cookie_header
from tests.load.client import keep_cookies
from tests.load.client import percentile
from tests.load.client import read_card
from tests.load.client import read_csrf

CARD = """
<form id="question-card" class="card" hx-post="/attempts/7/questions/2"
      action="/attempts/7/questions/2" method="post">
  <input type="hidden" name="csrf_token" value="form-token">
  <label><input type="radio" name="choice" value="31"> Paris</label>
  <label><input type="radio" name="choice" value="32"> Rome</label>
</form>
"""


def test_a_card_gives_its_action_and_choices() -> None:
    card = read_card(CARD)
    assert card is not None
    assert card.action == "/attempts/7/questions/2"
    assert card.choices == ["31", "32"]
    assert read_card("<p>You scored 3 of 5</p>") is None


def test_the_htmx_token_wins_over_a_form_field() -> None:
    page = '<body hx-headers=\'{"X-CSRF-Token": "htmx-token"}\'>' + CARD
    assert read_csrf(page) == "htmx-token"
    assert read_csrf(CARD) == "form-token"
    assert read_csrf("<p>no form</p>") is None


def test_secure_cookies_are_kept_and_a_max_age_0_deletes() -> None:
    jar: dict[str, str] = {"old": "1"}
    keep_cookies(
        jar,
        [
            "hyperquiz_session=abc.def; Secure; HttpOnly; Path=/; SameSite=Lax",
            "hyperquiz_auth=xyz; Expires=Wed, 01 Jan 2027 00:00:00 GMT; Secure; Path=/",
            "old=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
        ],
    )
    assert jar == {"hyperquiz_session": "abc.def", "hyperquiz_auth": "xyz"}
    assert cookie_header(jar) == "hyperquiz_session=abc.def; hyperquiz_auth=xyz"


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7
    assert percentile([], 0.5) == 0


def test_the_table_counts_successes_and_errors_per_kind() -> None:
    figures = Figures(max_requests=100)
    for ms in (10.0, 20.0, 30.0):
        figures.record("answer", ms)
    figures.fail("login", "HTTP 429")
    figures.fail("login", "HTTP 429")
    figures.fail("login", "timeout")
    header, answer, login = figures.table(seconds=3.0)
    assert header.split()[:3] == ["kind", "ok", "req/s"]
    assert answer.split() == ["answer", "3", "1.0", "20", "30", "30", "0"]
    assert login.endswith("HTTP 429 x2, timeout x1")
    assert figures.errors.total() == 3


@pytest.fixture
async def server() -> AsyncIterator[BaseTestServer]:
    """A stand-in for the app on 127.0.0.1: /limited answers 429, /ok answers 200."""

    async def limited(_request: web.Request) -> web.Response:
        return web.Response(status=429, text="Too many requests")

    async def ok(request: web.Request) -> web.Response:
        response = web.Response(text=request.headers.get("Cookie", ""))
        response.headers["Set-Cookie"] = "hyperquiz_session=s1; Secure; HttpOnly; Path=/"
        return response

    app = web.Application()
    app.router.add_get("/limited", limited)
    app.router.add_get("/ok", ok)
    async with TestServer(app, host="127.0.0.1") as test_server:
        yield test_server


async def test_a_429_is_an_error_of_its_kind(server: BaseTestServer) -> None:
    figures = Figures(max_requests=10)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        taker = Taker(http, str(server.make_url("")).rstrip("/"), figures, "t0")
        with pytest.raises(RequestFailedError):
            await taker.request("login", "GET", "/limited", expect=200)
        await taker.request("catalog", "GET", "/ok", expect=200)
        body, _ = await taker.request("catalog", "GET", "/ok", expect=200)
    assert dict(figures.errors) == {("login", "HTTP 429"): 1}
    assert len(figures.latencies["catalog"]) == 2
    assert body == "hyperquiz_session=s1"  # the Secure cookie went back over plain http


async def test_the_request_budget_stops_a_taker_without_an_error(server: BaseTestServer) -> None:
    figures = Figures(max_requests=1)
    async with aiohttp.ClientSession() as http:
        taker = Taker(http, str(server.make_url("")).rstrip("/"), figures, "t0")
        await taker.request("catalog", "GET", "/ok", expect=200)
        with pytest.raises(RunOverError):
            await taker.request("catalog", "GET", "/ok", expect=200)
    assert figures.sent == 1
    assert figures.budget_spent
    assert not figures.errors


async def test_no_request_starts_after_the_deadline(server: BaseTestServer) -> None:
    figures = Figures(max_requests=10, deadline=0.0)
    async with aiohttp.ClientSession() as http:
        taker = Taker(http, str(server.make_url("")).rstrip("/"), figures, "t0")
        with pytest.raises(RunOverError):
            await taker.request("catalog", "GET", "/ok", expect=200)
    assert figures.sent == 0
    assert not figures.errors
