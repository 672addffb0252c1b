"""search ignores accents

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 21:51:10.591733

`quizzes.search_text` was case-folded only; from here it is folded as
`web.models.quiz.searchable` does (NFKD, combining marks dropped, case-folded), so "cafe"
finds "Café". No column changes: this refills the column for the rows that exist, and a
downgrade refills it as 0002's code wrote it. Nothing else is read or written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

quizzes = sa.table(
    "quizzes",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("category", sa.String()),
    sa.column("description", sa.Text()),
    sa.column("search_text", sa.Text()),
)


# Frozen copies: a migration must keep doing what it did when the model's rule changes.
def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def fold_case(text: str) -> str:
    return text.casefold()


def refill(fold: Callable[[str], str]) -> None:
    """One UPDATE per quiz, sent as one batch; quizzes are hundreds, not millions."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(quizzes.c.id, quizzes.c.title, quizzes.c.category, quizzes.c.description)
    ).all()
    values = [
        {"quiz_id": quiz_id, "folded": fold(" ".join((title, category, description)))}
        for quiz_id, title, category, description in rows
    ]
    if values:
        bind.execute(
            quizzes.update()
            .where(quizzes.c.id == sa.bindparam("quiz_id"))
            .values(search_text=sa.bindparam("folded")),
            values,
        )


def upgrade() -> None:
    refill(fold_accents)


def downgrade() -> None:
    refill(fold_case)
