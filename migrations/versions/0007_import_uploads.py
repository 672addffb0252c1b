"""Uploaded quiz files awaiting their author's review (the browser import's preview).

A new table only; existing data is untouched, and the downgrade drops uploads nobody
imported (scratch copies of files their authors still have).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("import_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_uploads_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_import_uploads_token"), ["token"], unique=True)
        batch_op.create_index(batch_op.f("ix_import_uploads_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("import_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_import_uploads_token"))
        batch_op.drop_index(batch_op.f("ix_import_uploads_created_at"))
    op.drop_table("import_uploads")
