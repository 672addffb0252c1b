"""Log-in throttling per (account, client address): nobody can lock someone else out, and a
refusal never tells why, nor costs a different time."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2 import profiles
from quart import Quart
from sqlmodel import col
from sqlmodel import update

from tests.concurrency import hold_together
from tests.integration.accounts_helpers import PASSWORD
from tests.integration.accounts_helpers import execute
from tests.integration.accounts_helpers import fail_logins
from tests.integration.accounts_helpers import fetch_user
from tests.integration.accounts_helpers import field_errors
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import login_throttles
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import running_app
from tests.integration.accounts_helpers import text
from web.forms.accounts import INVALID_LOGIN
from web.models import LoginThrottle
from web.models import User
from web.models import utcnow
from web.security import hash_password
from web.services import throttles

LOGIN_FIELDS = ("identifier", "password")
HOME = "198.51.100.7"
CAFE = "203.0.113.9"


@pytest.fixture
async def ada(app: Quart) -> int:
    return await make_user(app, "Ada", "ada@example.com")


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[object]:
    """Record each call of PasswordHasher.<name> (they run on the hashing threads)."""
    calls: list[object] = []
    original: Callable[..., Any] = getattr(PasswordHasher, name)

    def counted(self: PasswordHasher, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, name, counted)
    return calls


async def test_five_wrong_passwords_pause_that_account_from_that_address(
    app: Quart, ada: int
) -> None:
    await fail_logins(app, "ada", address=CAFE)
    response = await log_in(app.test_client(), address=CAFE)  # the right password, too late
    assert response.status_code == 422
    assert field_errors(await text(response), LOGIN_FIELDS) == {"identifier": INVALID_LOGIN}
    [throttle] = await login_throttles(app)
    assert (throttle.subject, throttle.client, throttle.failures) == (f"user:{ada}", CAFE, 5)
    assert throttle.locked_until is not None
    assert timedelta(minutes=14) < throttle.locked_until - utcnow() <= timedelta(minutes=15)


async def test_the_owner_on_another_address_still_logs_in(app: Quart, ada: int) -> None:
    await fail_logins(app, "ada", address=CAFE)
    assert (await log_in(app.test_client(), address=HOME)).status_code == 303


async def test_the_name_in_any_case_and_the_email_count_as_one_account(
    app: Quart, ada: int
) -> None:
    await fail_logins(app, "ADA", 3, address=CAFE)
    await fail_logins(app, "ada@example.com", 2, address=CAFE)
    assert (await log_in(app.test_client(), address=CAFE)).status_code == 422


async def test_every_refusal_reads_the_same_and_costs_one_argon2_verify(
    app: Quart, ada: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locked, deactivated, unknown and wrong: nothing in the answer tells them apart."""
    grace = await make_user(app, "grace")
    await execute(app, update(User).where(col(User.id) == grace).values(is_active=False))
    await fail_logins(app, "ada", address=CAFE)
    verifies = count_calls(monkeypatch, "verify")
    refusals = {
        "wrong password": ("ada", "Wrong1password", HOME),
        "paused pair": ("ada", PASSWORD, CAFE),
        "deactivated": ("grace", PASSWORD, HOME),
        "unknown name": ("nobody", PASSWORD, HOME),
        "unknown email": ("nobody@example.com", PASSWORD, HOME),
    }
    for reason, (identifier, password, address) in refusals.items():
        before = len(verifies)
        response = await log_in(app.test_client(), identifier, password, address=address)
        assert response.status_code == 422, reason
        errors = field_errors(await text(response), LOGIN_FIELDS)
        assert errors == {"identifier": INVALID_LOGIN}, reason
        assert len(verifies) - before == 1, reason


async def test_a_paused_pair_is_refused_without_checking_the_password(
    app: Quart, ada: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fail_logins(app, "ada", address=CAFE)
    stored = (await fetch_user(app, "Ada")).password_hash
    verifies = count_calls(monkeypatch, "verify")
    right = await log_in(app.test_client(), "ada", PASSWORD, address=CAFE)
    wrong = await log_in(app.test_client(), "ada", "Wrong1password", address=CAFE)
    assert await text(right) != ""
    assert field_errors(await text(right), LOGIN_FIELDS) == field_errors(
        await text(wrong), LOGIN_FIELDS
    )
    assert len(verifies) == 2
    assert all(hash_ != stored for hash_, _password in verifies)  # only the reference hash


async def test_unknown_names_are_paused_the_same_way(app: Quart) -> None:
    await fail_logins(app, "Nobody", address=CAFE)
    [throttle] = await login_throttles(app)
    assert (throttle.subject, throttle.client) == ("name:nobody", CAFE)
    assert throttle.locked_until is not None


async def test_the_pause_ends_after_15_minutes(app: Quart, ada: int) -> None:
    await fail_logins(app, "ada", address=CAFE)
    await age_failures(app, timedelta(minutes=15, seconds=1))
    assert (await log_in(app.test_client(), address=CAFE)).status_code == 303
    assert await login_throttles(app) == []


async def test_a_quiet_quarter_hour_starts_a_fresh_count(app: Quart, ada: int) -> None:
    await fail_logins(app, "ada", 4, address=CAFE)
    await age_failures(app, timedelta(minutes=15, seconds=1))
    await fail_logins(app, "ada", 4, address=CAFE)
    assert (await log_in(app.test_client(), address=CAFE)).status_code == 303


async def test_a_success_clears_the_count_of_its_address_only(app: Quart, ada: int) -> None:
    await fail_logins(app, "ada", 4, address=CAFE)
    await fail_logins(app, "ada", 4, address=HOME)
    assert (await log_in(app.test_client(), address=HOME)).status_code == 303
    [throttle] = await login_throttles(app)
    assert (throttle.client, throttle.failures) == (CAFE, 4)
    await fail_logins(app, "ada", 1, address=CAFE)
    assert (await log_in(app.test_client(), address=CAFE)).status_code == 422


async def test_concurrent_failures_all_count(
    app: Quart, ada: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guesses sent at once all pass the check before any is counted: every one counts.
    (Three at once: SQLite's pool has four connections, and each waiter holds one.)"""
    await fail_logins(app, "ada", 2, address=CAFE)
    hold_together(monkeypatch, throttles, "is_throttled", parties=3)
    responses = await asyncio.gather(
        *(log_in(app.test_client(), "ada", "Wrong1password", address=CAFE) for _ in range(3))
    )
    assert [response.status_code for response in responses] == [422] * 3
    [throttle] = await login_throttles(app)
    assert throttle.failures == 5
    assert throttle.locked_until is not None


async def test_a_hash_with_older_parameters_is_upgraded_at_log_in(app: Quart, ada: int) -> None:
    older = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    await execute(app, update(User).values(password_hash=older))
    assert (await log_in(app.test_client())).status_code == 303
    upgraded = (await fetch_user(app, "Ada")).password_hash
    assert upgraded != older
    assert not PasswordHasher.from_parameters(profiles.CHEAPEST).check_needs_rehash(upgraded)
    assert (await log_in(app.test_client())).status_code == 303


async def test_a_current_hash_is_left_alone(app: Quart, ada: int) -> None:
    stored = (await fetch_user(app, "Ada")).password_hash
    assert (await log_in(app.test_client())).status_code == 303
    assert (await fetch_user(app, "Ada")).password_hash == stored


async def test_the_reference_hash_is_made_before_serving(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made on first use, the first refusal of an unknown name would be the slow one."""
    hashes = count_calls(monkeypatch, "hash")
    async with running_app(database_url) as app:
        made_at_start = len(hashes)
        response = await log_in(app.test_client(), "nobody", PASSWORD)
        assert response.status_code == 422
        assert len(hashes) == made_at_start
    assert made_at_start == 1


async def test_hashing_runs_at_most_one_hash_per_core(
    app: Quart, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of hashes queues for the cores instead of taking 64 MiB each at once."""
    cores = os.process_cpu_count() or 1
    running = peak = 0
    guard = threading.Lock()
    original = PasswordHasher.hash

    def tracked(self: PasswordHasher, password: str, **kwargs: Any) -> str:
        nonlocal running, peak
        with guard:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)  # long enough for an unbounded pool to start every hash at once
        with guard:
            running -= 1
        return original(self, password, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", tracked)
    async with app.app_context():
        await asyncio.gather(*(hash_password(PASSWORD) for _ in range(cores * 3)))
    assert 1 <= peak <= cores


async def age_failures(app: Quart, by: timedelta) -> None:
    """Move every recorded failure (and pause) into the past, as time passing would."""
    for throttle in await login_throttles(app):
        locked_until = throttle.locked_until - by if throttle.locked_until else None
        await execute(
            app,
            update(LoginThrottle)
            .where(col(LoginThrottle.id) == throttle.id)
            .values(last_failure_at=throttle.last_failure_at - by, locked_until=locked_until),
        )
