from __future__ import annotations

from datetime import timedelta

import pytest

from web.config import DEV_SECRET_KEY
from web.config import ConfigError
from web.config import load_config


def test_development_is_the_default_tier() -> None:
    config = load_config(environ={})
    assert config["APP_ENV"] == "development"
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["DATABASE_URL"].startswith("sqlite+aiosqlite:///")
    assert config["DATABASE_URL"].endswith("instance/hyperquiz.db")
    assert config["QUART_RATE_LIMITER_ENABLED"] is True
    assert config["BASE_URL"] == "http://127.0.0.1:8000"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_app_env_selects_the_tier() -> None:
    config = load_config(environ={"APP_ENV": "testing"})
    assert config["APP_ENV"] == "testing"
    assert config["QUART_RATE_LIMITER_ENABLED"] is False


def test_unknown_tier_is_refused_in_one_line() -> None:
    with pytest.raises(
        ConfigError, match="APP_ENV must be one of development, testing, production"
    ):
        load_config(environ={"APP_ENV": "staging"})


def test_production_names_every_missing_variable() -> None:
    with pytest.raises(ConfigError) as error:
        load_config(environ={"APP_ENV": "production"})
    assert str(error.value) == (
        "APP_ENV=production requires environment variable(s): SECRET_KEY, DATABASE_URL"
    )
    assert "\n" not in str(error.value)


def test_production_secures_cookies_and_hsts() -> None:
    config = load_config(
        environ={
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": "sqlite+aiosqlite:///x.db",
        }
    )
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["QUART_AUTH_COOKIE_SECURE"] is True
    assert config["HSTS"] is True
    assert config["LOG_TO_FILE"] is True


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", False), ("false", False), ("1", True), ("", True)]
)
def test_ratelimit_flag(raw: str, expected: bool) -> None:
    assert load_config(environ={"RATELIMIT_ENABLED": raw})["QUART_RATE_LIMITER_ENABLED"] is expected


def test_contract_variables_are_read() -> None:
    config = load_config(
        environ={
            "PORT": "9001",
            "REDIS_URL": "redis://example:6379/0",
            "MAIL_SERVER": "smtp.example.com",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "1",
            "MAIL_USERNAME": "u",
            "MAIL_PASSWORD": "p",
            "MAIL_DEFAULT_SENDER": "quiz@example.com",
            "BASE_URL": "https://quiz.example.com/",
        }
    )
    assert config["PORT"] == 9001
    assert config["REDIS_URL"] == "redis://example:6379/0"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.com",
        2525,
        True,
    )
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("u", "p")
    assert config["MAIL_DEFAULT_SENDER"] == "quiz@example.com"
    assert config["BASE_URL"] == "https://quiz.example.com"


def test_rate_limits_default_to_the_seeds() -> None:
    config = load_config(environ={})
    limits = {
        name: (config[name].count, config[name].period)
        for name in (
            "RATELIMIT_LOGIN",
            "RATELIMIT_REGISTER",
            "RATELIMIT_FORGOT",
            "RATELIMIT_DEFAULT",
        )
    }
    assert limits == {
        "RATELIMIT_LOGIN": (5, timedelta(minutes=15)),
        "RATELIMIT_REGISTER": (3, timedelta(hours=1)),
        "RATELIMIT_FORGOT": (3, timedelta(hours=1)),
        "RATELIMIT_DEFAULT": (300, timedelta(minutes=1)),
    }


@pytest.mark.parametrize(
    ("raw", "count", "period"),
    [
        ("5 per 15 minutes", 5, timedelta(minutes=15)),
        ("3 per hour", 3, timedelta(hours=1)),
        ("100 per minute", 100, timedelta(minutes=1)),
        (" 40 PER 2 Hours ", 40, timedelta(hours=2)),
        ("1000 per 1 second", 1000, timedelta(seconds=1)),
        ("50 per day", 50, timedelta(days=1)),
    ],
)
def test_rate_limits_are_read_from_the_environment(raw: str, count: int, period: timedelta) -> None:
    for name in ("RATELIMIT_LOGIN", "RATELIMIT_REGISTER", "RATELIMIT_FORGOT", "RATELIMIT_DEFAULT"):
        limit = load_config(environ={name: raw})[name]
        assert (limit.count, limit.period) == (count, period), name


@pytest.mark.parametrize(
    "raw",
    [
        "5",
        "five per minute",
        "5 per fortnight",
        "0 per minute",
        "5 per 0 minutes",
        "5/15m",
        "-1 per hour",
    ],
)
def test_a_malformed_rate_limit_is_refused_in_one_line_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(environ={"RATELIMIT_LOGIN": raw})
    message = str(error.value)
    assert message.startswith("RATELIMIT_LOGIN ")
    assert repr(raw) in message
    assert "\n" not in message
