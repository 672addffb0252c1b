"""Configuration: typed settings from the environment, one class per tier (CONTRACT.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from typing import ClassVar

from quart_rate_limiter import RateLimit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused in production below


IMPORT_MAX_BYTES = 5 * 1024 * 1024


class ConfigError(RuntimeError):
    """The environment cannot start the app; the message is one line, meant for operators."""


# Per client address. The seed's limits on the forms attackers aim at; a school behind one
# address raises them (README: Configuration).
RATE_LIMIT_DEFAULTS = {
    "RATELIMIT_LOGIN": "5 per 15 minutes",
    "RATELIMIT_REGISTER": "3 per hour",
    "RATELIMIT_FORGOT": "3 per hour",
    "RATELIMIT_DEFAULT": "300 per minute",
    # Joining a live game, per address: a code is one of a million, so guessing is slow.
    "RATELIMIT_JOIN": "20 per minute",
}
RATE_LIMIT_PATTERN = re.compile(
    r"\s*(\d+)\s+per\s+(?:(\d+)\s+)?(second|minute|hour|day)s?\s*", re.IGNORECASE
)
PERIOD_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _rate_limit(environ: Mapping[str, str], name: str) -> RateLimit:
    """`5 per 15 minutes`, `3 per hour`, `100 per minute`; anything else stops the start."""
    raw = environ.get(name) or RATE_LIMIT_DEFAULTS[name]
    match = RATE_LIMIT_PATTERN.fullmatch(raw)
    count = int(match[1]) if match else 0
    periods = int(match[2] or 1) if match else 0
    if match is None or count < 1 or periods < 1:
        raise ConfigError(
            f"{name} must read like '5 per 15 minutes' or '100 per minute' "
            f"(a count per second, minute, hour or day), not {raw!r}"
        )
    return RateLimit(count, timedelta(seconds=periods * PERIOD_SECONDS[match[3].lower()]))


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


class BaseConfig:
    """Defaults shared by every tier; a tier overrides only what differs."""

    APP_ENV: ClassVar[str] = "development"
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    SECURE_COOKIES: ClassVar[bool] = False
    RATELIMIT_ON: ClassVar[bool] = True
    ARGON2_PROFILE: ClassVar[str] = "rfc_9106_low_memory"
    LOG_TO_FILE: ClassVar[bool] = False

    @classmethod
    def database_default(cls) -> str:
        return f"sqlite+aiosqlite:///{PROJECT_ROOT / 'instance' / 'hyperquiz.db'}"

    @classmethod
    def load(cls, environ: Mapping[str, str]) -> dict[str, Any]:
        """Build the Quart config mapping; raise ConfigError naming every missing variable."""
        missing = [name for name in cls.REQUIRED if not environ.get(name)]
        if missing:
            raise ConfigError(
                f"APP_ENV={cls.APP_ENV} requires environment variable(s): {', '.join(missing)}"
            )
        port = int(environ.get("PORT") or 8000)
        secure = cls.SECURE_COOKIES
        return {
            "APP_ENV": cls.APP_ENV,
            "SECRET_KEY": environ.get("SECRET_KEY") or DEV_SECRET_KEY,
            "DATABASE_URL": environ.get("DATABASE_URL") or cls.database_default(),
            "REDIS_URL": environ.get("REDIS_URL") or None,
            "BASE_URL": (environ.get("BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
            "PORT": port,
            "MAIL_SERVER": environ.get("MAIL_SERVER") or None,
            "MAIL_PORT": int(environ.get("MAIL_PORT") or 25),
            "MAIL_USE_TLS": _flag(environ.get("MAIL_USE_TLS"), False),
            "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
            "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
            "MAIL_DEFAULT_SENDER": environ.get("MAIL_DEFAULT_SENDER") or "hyperquiz@localhost",
            "QUART_RATE_LIMITER_ENABLED": _flag(environ.get("RATELIMIT_ENABLED"), cls.RATELIMIT_ON),
            **{name: _rate_limit(environ, name) for name in RATE_LIMIT_DEFAULTS},
            # Hops of reverse proxies whose X-Forwarded-For we trust; 0 trusts no header.
            "TRUSTED_PROXY_HOPS": int(environ.get("TRUSTED_PROXY_HOPS") or 0),
            "ARGON2_PROFILE": cls.ARGON2_PROFILE,
            "LOG_TO_FILE": cls.LOG_TO_FILE,
            "LOG_DIR": environ.get("LOG_DIR") or str(PROJECT_ROOT / "logs"),
            "COMPONENTS_DIR": str(PROJECT_ROOT / "components"),
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            # Quiz files uploaded for import may be larger (web/requests.py); 5 MiB holds
            # thousands of GIFT questions or a Moodle XML export with a few images.
            "IMPORT_MAX_BYTES": int(environ.get("IMPORT_MAX_BYTES") or IMPORT_MAX_BYTES),
            "HSTS": secure,
            "SESSION_COOKIE_NAME": "hyperquiz_session",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": secure,
            "QUART_AUTH_COOKIE_NAME": "hyperquiz_auth",
            "QUART_AUTH_COOKIE_SECURE": secure,
            "QUART_AUTH_COOKIE_SAMESITE": "Lax",
            "QUART_AUTH_DURATION": 30 * 24 * 60 * 60,
            "TEMPLATES_AUTO_RELOAD": cls.APP_ENV == "development",
            # The session cache (web/auth.py): how long an entry may answer without the
            # database (0 turns it off), and the file its workers share for revocations.
            "SESSION_CACHE_SECONDS": float(environ.get("SESSION_CACHE_SECONDS") or 30),
            "SESSION_EPOCH_FILE": environ.get("SESSION_EPOCH_FILE") or None,
            # Live games: open SSE streams per worker, and how often a page without
            # JavaScript reloads itself (a Refresh header).
            "LIVE_MAX_STREAMS": int(environ.get("LIVE_MAX_STREAMS") or 500),
            "LIVE_REFRESH_SECONDS": 3,
        }


class DevelopmentConfig(BaseConfig):
    APP_ENV = "development"


class TestingConfig(BaseConfig):
    APP_ENV = "testing"
    RATELIMIT_ON = False
    # argon2's cheapest profile: the real one costs ~0.25 s a hash, which would dominate the suite.
    ARGON2_PROFILE = "cheapest"


class ProductionConfig(BaseConfig):
    APP_ENV = "production"
    REQUIRED = ("SECRET_KEY", "DATABASE_URL")
    SECURE_COOKIES = True
    LOG_TO_FILE = True


TIERS: dict[str, type[BaseConfig]] = {
    tier.APP_ENV: tier for tier in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


def load_config(
    config_name: str | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Pick the tier from the argument or APP_ENV and read the environment into it."""
    environ = os.environ if environ is None else environ
    name = config_name or environ.get("APP_ENV") or "development"
    try:
        tier = TIERS[name]
    except KeyError:
        raise ConfigError(f"APP_ENV must be one of {', '.join(TIERS)}, not {name!r}") from None
    return tier.load(environ)
