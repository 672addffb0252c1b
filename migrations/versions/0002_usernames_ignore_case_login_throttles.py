"""usernames unique regardless of case; log-in throttles per (account, address)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 20:57:59.779604

`users.username_lower` is computed by the database and carries the unique index, so two
sign-ups as "Ada" and "ada" cannot both commit. Existing rows that already collide stop the
upgrade with one line naming them: which account keeps the name is for a person to decide.
The per-account lock (`failed_login_count`, `locked_until`) gives way to `login_throttles`;
a lock is minutes of state, so it is not carried over (a downgrade starts unlocked too).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op
from alembic.util import CommandError

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def refuse_colliding_usernames() -> None:
    """Stop before any change if some usernames differ only in case."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT username FROM users WHERE lower(username) IN "
            "(SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1) "
            "ORDER BY lower(username), username"
        )
    )
    groups: dict[str, list[str]] = {}
    for (username,) in rows:
        groups.setdefault(username.lower(), []).append(username)
    if groups:
        named = "; ".join(", ".join(names) for names in groups.values())
        raise CommandError(
            f"Usernames that differ only in case must be renamed before this upgrade: {named}"
        )


def upgrade() -> None:
    refuse_colliding_usernames()
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=259), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("failures >= 0", name="ck_login_throttles_failures"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject", "client", name="uq_login_throttles_subject_client"),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttles_last_failure_at"), ["last_failure_at"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "username_lower",
                sa.String(length=80),
                sa.Computed("lower(username)", persisted=True),
                nullable=False,
            )
        )
        batch_op.drop_index(batch_op.f("ix_users_username"))
        batch_op.create_index("uq_users_username_lower", ["username_lower"], unique=True)
        batch_op.drop_constraint("ck_users_failed_login_count", type_="check")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_login_count")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_login_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_check_constraint("ck_users_failed_login_count", "failed_login_count >= 0")
        batch_op.drop_index("uq_users_username_lower")
        batch_op.create_index(batch_op.f("ix_users_username"), ["username"], unique=True)
        batch_op.drop_column("username_lower")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("failed_login_count", server_default=None)  # as 0001 made it

    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_last_failure_at"))

    op.drop_table("login_throttles")
