"""Migration 0008 (live games) on a populated database: every attempt and answer kept, ids
never handed out twice, the one-open-attempt rule intact, and a downgrade that works while
no game exists and refuses, changing nothing, once one does. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.util.exc import CommandError
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from tests.integration.test_migration_0004 import ATTEMPTS
from tests.integration.test_migration_0004 import STARTED
from tests.integration.test_migration_0004 import add_content
from tests.integration.test_migration_0004 import revision
from tests.integration.test_migration_0004 import run

# Attempt 4 (user 2, quiz 2) is open; the others are finished (test_migration_0004).
OPEN_ATTEMPT = next((user, quiz) for _id, user, quiz, *_, done in ATTEMPTS if not done)
# The newest attempt, made and deleted at 0007: its id stays used.
DELETED_ID = max(attempt_id for attempt_id, *_ in ATTEMPTS) + 1


def insert_attempt(
    user: int | None, quiz: int, *, finished: bool = True, game: int | None = None
) -> tuple[str, dict[str, Any]]:
    """An attempt as the app writes one; `game` only once 0008 added the column."""
    columns = "user_id, quiz_id, revision_id, question_count, answered_count, points_awarded,"
    columns += " points_answered, points_possible, shuffle_seed, started_at, finished_at"
    values = ":user, :quiz, (SELECT current_revision_id FROM quizzes WHERE id = :quiz), 1, 0,"
    values += " 0, 0, 1, 5, :at, :finished"
    params: dict[str, Any] = {
        "user": user,
        "quiz": quiz,
        "at": STARTED,
        "finished": STARTED if finished else None,
    }
    if game is not None:
        columns += ", game_id"
        values += ", :game"
        params["game"] = game
    return f"INSERT INTO attempts ({columns}) VALUES ({values})", params  # noqa: S608 - ours


def insert_game(code: str = "123456") -> tuple[str, dict[str, Any]]:
    return (
        "INSERT INTO games (code, quiz_id, revision_id, host_id, seconds_per_question,"
        " speed_bonus, phase, question_index, seq, created_at) VALUES (:code, 1,"
        " (SELECT current_revision_id FROM quizzes WHERE id = 1), 1, NULL, false, 'lobby', 0,"
        " 0, :at)",
        {"code": code, "at": STARTED},
    )


def newest_attempt(url: str) -> int:
    [(found,)] = run(url, "SELECT max(id) FROM attempts")
    return int(found)


def make_and_delete_an_attempt(url: str) -> int:
    """The newest attempt, with an answer, then both deleted: the table's max id drops, the
    id stays handed out."""
    run(url, insert_attempt(3, 1))
    attempt_id = newest_attempt(url)
    run(
        url,
        (
            "INSERT INTO user_answers (attempt_id, question_id, response, points, answered_at)"
            " VALUES (:attempt, 11, '{}', 0, :at)",
            {"attempt": attempt_id, "at": STARTED},
        ),
        ("DELETE FROM user_answers WHERE attempt_id = :id", {"id": attempt_id}),
        ("DELETE FROM attempts WHERE id = :id", {"id": attempt_id}),
    )
    return attempt_id


async def _tables(url: str) -> dict[str, list[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection: Any) -> dict[str, list[str]]:
                inspector = inspect(sync_connection)
                return {
                    table: [column["name"] for column in inspector.get_columns(table)]
                    for table in inspector.get_table_names()
                    if table != "alembic_version"
                }

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def tables(url: str) -> dict[str, list[str]]:
    return asyncio.run(_tables(url))


def contents(url: str, shape: dict[str, list[str]]) -> dict[str, list[Any]]:
    """Every row of the tables in `shape`, read by its columns (what a migration keeps)."""
    found: dict[str, list[Any]] = {}
    for table, columns in sorted(shape.items()):
        order = "id" if "id" in columns else columns[0]
        found[table] = run(url, f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")  # noqa: S608 - our own names
    return found


def sqlite_sequence(url: str) -> int | None:
    if not url.startswith("sqlite"):
        return None
    [(seq,)] = run(url, "SELECT seq FROM sqlite_sequence WHERE name = 'attempts'")
    return int(seq)


@pytest.fixture(params=backends())
def at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """People, quizzes, finished and open attempts with answers (made at 0003 and carried
    up), and an attempt made and deleted at 0007."""
    url = create_scratch_database(request.param, tmp_path)
    migrate(url, "0003")
    add_content(url)
    migrate(url, "0007")
    assert make_and_delete_an_attempt(url) == DELETED_ID
    yield url
    drop_scratch_database(url)


def test_the_upgrade_keeps_every_attempt_and_answer(at_0007: str) -> None:
    url = at_0007
    shape = tables(url)
    before = contents(url, shape)
    assert len(before["attempts"]) == len(ATTEMPTS)
    assert before["user_answers"]
    migrate(url, "0008")
    assert revision(url) == "0008"
    assert contents(url, shape) == before
    assert run(url, "SELECT DISTINCT game_id FROM attempts") == [(None,)]
    assert {"games", "game_players"} <= set(tables(url))


def test_no_attempt_id_is_handed_out_twice(at_0007: str) -> None:
    url = at_0007
    assert newest_attempt(url) < DELETED_ID  # the newest one is gone
    sequence = sqlite_sequence(url)
    migrate(url, "0008")
    if sequence is not None:  # the copy of the table kept AUTOINCREMENT's sequence
        assert sqlite_sequence(url) == sequence == DELETED_ID
        [(sql,)] = run(url, "SELECT sql FROM sqlite_master WHERE name = 'attempts'")
        assert "AUTOINCREMENT" in sql
    run(url, insert_attempt(3, 1))
    assert newest_attempt(url) == DELETED_ID + 1


def test_one_open_attempt_per_person_and_quiz_still_holds(at_0007: str) -> None:
    url = at_0007
    user, quiz = OPEN_ATTEMPT
    migrate(url, "0008")
    with pytest.raises(IntegrityError):
        run(url, insert_attempt(user, quiz, finished=False))
    # A live game's attempts are the game's: they leave the person's own open one alone,
    # and guests' have no user at all.
    run(url, insert_game())
    [(game,)] = run(url, "SELECT id FROM games")
    run(
        url,
        insert_attempt(user, quiz, finished=False, game=game),
        insert_attempt(None, quiz, finished=False, game=game),
        insert_attempt(None, quiz, finished=False, game=game),
    )
    opened = run(
        url,
        (
            "SELECT count(*) FROM attempts WHERE quiz_id = :quiz AND finished_at IS NULL",
            {"quiz": quiz},
        ),
    )
    assert opened == [(4,)]


def test_the_downgrade_without_games_restores_the_old_shape(at_0007: str) -> None:
    url = at_0007
    shape = tables(url)
    before = contents(url, shape)
    migrate(url, "0008")
    made_at_0008 = make_and_delete_an_attempt(url)
    assert made_at_0008 == DELETED_ID + 1
    migrate(url, "0007", down=True)
    assert revision(url) == "0007"
    assert tables(url) == shape
    assert contents(url, shape) == before
    if url.startswith("sqlite"):
        assert sqlite_sequence(url) == made_at_0008
    run(url, insert_attempt(3, 1))
    assert newest_attempt(url) == made_at_0008 + 1
    with pytest.raises(IntegrityError):  # user_id is required again
        run(url, insert_attempt(None, 1))
    user, quiz = OPEN_ATTEMPT
    with pytest.raises(IntegrityError):
        run(url, insert_attempt(user, quiz, finished=False))
    migrate(url, "0008")  # and up again
    assert revision(url) == "0008"


def test_the_downgrade_refuses_while_a_game_exists_and_changes_nothing(at_0007: str) -> None:
    url = at_0007
    migrate(url, "0008")
    run(url, insert_game())
    [(game,)] = run(url, "SELECT id FROM games")
    run(url, insert_attempt(None, 1, finished=False, game=game))
    shape = tables(url)
    before = contents(url, shape)
    with pytest.raises(CommandError) as refused:
        migrate(url, "0007", down=True)
    message = str(refused.value)
    assert message.startswith("Cannot downgrade: 1 live game(s) exist")
    assert "\n" not in message
    assert revision(url) == "0008"
    assert tables(url) == shape
    assert contents(url, shape) == before
