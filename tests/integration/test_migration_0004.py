"""Migration 0004 on databases that hold data: quizzes into revisions, choices into bodies,
correct counts into points, and back again, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.util import CommandError
from sqlalchemy import bindparam
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.sql.sqltypes import UTCDateTime

from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from web.kinds.single_choice import Body

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
UPDATED = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
STARTED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

# (id, slug, time_limit_seconds, feedback_mode, shuffle_questions, shuffle_choices)
QUIZZES = [
    (1, "basics", None, "immediate", False, False),
    (2, "final-exam", 600, "exam", True, True),
]
# (id, quiz_id, position, text, explanation): ids out of position order, as edits leave them.
QUESTIONS = [
    (10, 1, 2, "Two plus two?", "Count them."),
    (11, 1, 1, "Capital of France?", ""),
    (12, 1, 3, "Largest planet?", "By far."),
    (20, 2, 1, "H2O is?", "Water."),
    (21, 2, 2, "Speed of light?", ""),
]
# (id, question_id, position, text, is_correct)
CHOICES = [
    (101, 10, 2, "4", True),
    (100, 10, 1, "3", False),
    (102, 10, 3, "5", False),
    (110, 11, 1, "Paris", True),
    (111, 11, 2, "Lyon", False),
    (120, 12, 1, "Mars", False),
    (121, 12, 2, "Jupiter", True),
    (200, 20, 1, "Water", True),
    (201, 20, 2, "Salt", False),
    (211, 21, 1, "Slow", False),
    (210, 21, 2, "Fast", True),
]
# (id, user_id, quiz_id, question_count, answered_count, correct_count, finished)
ATTEMPTS = [
    (1, 2, 1, 3, 3, 2, True),
    (2, 3, 1, 3, 2, 0, True),
    (4, 2, 2, 2, 1, 1, False),  # open, part-way through
    (7, 3, 2, 2, 2, 1, True),
]
# (id, attempt_id, question_id, choice_id, is_correct): choice NULL is a choice since deleted.
ANSWERS = [
    (1, 1, 11, 110, True),
    (2, 1, 10, 100, False),
    (3, 1, 12, 121, True),
    (4, 2, 10, 102, False),
    (5, 2, 11, None, False),
    (6, 4, 20, 200, True),
    (8, 7, 20, 201, False),
    (9, 7, 21, 210, True),
]


async def _run(url: str, statements: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Statements in one transaction; datetimes bound as the models bind them (UTCDateTime)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = None
            for statement, values in statements:
                clause = text(statement).bindparams(
                    *(
                        bindparam(name, type_=UTCDateTime())
                        for name, value in values.items()
                        if isinstance(value, datetime)
                    )
                )
                result = await connection.execute(clause, values)
            return list(result.all()) if result is not None and result.returns_rows else []
    finally:
        await engine.dispose()


def run(url: str, *statements: str | tuple[str, dict[str, Any]]) -> list[Any]:
    pairs = [(s, {}) if isinstance(s, str) else s for s in statements]
    return asyncio.run(_run(url, pairs))


def revision(url: str) -> str:
    [(version,)] = run(url, "SELECT version_num FROM alembic_version")
    return version


def json_value(value: Any) -> Any:
    """A JSON column read with plain SQL: text on SQLite, text or parsed on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def add_content(url: str) -> None:
    """People, two quizzes (one timed, exam, shuffled), choices, and attempts as 0003 kept them."""
    statements: list[str | tuple[str, dict[str, Any]]] = []
    for user_id, name in [(1, "author"), (2, "ada"), (3, "bob")]:
        statements.append(
            (
                "INSERT INTO users (id, username, email, password_hash, is_admin, is_active,"
                " email_verified_at, created_at, last_login_at) VALUES (:id, :name, :email,"
                " 'hash', false, true, :at, :at, NULL)",
                {"id": user_id, "name": name, "email": f"{name}@example.com", "at": CREATED},
            )
        )
    for quiz_id, slug, limit, mode, shuffle_questions, shuffle_choices in QUIZZES:
        statements.append(
            (
                "INSERT INTO quizzes (id, slug, title, description, category, difficulty,"
                " time_limit_seconds, feedback_mode, shuffle_questions, shuffle_choices,"
                " is_published, search_text, created_by_id, created_at, updated_at)"
                " VALUES (:id, :slug, :title, 'About it.', 'General', 'easy', :limit, :mode,"
                " :sq, :sc, true, :search, 1, :created, :updated)",
                {
                    "id": quiz_id,
                    "slug": slug,
                    "title": slug.title(),
                    "search": slug,
                    "limit": limit,
                    "mode": mode,
                    "sq": shuffle_questions,
                    "sc": shuffle_choices,
                    "created": CREATED,
                    "updated": UPDATED,
                },
            )
        )
    for question_id, quiz_id, position, wording, explanation in QUESTIONS:
        statements.append(
            (
                "INSERT INTO questions (id, quiz_id, position, text, explanation)"
                " VALUES (:id, :quiz, :position, :text, :explanation)",
                {
                    "id": question_id,
                    "quiz": quiz_id,
                    "position": position,
                    "text": wording,
                    "explanation": explanation,
                },
            )
        )
    for choice_id, question_id, position, wording, is_correct in CHOICES:
        statements.append(
            (
                "INSERT INTO choices (id, question_id, position, text, is_correct)"
                " VALUES (:id, :question, :position, :text, :correct)",
                {
                    "id": choice_id,
                    "question": question_id,
                    "position": position,
                    "text": wording,
                    "correct": is_correct,
                },
            )
        )
    for attempt_id, user_id, quiz_id, total, answered, correct, finished in ATTEMPTS:
        statements.append(
            (
                "INSERT INTO attempts (id, user_id, quiz_id, question_count, answered_count,"
                " correct_count, shuffle_seed, started_at, deadline_at, finished_at,"
                " duration_seconds) VALUES (:id, :user, :quiz, :total, :answered, :correct,"
                " :seed, :started, NULL, :finished, :duration)",
                {
                    "id": attempt_id,
                    "user": user_id,
                    "quiz": quiz_id,
                    "total": total,
                    "answered": answered,
                    "correct": correct,
                    "seed": 1000 + attempt_id,
                    "started": STARTED,
                    "finished": STARTED if finished else None,
                    "duration": 30 if finished else None,
                },
            )
        )
    for answer_id, attempt_id, question_id, choice_id, is_correct in ANSWERS:
        statements.append(
            (
                "INSERT INTO user_answers (id, attempt_id, question_id, choice_id, is_correct,"
                " answered_at) VALUES (:id, :attempt, :question, :choice, :correct, :at)",
                {
                    "id": answer_id,
                    "attempt": attempt_id,
                    "question": question_id,
                    "choice": choice_id,
                    "correct": is_correct,
                    "at": STARTED,
                },
            )
        )
    if url.startswith("postgresql"):  # rows the app makes move the sequences; these are typed
        for table in ("users", "quizzes", "questions", "choices", "attempts", "user_answers"):
            top = f"SELECT max(id) FROM {table}"  # noqa: S608 - our own table names
            statements.append(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({top}))")
    run(url, *statements)


OLD_COLUMNS = {
    "quizzes": "id, slug, title, description, category, difficulty, time_limit_seconds,"
    " feedback_mode, shuffle_questions, shuffle_choices, is_published, search_text,"
    " created_by_id, created_at, updated_at",
    "questions": "id, quiz_id, position, text, explanation",
    "choices": "id, question_id, position, text, is_correct",
    "attempts": "id, user_id, quiz_id, question_count, answered_count, correct_count,"
    " shuffle_seed, started_at, deadline_at, finished_at, duration_seconds",
    "user_answers": "id, attempt_id, question_id, choice_id, is_correct, answered_at",
    "users": "id, username, email, password_hash, created_at",
}
NEW_COLUMNS = {
    "quizzes": "id, slug, title, current_revision_id, archived_at, created_at, updated_at",
    "quiz_revisions": "id, quiz_id, number, status, time_limit_seconds, feedback_mode,"
    " shuffle_questions, shuffle_choices, created_at, published_at",
    "questions": "id, quiz_id, created_at",
    "revision_questions": "id, revision_id, question_id, position, kind, text, explanation,"
    " points, body",
    "attempts": "id, user_id, quiz_id, revision_id, question_count, answered_count,"
    " points_awarded, points_answered, points_possible, shuffle_seed, started_at,"
    " deadline_at, finished_at, duration_seconds",
    "user_answers": "id, attempt_id, question_id, response, points, answered_at",
    "users": "id, username, email, password_hash, created_at",
}


def snapshot(url: str, columns: dict[str, str]) -> dict[str, list[Any]]:
    return {
        table: [
            tuple(
                json_value(value) if name in {"body", "response"} else value
                for name, value in zip(names.replace(" ", "").split(","), row, strict=True)
            )
            for row in run(url, f"SELECT {names} FROM {table} ORDER BY id")  # noqa: S608 - ours
        ]
        for table, names in columns.items()
    }


@pytest.fixture(params=backends())
def at_0003(request: pytest.FixtureRequest, tmp_path: Path):
    url = create_scratch_database(request.param, tmp_path)
    migrate(url, "0003")
    add_content(url)
    yield url
    drop_scratch_database(url)


def test_upgrade_moves_every_quiz_question_attempt_and_answer(at_0003: str) -> None:
    url = at_0003
    before = snapshot(url, OLD_COLUMNS)
    migrate(url, "0004")
    assert revision(url) == "0004"
    after = snapshot(url, NEW_COLUMNS)
    assert after["users"] == before["users"]

    # One published revision per quiz, holding the quiz's settings; the quiz points at it.
    old_quizzes = {row[0]: row for row in before["quizzes"]}
    revisions = {row[1]: row for row in after["quiz_revisions"]}
    assert sorted(revisions) == [1, 2]
    for quiz_id, slug, limit, mode, shuffle_questions, shuffle_choices in QUIZZES:
        (rev_id, _, number, status, *settings, created_at, published_at) = revisions[quiz_id]
        assert (number, status) == (1, "published")
        assert settings[0] == limit
        assert settings[1] == mode
        assert [bool(flag) for flag in settings[2:]] == [shuffle_questions, shuffle_choices]
        assert created_at == old_quizzes[quiz_id][13]
        assert published_at == old_quizzes[quiz_id][14]  # updated_at
        quiz = next(row for row in after["quizzes"] if row[0] == quiz_id)
        assert quiz[1] == slug
        assert quiz[3] == rev_id
        assert quiz[4] is None  # archived_at

    # Questions keep their ids; what they ask moved into the revision, choices into the body.
    assert [row[:2] for row in after["questions"]] == [row[:2] for row in before["questions"]]
    assert all(row[2] == old_quizzes[row[1]][13] for row in after["questions"])
    asked = {row[2]: row for row in after["revision_questions"]}
    assert sorted(asked) == [question_id for question_id, *_ in QUESTIONS]
    for question_id, quiz_id, position, wording, explanation in QUESTIONS:
        _, rev_id, _, rq_position, kind, rq_text, rq_explanation, points, body = asked[question_id]
        assert rev_id == revisions[quiz_id][0]
        assert (rq_position, kind, rq_text, rq_explanation, points) == (
            position,
            "single_choice",
            wording,
            explanation,
            1.0,
        )
        expected = [
            {"id": choice_id, "text": text_, "weight": 100.0 if right else 0.0, "feedback": ""}
            for choice_id, q, _, text_, right in sorted(CHOICES, key=lambda c: (c[1], c[2]))
            if q == question_id
        ]
        assert body == {"choices": expected}
        assert Body.model_validate(body).model_dump(mode="json") == body

    # Attempts pin their quiz's revision and score in points what they counted before.
    old_attempts = {row[0]: row for row in before["attempts"]}
    assert [row[0] for row in after["attempts"]] == [row[0] for row in ATTEMPTS]
    for row in after["attempts"]:
        attempt_id, user_id, quiz_id, rev_id, total, answered, awarded, on_answered, possible = row[
            :9
        ]
        old = old_attempts[attempt_id]
        assert (user_id, quiz_id, total, answered) == old[1:5]
        assert rev_id == revisions[quiz_id][0]
        assert (awarded, on_answered, possible) == (old[5], old[4], old[3])
        assert row[9:] == old[6:]  # seed, started, deadline, finished, duration
    assert [row[0] for row in after["attempts"] if row[12] is None] == [4]  # still open

    # Answers: the choice as the response, the points it earned.
    old_answers = {row[0]: row for row in before["user_answers"]}
    assert sorted(old_answers) == [row[0] for row in after["user_answers"]]
    for answer_id, attempt_id, question_id, response, points, answered_at in after["user_answers"]:
        _, old_attempt, old_question, choice_id, is_correct, old_at = old_answers[answer_id]
        assert (attempt_id, question_id, answered_at) == (old_attempt, old_question, old_at)
        assert response == ({} if choice_id is None else {"choice": choice_id})
        assert points == (1.0 if is_correct else 0.0)
    # Every attempt's points are the sum of its answers' points.
    for row in after["attempts"]:
        earned = sum(a[4] for a in after["user_answers"] if a[1] == row[0])
        assert earned == row[6]


def test_new_rows_after_the_upgrade_never_reuse_an_id(at_0003: str) -> None:
    url = at_0003
    migrate(url, "0004")
    insert_attempt = (
        "INSERT INTO attempts (user_id, quiz_id, revision_id, question_count, answered_count,"
        " points_awarded, points_answered, points_possible, shuffle_seed, started_at,"
        " finished_at) VALUES (3, 1, (SELECT current_revision_id FROM quizzes WHERE id = 1),"
        " 3, 0, 0, 0, 3, 5, :at, :at)",
        {"at": STARTED},
    )
    insert_question = (
        "INSERT INTO questions (quiz_id, created_at) VALUES (1, :at)",
        {"at": STARTED},
    )
    newest = "SELECT max(id) FROM {0}"
    if url.startswith("sqlite"):  # the copies made for AUTOINCREMENT start above every old id
        sequences = dict(run(url, "SELECT name, seq FROM sqlite_sequence"))
        assert sequences["attempts"] >= max(row[0] for row in ATTEMPTS)
        assert sequences["questions"] >= max(row[0] for row in QUESTIONS)
    run(url, insert_attempt, insert_question)
    [(attempt_id,)] = run(url, newest.format("attempts"))
    [(question_id,)] = run(url, newest.format("questions"))
    assert attempt_id > max(row[0] for row in ATTEMPTS)
    assert question_id > max(row[0] for row in QUESTIONS)

    # The newest rows go; their ids stay theirs (AUTOINCREMENT on SQLite, sequences elsewhere).
    run(
        url,
        ("DELETE FROM attempts WHERE id = :id", {"id": attempt_id}),
        ("DELETE FROM questions WHERE id = :id", {"id": question_id}),
    )
    run(url, insert_attempt, insert_question)
    assert run(url, newest.format("attempts")) == [(attempt_id + 1,)]
    assert run(url, newest.format("questions")) == [(question_id + 1,)]
    run(
        url,
        "INSERT INTO quiz_revisions (quiz_id, number, status, time_limit_seconds,"
        " feedback_mode, shuffle_questions, shuffle_choices, created_at) VALUES (1, 2, 'draft',"
        " NULL, 'immediate', false, false, CURRENT_TIMESTAMP)",
    )
    assert run(url, newest.format("quiz_revisions")) == [(3,)]


def test_downgrade_brings_back_every_old_column_with_its_values(at_0003: str) -> None:
    url = at_0003
    before = snapshot(url, OLD_COLUMNS)
    migrate(url, "0004")
    upgraded = snapshot(url, NEW_COLUMNS)

    migrate(url, "0003", down=True)
    assert revision(url) == "0003"
    assert snapshot(url, OLD_COLUMNS) == before
    tables = {name for (name,) in run(url, table_names(url))}
    assert "quiz_revisions" not in tables
    assert "revision_questions" not in tables

    migrate(url, "0004")
    assert snapshot(url, NEW_COLUMNS) == upgraded


def table_names(url: str) -> str:
    if url.startswith("sqlite"):
        return "SELECT name FROM sqlite_master WHERE type = 'table'"
    return "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"


def test_downgrade_refuses_questions_the_old_schema_cannot_hold(at_0003: str) -> None:
    url = at_0003
    migrate(url, "0004")
    multiple = {"choices": [{"id": 1, "text": "A", "weight": 50.0, "feedback": ""}]}
    half = {
        "choices": [
            {"id": 200, "text": "Water", "weight": 100.0, "feedback": ""},
            {"id": 201, "text": "Salt", "weight": 50.0, "feedback": ""},
        ]
    }
    run(
        url,
        "INSERT INTO quiz_revisions (quiz_id, number, status, time_limit_seconds, feedback_mode,"
        " shuffle_questions, shuffle_choices, created_at) VALUES (1, 2, 'draft', NULL,"
        " 'immediate', false, false, CURRENT_TIMESTAMP)",
        (
            "INSERT INTO revision_questions (revision_id, question_id, position, kind, text,"
            " explanation, points, body) SELECT r.id, 10, 1, 'multiple_response', 'Pick some',"
            " '', 2.0, :body FROM quiz_revisions r WHERE r.quiz_id = 1 AND r.number = 2",
            {"body": json.dumps(multiple)},
        ),
    )
    before = snapshot(url, NEW_COLUMNS)
    with pytest.raises(CommandError) as error:
        migrate(url, "0003", down=True)
    assert str(error.value) == (
        "Quizzes with questions other than single choice, or with choices weighing other than"
        " 0 or 100, must be changed before this downgrade: basics"
    )
    assert revision(url) == "0004"
    assert snapshot(url, NEW_COLUMNS) == before

    # A single choice worth half for a wrong answer has no place in the old schema either.
    run(
        url,
        (
            "UPDATE revision_questions SET body = :body WHERE question_id = 20",
            {"body": json.dumps(half)},
        ),
    )
    with pytest.raises(CommandError, match=r"downgrade: basics, final-exam$"):
        migrate(url, "0003", down=True)
    assert revision(url) == "0004"


def test_downgrade_keeps_the_current_revision_and_drops_the_rest(at_0003: str) -> None:
    """Quiz 1 has a draft asking a new question in a new order; quiz 2 has no current
    revision, only a later one: the current (else latest) revision is what comes back."""
    url = at_0003
    migrate(url, "0004")
    reordered = {
        "choices": [
            {"id": 1, "text": "Neptune", "weight": 0.0, "feedback": "Too cold."},
            {"id": 2, "text": "Mercury", "weight": 100.0, "feedback": ""},
        ]
    }
    second = {
        "choices": [
            {"id": 200, "text": "Water", "weight": 100.0, "feedback": ""},
            {"id": 202, "text": "Ice", "weight": 0.0, "feedback": ""},
        ]
    }
    run(
        url,
        ("INSERT INTO questions (id, quiz_id, created_at) VALUES (30, 1, :at)", {"at": STARTED}),
        "INSERT INTO quiz_revisions (quiz_id, number, status, time_limit_seconds, feedback_mode,"
        " shuffle_questions, shuffle_choices, created_at) VALUES (1, 2, 'draft', 60, 'exam',"
        " true, false, CURRENT_TIMESTAMP)",
        (
            "INSERT INTO revision_questions (revision_id, question_id, position, kind, text,"
            " explanation, points, body) SELECT r.id, 30, 1, 'single_choice', 'Closest to the"
            " sun?', '', 1.0, :body FROM quiz_revisions r WHERE r.quiz_id = 1 AND r.number = 2",
            {"body": json.dumps(reordered)},
        ),
        # Quiz 2: revision 2 published with a changed second choice, then no current one.
        "INSERT INTO quiz_revisions (quiz_id, number, status, time_limit_seconds, feedback_mode,"
        " shuffle_questions, shuffle_choices, created_at, published_at) VALUES (2, 2,"
        " 'published', 900, 'immediate', false, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        (
            "INSERT INTO revision_questions (revision_id, question_id, position, kind, text,"
            " explanation, points, body) SELECT r.id, 20, 1, 'single_choice', 'Frozen H2O?',"
            " 'Cold.', 1.0, :body FROM quiz_revisions r WHERE r.quiz_id = 2 AND r.number = 2",
            {"body": json.dumps(second)},
        ),
        "UPDATE quizzes SET current_revision_id = NULL WHERE id = 2",
    )
    migrate(url, "0003", down=True)
    after = snapshot(url, OLD_COLUMNS)
    # Quiz 1 as its current revision 1 has it; the draft and its question are gone.
    assert after["quizzes"][0][6:8] == (None, "immediate")
    assert [bool(flag) for flag in after["quizzes"][0][8:10]] == [False, False]
    assert [row for row in after["questions"] if row[1] == 1] == [
        question for question in QUESTIONS if question[1] == 1
    ]
    # Quiz 2 as its latest revision has it: its settings, one question, its choices.
    assert after["quizzes"][1][6] == 900
    assert after["quizzes"][1][7] == "immediate"
    assert [bool(flag) for flag in after["quizzes"][1][8:10]] == [False, True]
    assert [row for row in after["questions"] if row[1] == 2] == [
        (20, 2, 1, "Frozen H2O?", "Cold.")
    ]
    assert [row[:4] for row in after["choices"] if row[1] == 20] == [
        (200, 20, 1, "Water"),
        (202, 20, 2, "Ice"),
    ]
    assert all(row[1] != 21 for row in after["choices"])
    # Answers to question 21 went with it; the answer naming choice 201 names none now.
    answers = {row[0]: row for row in after["user_answers"]}
    assert sorted(answers) == [1, 2, 3, 4, 5, 6, 8]
    assert answers[8][3] is None
    assert answers[6][3] == 200
    assert bool(answers[6][4])
    correct = {row[0]: row[5] for row in after["attempts"]}
    assert correct == {1: 2, 2: 0, 4: 1, 7: 0}
