"""question engine: quiz revisions, questions as identities, bodies as JSON, points

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 06:12:05.097599

Upgrade: every quiz gets revision 1, published (at its `updated_at`), holding the settings the
quiz had (time limit, feedback mode, shuffles); `quizzes.current_revision_id` points at it.
Each question keeps its id as its identity (so answers still refer to it) and its text,
explanation and position move to `revision_questions` as a single-choice question worth one
point, whose `body` lists the old choices in order, with their ids, weighing 100 if right and
0 if not (what web/kinds/single_choice.py reads). `choices` goes. Attempts pin their quiz's
revision, and score in points: awarded = correct_count, answered = answered_count, possible =
question_count. Answers store `{"choice": id}` (`{}` when none was given) and 1 or 0 points.
On SQLite `questions` and `attempts` become AUTOINCREMENT, their sequences above every id.

Downgrade keeps only the current revision's content (or the latest revision's, for a quiz
with none current): choices, question texts and quiz settings come back from it, questions
it does not ask are deleted with their answers, and other revisions are lost. An answer gets
back the choice its response names when that choice is among the rebuilt ones, and counts as
correct when it earned the question's full points. It refuses, before changing anything,
with one line naming the quizzes, when any revision holds a question the old schema cannot
express: a kind other than single choice, or choices weighing other than 0 or 100.

Runs on a connection without SQLite's foreign keys (as migrations/env.py opens it): batch
mode copies and drops tables, which would cascade deletes with them on.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op
from alembic.util import CommandError

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
SINGLE_CHOICE = "single_choice"
FULL = 100.0

# Frozen shapes of the tables as this migration reads and writes them (never the app's models).
choices = sa.table(
    "choices",
    sa.column("id", sa.Integer()),
    sa.column("question_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("text", sa.String()),
    sa.column("is_correct", sa.Boolean()),
)
questions = sa.table(
    "questions",
    sa.column("id", sa.Integer()),
    sa.column("quiz_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("text", sa.Text()),
    sa.column("explanation", sa.Text()),
)
quizzes = sa.table(
    "quizzes",
    sa.column("id", sa.Integer()),
    sa.column("slug", sa.String()),
    sa.column("current_revision_id", sa.Integer()),
)
quiz_revisions = sa.table(
    "quiz_revisions",
    sa.column("id", sa.Integer()),
    sa.column("quiz_id", sa.Integer()),
)
revision_questions = sa.table(
    "revision_questions",
    sa.column("id", sa.Integer()),
    sa.column("revision_id", sa.Integer()),
    sa.column("question_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("text", sa.Text()),
    sa.column("explanation", sa.Text()),
    sa.column("points", sa.Float()),
    sa.column("body", sa.JSON()),
)
user_answers = sa.table(
    "user_answers",
    sa.column("id", sa.Integer()),
    sa.column("question_id", sa.Integer()),
    sa.column("choice_id", sa.Integer()),
    sa.column("response", sa.JSON()),
)


def is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def execute(statement: str) -> None:
    op.get_bind().execute(sa.text(statement))


def refuse_sqlite_foreign_keys() -> None:
    """Batch mode drops the old copy of a table: with foreign keys on, SQLite would cascade
    that drop into every table referring to it (attempts, answers) and lose them."""
    if is_sqlite() and op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise CommandError("Run this migration with SQLite's foreign keys off (PRAGMA).")


def recreate() -> dict[str, Any]:
    """SQLite: copy the table so AUTOINCREMENT changes; elsewhere ALTER as usual."""
    return {"recreate": "always"} if is_sqlite() else {}


def keep_sequences_above_ids(*tables: str) -> None:
    """SQLite AUTOINCREMENT hands out max(sqlite_sequence.seq, max(id)) + 1; make sure the
    recorded sequence is at least every id copied in, so no id is ever handed out again."""
    if not is_sqlite():
        return
    bind = op.get_bind()
    for table in tables:
        top = bind.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar()  # noqa: S608 - our own table names
        if top is None:
            continue
        seq = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table}
        ).first()
        if seq is None:
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                {"name": table, "seq": top},
            )
        elif seq[0] < top:
            bind.execute(
                sa.text("UPDATE sqlite_sequence SET seq = :seq WHERE name = :name"),
                {"name": table, "seq": top},
            )


def batches(statement: sa.Select[Any], key: sa.ColumnElement[int]) -> Iterator[list[Any]]:
    """Rows of `statement` in pages of BATCH, ordered by (and paged on) the integer `key`."""
    bind = op.get_bind()
    last = None
    while True:
        page = statement.order_by(key).limit(BATCH)
        if last is not None:
            page = page.where(key > last)
        rows = bind.execute(page).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


# Upgrade


def upgrade() -> None:
    refuse_sqlite_foreign_keys()
    create_revision_tables()
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_revision_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("points_awarded", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("points_answered", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("points_possible", sa.Float(), nullable=True))
    with op.batch_alter_table("user_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("points", sa.Float(), nullable=True))

    move_content_into_revisions()
    finish_upgraded_tables()


def create_revision_tables() -> None:
    op.create_table(
        "quiz_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=True),
        sa.Column("feedback_mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("shuffle_questions", sa.Boolean(), nullable=False),
        sa.Column("shuffle_choices", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "feedback_mode IN ('immediate', 'exam')", name="ck_quiz_revisions_feedback_mode"
        ),
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_quiz_revisions_status"),
        sa.CheckConstraint("number >= 1", name="ck_quiz_revisions_number"),
        sa.CheckConstraint(
            "time_limit_seconds IS NULL OR time_limit_seconds > 0",
            name="ck_quiz_revisions_time_limit",
        ),
        sa.ForeignKeyConstraint(["quiz_id"], ["quizzes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quiz_id", "number", name="uq_quiz_revisions_quiz_number"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("quiz_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_revisions_quiz_id"), ["quiz_id"], unique=False)
        batch_op.create_index(
            "uq_quiz_revisions_one_draft",
            ["quiz_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )

    op.create_table(
        "revision_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.CheckConstraint("points > 0", name="ck_revision_questions_points"),
        sa.CheckConstraint("position >= 1", name="ck_revision_questions_position"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["revision_id"], ["quiz_revisions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("revision_id", "position", name="uq_revision_questions_position"),
        sa.UniqueConstraint("revision_id", "question_id", name="uq_revision_questions_question"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("revision_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revision_questions_question_id"), ["question_id"], unique=False
        )


def move_content_into_revisions() -> None:
    execute(
        "INSERT INTO quiz_revisions (quiz_id, number, status, time_limit_seconds, feedback_mode,"
        " shuffle_questions, shuffle_choices, created_at, published_at)"
        " SELECT id, 1, 'published', time_limit_seconds, feedback_mode, shuffle_questions,"
        " shuffle_choices, created_at, COALESCE(updated_at, created_at) FROM quizzes ORDER BY id"
    )
    execute(
        "UPDATE quizzes SET current_revision_id ="
        " (SELECT r.id FROM quiz_revisions r WHERE r.quiz_id = quizzes.id AND r.number = 1)"
    )
    execute(
        "UPDATE questions SET created_at ="
        " (SELECT z.created_at FROM quizzes z WHERE z.id = questions.quiz_id)"
    )
    copy_questions_with_bodies()
    execute(
        "UPDATE attempts SET"
        " revision_id = (SELECT z.current_revision_id FROM quizzes z WHERE z.id = attempts.quiz_id),"
        " points_awarded = correct_count, points_answered = answered_count,"
        " points_possible = question_count"
    )
    response = "CASE WHEN choice_id IS NULL THEN '{}' ELSE '{\"choice\": ' || choice_id || '}' END"
    if not is_sqlite():
        response = f"CAST({response} AS JSON)"
    execute(
        f"UPDATE user_answers SET response = {response},"  # noqa: S608 - no outside input
        " points = CASE WHEN is_correct THEN 1.0 ELSE 0.0 END"
    )


def copy_questions_with_bodies() -> None:
    """Each question into its quiz's revision 1, its choices (in order) as the body."""
    bind = op.get_bind()
    statement = sa.select(
        questions.c.id,
        quiz_revisions.c.id,
        questions.c.position,
        questions.c.text,
        questions.c.explanation,
    ).join(quiz_revisions, quiz_revisions.c.quiz_id == questions.c.quiz_id)
    for rows in batches(statement, questions.c.id):
        bodies: dict[int, list[dict[str, Any]]] = {question_id: [] for question_id, *_ in rows}
        options = bind.execute(
            sa.select(choices.c.question_id, choices.c.id, choices.c.text, choices.c.is_correct)
            .where(choices.c.question_id.in_(list(bodies)))
            .order_by(choices.c.question_id, choices.c.position)
        )
        for question_id, choice_id, text, is_correct in options:
            bodies[question_id].append(
                {
                    "id": choice_id,
                    "text": text,
                    "weight": FULL if is_correct else 0.0,
                    "feedback": "",
                }
            )
        bind.execute(
            revision_questions.insert(),
            [
                {
                    "revision_id": revision_id,
                    "question_id": question_id,
                    "position": position,
                    "kind": SINGLE_CHOICE,
                    "text": text,
                    "explanation": explanation,
                    "points": 1.0,
                    "body": {"choices": bodies[question_id]},
                }
                for question_id, revision_id, position, text, explanation in rows
            ],
        )


def finish_upgraded_tables() -> None:
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_quizzes_current_revision",
            "quiz_revisions",
            ["current_revision_id"],
            ["id"],
            use_alter=True,
        )
        batch_op.drop_constraint("ck_quizzes_feedback_mode", type_="check")
        batch_op.drop_constraint("ck_quizzes_time_limit", type_="check")
        batch_op.drop_column("shuffle_questions")
        batch_op.drop_column("feedback_mode")
        batch_op.drop_column("time_limit_seconds")
        batch_op.drop_column("shuffle_choices")

    with op.batch_alter_table(
        "questions", schema=None, table_kwargs={"sqlite_autoincrement": True}, **recreate()
    ) as batch_op:
        batch_op.alter_column(
            "created_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False
        )
        batch_op.drop_constraint("uq_questions_quiz_position", type_="unique")
        batch_op.drop_constraint("ck_questions_position", type_="check")
        batch_op.create_index(batch_op.f("ix_questions_quiz_id"), ["quiz_id"], unique=False)
        batch_op.drop_column("explanation")
        batch_op.drop_column("text")
        batch_op.drop_column("position")

    with op.batch_alter_table(
        "attempts", schema=None, table_kwargs={"sqlite_autoincrement": True}, **recreate()
    ) as batch_op:
        batch_op.alter_column("revision_id", existing_type=sa.Integer(), nullable=False)
        for column in ("points_awarded", "points_answered", "points_possible"):
            batch_op.alter_column(column, existing_type=sa.Float(), nullable=False)
        batch_op.create_foreign_key(
            "attempts_revision_id_fkey", "quiz_revisions", ["revision_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_attempts_revision_id"), ["revision_id"], unique=False)
        batch_op.drop_constraint("ck_attempts_correct_le_answered", type_="check")
        batch_op.drop_constraint("ck_attempts_correct_count", type_="check")
        batch_op.create_check_constraint("ck_attempts_points_awarded", "points_awarded >= 0")
        batch_op.create_check_constraint("ck_attempts_points_answered", "points_answered >= 0")
        batch_op.drop_column("correct_count")

    with op.batch_alter_table("user_answers", schema=None) as batch_op:
        batch_op.alter_column("response", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("points", existing_type=sa.Float(), nullable=False)
        batch_op.create_check_constraint("ck_user_answers_points", "points >= 0")
        # Its foreign key to choices goes with the column (PostgreSQL; batch on SQLite).
        batch_op.drop_column("choice_id")
        batch_op.drop_column("is_correct")

    op.drop_table("choices")
    keep_sequences_above_ids("questions", "attempts")


# Downgrade


def refuse_content_the_old_schema_cannot_hold() -> None:
    """Stop before any change if a question is no plain single choice (right or wrong)."""
    rows = op.get_bind().execute(
        sa.select(quizzes.c.slug, revision_questions.c.kind, revision_questions.c.body)
        .select_from(revision_questions)
        .join(quiz_revisions, quiz_revisions.c.id == revision_questions.c.revision_id)
        .join(quizzes, quizzes.c.id == quiz_revisions.c.quiz_id)
        .order_by(quizzes.c.id)
    )
    named: list[str] = []
    for slug, kind, body in rows:
        if slug not in named and not (kind == SINGLE_CHOICE and right_or_wrong(body)):
            named.append(slug)
    if named:
        raise CommandError(
            "Quizzes with questions other than single choice, or with choices weighing other"
            f" than 0 or 100, must be changed before this downgrade: {', '.join(named)}"
        )


def right_or_wrong(body: Any) -> bool:
    options = body.get("choices") if isinstance(body, dict) else None
    return isinstance(options, list) and all(
        isinstance(option, dict)
        and isinstance(option.get("id"), int)
        and option.get("weight", 0.0) in (0, FULL)
        for option in options
    )


def downgrade() -> None:
    refuse_sqlite_foreign_keys()
    refuse_content_the_old_schema_cannot_hold()
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_limit_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "feedback_mode",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="immediate",
            )
        )
        batch_op.add_column(
            sa.Column("shuffle_questions", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("shuffle_choices", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))
    op.create_table(
        "choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.CheckConstraint("position >= 1", name="ck_choices_position"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id", "position", name="uq_choices_question_position"),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("correct_count", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("user_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_correct", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    move_current_revisions_back()
    finish_downgraded_tables()


def move_current_revisions_back() -> None:
    # The revision kept: the current one, else the latest (a quiz with only a draft).
    execute(
        "UPDATE quizzes SET current_revision_id = (SELECT r.id FROM quiz_revisions r"
        " WHERE r.quiz_id = quizzes.id ORDER BY r.number DESC LIMIT 1)"
        " WHERE current_revision_id IS NULL"
    )
    kept = "(SELECT r.{0} FROM quiz_revisions r WHERE r.id = quizzes.current_revision_id)"
    settings = ("time_limit_seconds", "feedback_mode", "shuffle_questions", "shuffle_choices")
    assignments = ", ".join(f"{name} = {kept.format(name)}" for name in settings)
    execute(f"UPDATE quizzes SET {assignments} WHERE current_revision_id IS NOT NULL")  # noqa: S608 - constant
    # Questions the kept revision does not ask have nowhere to live in the old schema.
    asked = (
        "SELECT rq.question_id FROM revision_questions rq"
        " JOIN quizzes z ON z.current_revision_id = rq.revision_id"
    )
    execute(f"DELETE FROM user_answers WHERE question_id NOT IN ({asked})")  # noqa: S608 - constant
    execute(f"DELETE FROM questions WHERE id NOT IN ({asked})")  # noqa: S608 - constant
    version = (
        "(SELECT rq.{0} FROM revision_questions rq JOIN quizzes z"
        " ON z.current_revision_id = rq.revision_id"
        " WHERE z.id = questions.quiz_id AND rq.question_id = questions.id)"
    )
    assignments = ", ".join(
        f"{name} = {version.format(name)}" for name in ("position", "text", "explanation")
    )
    execute(f"UPDATE questions SET {assignments}")  # noqa: S608 - constant
    choice_ids = rebuild_choices()
    restore_answer_choices(choice_ids)
    # Full marks on the question as the attempt's own revision asked it.
    execute(
        "UPDATE user_answers SET is_correct = EXISTS (SELECT 1 FROM attempts a"
        " JOIN revision_questions rq ON rq.revision_id = a.revision_id"
        " WHERE a.id = user_answers.attempt_id AND rq.question_id = user_answers.question_id"
        " AND user_answers.points >= rq.points)"
    )
    correct = (
        "SELECT count(*) FROM user_answers ua WHERE ua.attempt_id = attempts.id AND ua.is_correct"
    )
    execute(
        f"UPDATE attempts SET correct_count = CASE WHEN ({correct}) > answered_count"  # noqa: S608 - constant
        f" THEN answered_count ELSE ({correct}) END"
    )


def rebuild_choices() -> dict[tuple[int, int], int]:
    """Choices from the kept revisions' bodies, keeping each body's choice id as the row's id
    unless another question took it first (bodies number their choices per question).
    Returns (question id, body choice id) -> choices.id."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(revision_questions.c.question_id, revision_questions.c.body)
        .select_from(revision_questions)
        .join(quizzes, quizzes.c.current_revision_id == revision_questions.c.revision_id)
        .order_by(quizzes.c.id, revision_questions.c.position)
    ).all()
    taken: set[int] = set()
    wanted: list[tuple[int, int, int, dict[str, Any], bool]] = []
    for question_id, body in rows:
        for position, option in enumerate(body["choices"], start=1):
            free = option["id"] not in taken
            if free:
                taken.add(option["id"])
            wanted.append((question_id, position, option["id"], option, free))
    next_id = max(taken, default=0)
    ids: dict[tuple[int, int], int] = {}
    values = []
    for question_id, position, body_id, option, free in wanted:
        if free:
            choice_id = body_id
        else:
            next_id += 1
            choice_id = next_id
        ids[(question_id, body_id)] = choice_id
        values.append(
            {
                "id": choice_id,
                "question_id": question_id,
                "position": position,
                "text": option["text"],
                "is_correct": option.get("weight", 0.0) >= FULL,
            }
        )
    for start in range(0, len(values), BATCH):
        bind.execute(choices.insert(), values[start : start + BATCH])
    if values and not is_sqlite():
        execute(
            "SELECT setval(pg_get_serial_sequence('choices', 'id'), (SELECT max(id) FROM choices))"
        )
    return ids


def restore_answer_choices(choice_ids: dict[tuple[int, int], int]) -> None:
    bind = op.get_bind()
    statement = sa.select(user_answers.c.id, user_answers.c.question_id, user_answers.c.response)
    for rows in batches(statement, user_answers.c.id):
        values = []
        for answer_id, question_id, response in rows:
            chosen = response.get("choice") if isinstance(response, dict) else None
            choice_id = choice_ids.get((question_id, chosen)) if isinstance(chosen, int) else None
            if choice_id is not None:
                values.append({"answer_id": answer_id, "choice": choice_id})
        if values:
            bind.execute(
                user_answers.update()
                .where(user_answers.c.id == sa.bindparam("answer_id"))
                .values(choice_id=sa.bindparam("choice")),
                values,
            )


def finish_downgraded_tables() -> None:
    with op.batch_alter_table("user_answers", schema=None) as batch_op:
        batch_op.alter_column("is_correct", existing_type=sa.Boolean(), server_default=None)
        batch_op.create_foreign_key(
            "user_answers_choice_id_fkey", "choices", ["choice_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_constraint("ck_user_answers_points", type_="check")
        batch_op.drop_column("points")
        batch_op.drop_column("response")

    with op.batch_alter_table(
        "attempts", schema=None, table_kwargs={"sqlite_autoincrement": False}, **recreate()
    ) as batch_op:
        batch_op.alter_column("correct_count", existing_type=sa.Integer(), server_default=None)
        batch_op.drop_constraint("ck_attempts_points_awarded", type_="check")
        batch_op.drop_constraint("ck_attempts_points_answered", type_="check")
        batch_op.create_check_constraint("ck_attempts_correct_count", "correct_count >= 0")
        batch_op.create_check_constraint(
            "ck_attempts_correct_le_answered", "correct_count <= answered_count"
        )
        batch_op.drop_constraint("attempts_revision_id_fkey", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attempts_revision_id"))
        batch_op.drop_column("points_possible")
        batch_op.drop_column("points_answered")
        batch_op.drop_column("points_awarded")
        batch_op.drop_column("revision_id")

    with op.batch_alter_table(
        "questions", schema=None, table_kwargs={"sqlite_autoincrement": False}, **recreate()
    ) as batch_op:
        batch_op.alter_column("position", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("explanation", existing_type=sa.Text(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_questions_quiz_id"))
        batch_op.create_unique_constraint("uq_questions_quiz_position", ["quiz_id", "position"])
        batch_op.create_check_constraint("ck_questions_position", "position >= 1")
        batch_op.drop_column("created_at")

    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.alter_column(
            "feedback_mode",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
            server_default=None,
        )
        batch_op.alter_column("shuffle_questions", existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column("shuffle_choices", existing_type=sa.Boolean(), server_default=None)
        batch_op.create_check_constraint(
            "ck_quizzes_feedback_mode", "feedback_mode IN ('immediate', 'exam')"
        )
        batch_op.create_check_constraint(
            "ck_quizzes_time_limit", "time_limit_seconds IS NULL OR time_limit_seconds > 0"
        )
        batch_op.drop_constraint("fk_quizzes_current_revision", type_="foreignkey")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("current_revision_id")

    with op.batch_alter_table("revision_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_questions_question_id"))
    op.drop_table("revision_questions")
    with op.batch_alter_table("quiz_revisions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_quiz_revisions_one_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_quiz_revisions_quiz_id"))
    op.drop_table("quiz_revisions")
