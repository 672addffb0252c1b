"""Questions say how their words are written: plain text, Markdown or HTML.

Every existing question was plain text (the only format there was), so the new column's
server default fills it; the downgrade drops the column and refuses first when any
question is written in Markdown or HTML, which the old code would show as raw markup.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util.exc import CommandError

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("revision_questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("text_format", sa.String(length=10), server_default="plain", nullable=False)
        )
        batch_op.create_check_constraint(
            "ck_revision_questions_text_format", "text_format IN ('plain', 'markdown', 'html')"
        )


def downgrade() -> None:
    rich = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT DISTINCT q.slug FROM quizzes q JOIN quiz_revisions r ON r.quiz_id = q.id"
                " JOIN revision_questions rq ON rq.revision_id = r.id"
                " WHERE rq.text_format <> 'plain' ORDER BY q.slug"
            )
        )
        .scalars()
    )
    if slugs := list(rich):
        raise CommandError(
            "Quizzes with questions in Markdown or HTML must be changed before this"
            f" downgrade: {', '.join(slugs)}"
        )
    with op.batch_alter_table("revision_questions", schema=None) as batch_op:
        batch_op.drop_constraint("ck_revision_questions_text_format", type_="check")
        batch_op.drop_column("text_format")
