from __future__ import annotations

from datetime import timedelta

from web.models import EmailToken
from web.models import TokenPurpose
from web.models import User
from web.models import UserSession
from web.models import utcnow


def make_user() -> User:
    return User(id=7, username="ada", email="ada@example.com", password_hash="x")


def test_fifth_failed_login_locks_for_fifteen_minutes() -> None:
    user = make_user()
    now = utcnow()
    for _ in range(4):
        user.record_failed_login(now)
    assert not user.is_locked(now)
    user.record_failed_login(now)
    assert user.is_locked(now)
    assert user.locked_until == now + timedelta(minutes=15)
    assert not user.is_locked(now + timedelta(minutes=15, seconds=1))


def test_successful_login_resets_the_counter() -> None:
    user = make_user()
    user.record_failed_login()
    user.record_failed_login()
    user.record_login()
    assert user.failed_login_count == 0
    assert user.last_login_at is not None


def test_minutes_locked_rounds_up() -> None:
    user = make_user()
    now = utcnow()
    assert user.minutes_locked(now) == 0
    user.locked_until = now + timedelta(minutes=14, seconds=1)
    assert user.minutes_locked(now) == 15
    assert user.minutes_locked(now + timedelta(hours=1)) == 0


def test_sessions_last_a_day_or_thirty_days_when_remembered() -> None:
    short = UserSession.open(1, "a" * 64, remember=False, user_agent="x" * 500)
    long = UserSession.open(1, "b" * 64, remember=True, user_agent="UA")
    assert short.expires_at - short.created_at == timedelta(days=1)
    assert long.expires_at - long.created_at == timedelta(days=30)
    assert len(short.user_agent) == 200


def test_tokens_expire_and_work_once() -> None:
    verify = EmailToken.issue(1, TokenPurpose.VERIFY_EMAIL, "h" * 64)
    reset = EmailToken.issue(1, TokenPurpose.RESET_PASSWORD, "g" * 64)
    assert verify.expires_at - verify.created_at == timedelta(hours=24)
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    assert reset.is_usable()
    assert not reset.is_usable(reset.expires_at)
    reset.used_at = utcnow()
    assert not reset.is_usable()
