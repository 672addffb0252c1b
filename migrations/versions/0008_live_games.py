"""Live games: games and their players; an attempt may belong to a game, and a guest's has
no user.

Attempts keep every row: on SQLite the table is copied (batch mode) with AUTOINCREMENT and
its sequence kept, so no attempt id is ever handed out again. The one-open-attempt rule
leaves games' attempts out. The downgrade refuses, before changing anything, while any game
exists: its attempts (guests' among them) have nowhere to go in the old shape.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op
from alembic.util import CommandError

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_BEFORE = "finished_at IS NULL"
OPEN_NOW = "finished_at IS NULL AND game_id IS NULL"


def is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def refuse_sqlite_foreign_keys() -> None:
    """Batch mode drops the old copy of attempts: with foreign keys on, SQLite would cascade
    that drop into the answers and lose them."""
    if is_sqlite() and op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise CommandError("Run this migration with SQLite's foreign keys off (PRAGMA).")


def copy_options() -> dict[str, Any]:
    """SQLite: copy the table, keeping AUTOINCREMENT; elsewhere ALTER as usual."""
    if is_sqlite():
        return {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}}
    return {}


def attempts_sequence() -> int | None:
    if not is_sqlite():
        return None
    return (
        op.get_bind()
        .execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'attempts'"))
        .scalar()
    )


def restore_attempts_sequence(before: int | None) -> None:
    """The copy starts its sequence at max(id); ids handed out once (the newest attempts of
    a since-emptied table) stay used."""
    if before is None:
        return
    bind = op.get_bind()
    now = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'attempts'")).scalar()
    if now is None:
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('attempts', :s)"),
            {"s": before},
        )
    elif now < before:
        bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = :s WHERE name = 'attempts'"), {"s": before}
        )


def open_attempt_index(batch_op: Any, where: str) -> None:
    batch_op.create_index(
        "uq_attempts_open",
        ["user_id", "quiz_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    refuse_sqlite_foreign_keys()
    op.create_table(
        "games",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("seconds_per_question", sa.Integer(), nullable=True),
        sa.Column("speed_bonus", sa.Boolean(), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("question_index", sa.Integer(), nullable=False),
        sa.Column("question_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("deadline_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("paused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("seconds_left_at_pause", sa.Float(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("question_index >= 0", name="ck_games_question_index"),
        sa.CheckConstraint(
            "seconds_per_question IS NULL OR seconds_per_question > 0",
            name="ck_games_seconds_per_question",
        ),
        sa.ForeignKeyConstraint(["host_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["quiz_id"], ["quizzes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["revision_id"], ["quiz_revisions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_games_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_games_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_games_quiz_id"), ["quiz_id"], unique=False)
        batch_op.create_index(
            "uq_games_live_code",
            ["code"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    sequence = attempts_sequence()
    with op.batch_alter_table("attempts", schema=None, **copy_options()) as batch_op:
        batch_op.add_column(sa.Column("game_id", sa.Integer(), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_attempts_game_id"), ["game_id"], unique=False)
        batch_op.create_foreign_key(
            "attempts_game_id_fkey", "games", ["game_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_index("uq_attempts_open")
        open_attempt_index(batch_op, OPEN_NOW)
    restore_attempts_sequence(sequence)

    op.create_table(
        "game_players",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("nickname", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("nickname_key", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("seat_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("bonus", sa.Float(), nullable=False),
        sa.Column("correct_count", sa.Integer(), nullable=False),
        sa.Column("answered_index", sa.Integer(), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("points >= 0", name="ck_game_players_points"),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("game_id", "nickname_key", name="uq_game_players_nickname"),
        sa.UniqueConstraint("seat_hash"),
    )
    with op.batch_alter_table("game_players", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_game_players_game_id"), ["game_id"], unique=False)


def downgrade() -> None:
    refuse_sqlite_foreign_keys()
    games = op.get_bind().execute(sa.text("SELECT count(*) FROM games")).scalar()
    if games:
        raise CommandError(
            f"Cannot downgrade: {games} live game(s) exist, and their attempts (guests' too) "
            "have no place in the old schema."
        )
    op.drop_table("game_players")
    sequence = attempts_sequence()
    with op.batch_alter_table("attempts", schema=None, **copy_options()) as batch_op:
        batch_op.drop_index("uq_attempts_open")
        open_attempt_index(batch_op, OPEN_BEFORE)
        batch_op.drop_constraint("attempts_game_id_fkey", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attempts_game_id"))
        batch_op.alter_column("user_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("game_id")
    restore_attempts_sequence(sequence)
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_games_live_code",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_games_quiz_id"))
        batch_op.drop_index(batch_op.f("ix_games_host_id"))
        batch_op.drop_index(batch_op.f("ix_games_code"))
    op.drop_table("games")
