"""Models: people, and the one-use tokens mailed to them."""

from __future__ import annotations

import math
from datetime import datetime
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from web.models.base import utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class User(SQLModel, table=True):
    """An account; it owns its lockout and verification rules."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("failed_login_count >= 0", name="ck_users_failed_login_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    is_admin: bool = Field(default=False)
    is_active: bool = Field(default=True)
    email_verified_at: datetime | None = Field(default=None)
    failed_login_count: int = Field(default=0)
    locked_until: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = Field(default=None)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def record_failed_login(self, now: datetime | None = None) -> None:
        """Count a wrong password; the fifth in a row locks the account for LOCKOUT."""
        now = now or utcnow()
        self.failed_login_count += 1
        if self.failed_login_count >= MAX_FAILED_LOGINS:
            self.locked_until = now + LOCKOUT
            self.failed_login_count = 0

    def record_login(self, now: datetime | None = None) -> None:
        self.failed_login_count = 0
        self.locked_until = None
        self.last_login_at = now or utcnow()

    def unlock(self) -> None:
        self.failed_login_count = 0
        self.locked_until = None

    def minutes_locked(self, now: datetime | None = None) -> int:
        """Whole minutes left on a lock, rounded up, for the message the user sees."""
        if self.locked_until is None:
            return 0
        seconds = (self.locked_until - (now or utcnow())).total_seconds()
        return max(math.ceil(seconds / 60), 0)


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name, not a password


TOKEN_LIFETIMES = {
    TokenPurpose.VERIFY_EMAIL: timedelta(hours=24),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}


class EmailToken(SQLModel, table=True):
    """A mailed token, stored only as its hash; it expires and works once."""

    __tablename__ = "email_tokens"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('verify_email', 'reset_password')", name="ck_email_tokens_purpose"
        ),
        Index("ix_email_tokens_user_purpose", "user_id", "purpose"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = Field(default=None)

    @classmethod
    def issue(cls, user_id: int, purpose: TokenPurpose, token_hash: str) -> EmailToken:
        now = utcnow()
        return cls(
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + TOKEN_LIFETIMES[purpose],
        )

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or utcnow())


SESSION_LIFETIME = timedelta(days=1)
REMEMBERED_SESSION_LIFETIME = timedelta(days=30)


class UserSession(SQLModel, table=True):
    """A signed-in browser. The auth cookie names it by a token we store only hashed, so
    logging out, resetting a password or deactivating an account can end it for real."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    remember: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    user_agent: str = Field(default="", max_length=200)

    @classmethod
    def open(cls, user_id: int, token_hash: str, *, remember: bool, user_agent: str) -> UserSession:
        now = utcnow()
        lifetime = REMEMBERED_SESSION_LIFETIME if remember else SESSION_LIFETIME
        return cls(
            user_id=user_id,
            token_hash=token_hash,
            remember=remember,
            created_at=now,
            expires_at=now + lifetime,
            user_agent=user_agent[:200],
        )
