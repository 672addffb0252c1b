"""Models: people, their log-in throttles, and the one-use tokens mailed to them."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any
from typing import ClassVar

from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import ColumnElement
from sqlalchemy import Computed
from sqlalchemy import Index
from sqlalchemy import Insert
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import UniqueConstraint
from sqlalchemy import case
from sqlalchemy import false as sa_false
from sqlalchemy import literal
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field
from sqlmodel import SQLModel
from sqlmodel import col

from web.models.base import utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME_MAX = 80
EMAIL_MAX = 254


class User(SQLModel, table=True):
    """An account; it owns its verification rule.

    Usernames are unique regardless of case in the database itself: `username_lower` is a
    column the database computes as lower(username), and its unique index is what log-in
    looks names up by. (A generated column rather than an index on the expression, because
    SQLite cannot reflect expression indexes, so migrations could not be checked for drift.)
    """

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_username_lower", "username_lower", unique=True),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"eager_defaults": True}

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=USERNAME_MAX)
    username_lower: str | None = Field(
        default=None,
        sa_column=Column(
            String(USERNAME_MAX),
            Computed("lower(username)", persisted=True),
            nullable=False,
        ),
    )
    email: str = Field(max_length=EMAIL_MAX, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    is_admin: bool = Field(default=False)
    # Granted by an admin ("Make author"): may create quizzes and edit the ones they own.
    is_author: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    is_active: bool = Field(default=True)
    email_verified_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = Field(default=None)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def may_author(self) -> bool:
        """Admins are authors too (CONTRACT.md, Authoring)."""
        return self.is_active and (self.is_author or self.is_admin)


def account_subject(user_id: int) -> str:
    """A known account's throttle subject, whichever of its name or email was typed."""
    return f"user:{user_id}"


def name_subject(identifier: str) -> str:
    """An identifier no account has is throttled under its lowered self, exactly as an
    account is, so a refusal never tells whether the name exists."""
    return f"name:{identifier.lower()}"


class LoginThrottle(SQLModel, table=True):
    """Failed log-ins of one subject (an account, or an unknown name) from one address.

    Throttling the pair, not the account, means nobody can lock someone else out: the owner
    on another address still logs in. MAX_FAILED_LOGINS failures, each within LOCKOUT of the
    one before, pause the pair for LOCKOUT; a quiet LOCKOUT starts the count afresh, and a
    row whose last failure is that old means nothing any more (stale()).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("subject", "client", name="uq_login_throttles_subject_client"),
        CheckConstraint("failures >= 0", name="ck_login_throttles_failures"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=EMAIL_MAX + 5)  # "user:<id>" or "name:<identifier>"
    client: str = Field(max_length=64)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(default_factory=utcnow, index=True)
    locked_until: datetime | None = Field(default=None)

    @classmethod
    def count_failure(cls, dialect: str, subject: str, client: str, now: datetime) -> Insert:
        """One statement that counts a failure, so concurrent failures all count: a new row,
        or the next failure of a run (the first of a fresh run after a quiet LOCKOUT), and
        the MAX_FAILED_LOGINS-th of a run locks the pair for LOCKOUT."""
        table: Table = cls.__table__  # type: ignore[attr-defined]
        columns = table.c
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        failures = case((columns.last_failure_at <= now - LOCKOUT, 1), else_=columns.failures + 1)
        lock = literal(now + LOCKOUT, type_=columns.locked_until.type)
        return (
            insert(table)
            .values(subject=subject, client=client, failures=1, last_failure_at=now)
            .on_conflict_do_update(
                index_elements=[columns.subject, columns.client],
                set_={
                    "failures": failures,
                    "last_failure_at": now,
                    "locked_until": case(
                        (failures >= MAX_FAILED_LOGINS, lock), else_=columns.locked_until
                    ),
                },
            )
        )

    @classmethod
    def stale(cls, now: datetime) -> ColumnElement[bool]:
        return col(cls.last_failure_at) <= now - LOCKOUT

    @classmethod
    def locked(cls, now: datetime) -> ColumnElement[bool]:
        return col(cls.locked_until) > now


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
