from __future__ import annotations

from datetime import timedelta

from web.models import EmailToken
from web.models import TokenPurpose
from web.models import User
from web.models import UserSession
from web.models import utcnow


def make_user() -> User:
    return User(id=7, username="ada", email="ada@example.com", password_hash="x")


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
