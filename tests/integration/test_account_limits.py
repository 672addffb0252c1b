"""Rate limits on the account forms, with limits turned on as in production."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator

import pytest
from quart import Quart
from quart import Response

from tests.concurrency import hold_together
from tests.conftest import make_app
from tests.databases import REDIS_URL
from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import Mailbox
from tests.integration.accounts_helpers import fetch_all
from tests.integration.accounts_helpers import is_signed_in
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import register
from tests.integration.accounts_helpers import running_app
from tests.integration.accounts_helpers import text
from web.models import User
from web.services import accounts


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[Quart]:
    async with running_app(database_url, QUART_RATE_LIMITER_ENABLED=True) as app:
        yield app


async def assert_too_many(response: Response, *, at_most: int) -> int:
    """A 429 page that says, in the headers and in words, how long to wait: Retry-After
    once, and the RateLimit-* headers of the limit that refused, agreeing with it."""
    body = await text(response)
    assert response.status_code == 429
    [retry_after] = response.headers.getlist("Retry-After")
    wait = int(retry_after)
    assert 1 <= wait <= at_most
    match = re.search(r"try again in (\d+) seconds?", body)
    assert match, body
    assert int(match.group(1)) == wait
    for prefix in ("", "X-"):
        assert response.headers.getlist(f"{prefix}RateLimit-Reset") == [retry_after]
        assert response.headers[f"{prefix}RateLimit-Remaining"] == "0"
    return wait


async def test_register_allows_3_an_hour(limited: Quart) -> None:
    client = limited.test_client()
    for number in range(3):
        response = await register(client, username=f"user_{number}", email=f"u{number}@example.com")
        assert response.status_code == 303
    response = await register(client, username="user_3", email="u3@example.com")
    wait = await assert_too_many(response, at_most=3600)
    assert wait > 60  # one new registration every 20 minutes, not seconds
    assert '<nav aria-label="Main">' in await text(response)
    assert len(await fetch_all(limited, User)) == 3


async def test_forms_sent_back_with_field_errors_spend_nothing(limited: Quart) -> None:
    """A class signing up makes typos: only accounts made count against the address."""
    client = limited.test_client()
    for _ in range(5):
        assert (await register(client, username="ab", password="weak")).status_code == 422
    for number in range(3):
        response = await register(client, username=f"user_{number}", email=f"u{number}@example.com")
        assert response.status_code == 303
    assert len(await fetch_all(limited, User)) == 3


async def test_a_taken_email_spends_the_allowance(limited: Quart) -> None:
    """Telling that an address has an account is what an enumerating script wants."""
    await make_user(limited, "ada", "ada@example.com")
    client = limited.test_client()
    for number in range(3):
        response = await register(client, username=f"user_{number}", email="ada@example.com")
        assert response.status_code == 422
    await assert_too_many(
        await register(client, username="grace", email="g@example.com"), at_most=3600
    )


async def test_a_new_browser_does_not_escape_the_limit(limited: Quart) -> None:
    """The limit is per client address: dropping cookies starts no fresh count."""
    for number in range(3):
        await register(
            limited.test_client(), username=f"user_{number}", email=f"u{number}@example.com"
        )
    response = await register(limited.test_client())
    assert response.status_code == 429


async def test_a_429_for_htmx_is_a_fragment_for_the_alert_region(limited: Quart) -> None:
    client = limited.test_client()
    for number in range(3):
        await register(client, username=f"user_{number}", email=f"u{number}@example.com", htmx=True)
    response = await register(client, htmx=True)
    body = await text(response)
    assert response.status_code == 429
    assert "<html" not in body
    assert "try again in" in body
    assert response.headers["HX-Retarget"] == "#messages"


async def test_login_allows_5_in_15_minutes(limited: Quart) -> None:
    await make_user(limited)
    client = limited.test_client()
    for _ in range(5):
        response = await log_in(client, "nobody", "Wrong1password")
        assert response.status_code == 422
    response = await log_in(client)  # the right password, but too late
    await assert_too_many(response, at_most=15 * 60)
    assert not await is_signed_in(client)


async def test_successful_logins_spend_nothing(limited: Quart) -> None:
    """A class logging in from one address is not an attack; wrong passwords are."""
    await make_user(limited)
    for _ in range(8):
        assert (await log_in(limited.test_client())).status_code == 303
    for _ in range(5):
        assert (await log_in(limited.test_client(), "ada", "Wrong1password")).status_code == 422
    await assert_too_many(await log_in(limited.test_client()), at_most=15 * 60)


async def test_a_429_names_the_limit_that_refused(limited: Quart) -> None:
    """Not the app-wide 300 a minute, whose reset is a second away."""
    client = limited.test_client()
    for _ in range(5):
        await log_in(client, "nobody", "Wrong1password")
    response = await log_in(client, "nobody", "Wrong1password")
    wait = await assert_too_many(response, at_most=15 * 60)
    assert wait > 60
    assert response.headers["RateLimit-Limit"] == "5"
    assert response.headers["X-RateLimit-Limit"] == "5"


async def test_an_allowed_request_advertises_the_limit_nearest_to_refusing(limited: Quart) -> None:
    client = limited.test_client()
    response = await log_in(client, "nobody", "Wrong1password")
    assert response.headers["RateLimit-Limit"] == "5"
    assert response.headers["RateLimit-Remaining"] == "4"
    assert 0 < int(response.headers["RateLimit-Reset"]) <= 180


async def test_forgot_password_allows_3_an_hour_and_a_typo_spends_nothing(
    limited: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(limited, caplog)
    await make_user(limited)
    client = limited.test_client()
    for _ in range(4):
        response = await post_form(client, "/auth/forgot-password", {"email": "ada@"})
        assert response.status_code == 422
    for _ in range(3):
        response = await post_form(client, "/auth/forgot-password", {"email": "ada@example.com"})
        assert response.status_code == 303
    response = await post_form(client, "/auth/forgot-password", {"email": "ada@example.com"})
    await assert_too_many(response, at_most=3600)
    assert len(await mailbox.tokens("reset-password")) == 3


async def test_the_limits_come_from_the_environment(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATELIMIT_LOGIN", "2 per minute")
    monkeypatch.setenv("RATELIMIT_REGISTER", "1 per day")
    monkeypatch.setenv("RATELIMIT_FORGOT", "1 per hour")
    async with running_app(database_url, QUART_RATE_LIMITER_ENABLED=True) as app:
        client = app.test_client()
        for _ in range(2):
            await log_in(client, "nobody", "Wrong1password")
        await assert_too_many(await log_in(client, "nobody", "Wrong1password"), at_most=60)
        assert (await register(client)).status_code == 303
        refused = await register(client, username="grace", email="g@example.com")
        await assert_too_many(refused, at_most=24 * 3600)
        assert (
            await post_form(client, "/auth/forgot-password", {"email": "a@b.io"})
        ).status_code == 303
        forgot = await post_form(client, "/auth/forgot-password", {"email": "a@b.io"})
        await assert_too_many(forgot, at_most=3600)


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/auth/login", 5),
        ("/auth/verify/resend", 3),
        ("/auth/reset-password/made-up-token", 5),
        ("/auth/change-password", 5),
    ],
)
async def test_every_account_form_is_limited(limited: Quart, path: str, limit: int) -> None:
    client = limited.test_client()
    for _ in range(limit):
        assert (await post_form(client, path)).status_code != 429
    assert (await post_form(client, path)).status_code == 429
    assert (await post_form(client, path, htmx=True)).status_code == 429


async def test_pages_are_not_limited_by_the_form_limits(limited: Quart) -> None:
    client = limited.test_client()
    for _ in range(3):
        await register(client, username="ab")
    for path in ("/auth/register", "/auth/login", "/auth/forgot-password"):
        response = await client.get(path, headers=HTMX)
        assert response.status_code == 200


async def test_registrations_sent_at_once_cannot_outrun_the_limit(
    limited: Quart, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The allowance is taken when the request arrives (and given back if the form is sent
    back), so a burst that hashes its passwords together still makes three accounts."""
    hold_together(monkeypatch, accounts, "hash_password", parties=3)
    responses = await asyncio.gather(
        *(
            register(limited.test_client(), username=f"user_{n}", email=f"u{n}@example.com")
            for n in range(4)
        )
    )
    assert sorted(response.status_code for response in responses) == [303, 303, 303, 429]
    assert len(await fetch_all(limited, User)) == 3


@pytest.mark.needs_redis
async def test_counted_limits_are_shared_by_workers_through_redis(database_url: str) -> None:
    """Two app instances stand for two hypercorn workers on one Redis."""
    assert REDIS_URL, "TEST_REDIS_URL must name a Redis for this test"
    settings = {"QUART_RATE_LIMITER_ENABLED": True, "REDIS_URL": REDIS_URL}
    async with running_app(database_url, **settings) as first:
        second = make_app(database_url, **settings)
        first.import_name = second.import_name = f"hq-{uuid.uuid4().hex[:8]}"  # fresh keys
        async with second.test_app():
            await make_user(first)
            workers = [first, second]
            for n in range(6):  # successes give their share back, on either worker
                assert (await log_in(workers[n % 2].test_client())).status_code == 303
            for n in range(5):
                response = await log_in(workers[n % 2].test_client(), "ada", "Wrong1password")
                assert response.status_code == 422
            await assert_too_many(await log_in(second.test_client()), at_most=15 * 60)
