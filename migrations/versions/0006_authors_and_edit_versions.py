"""Authors, and versions on draft questions for the editor's conflict check.

`users.is_author` is granted by admins (admins are authors anyway); every existing account
starts without it. `revision_questions.version` counts a draft row's saves; published rows
keep 1 forever. Both columns have server defaults, so existing rows need no data step, and
the downgrade only drops them.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: batch mode would copy `users` on SQLite, and a
    # copy cannot write its generated `username_lower` column.
    op.add_column(
        "users", sa.Column("is_author", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "revision_questions",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("revision_questions", "version")  # SQLite 3.35+ drops columns in place
    op.drop_column("users", "is_author")
