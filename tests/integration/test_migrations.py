"""Migrations: they match the models, run both ways on SQLite and PostgreSQL, and 0003
refills the search column of a database that holds data, touching nothing else."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from tests.conftest import make_app
from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from tests.integration.quiz_helpers import read
from tests.integration.test_migration_0002 import revision
from tests.integration.test_migration_0002 import run


async def _inspect(url: str) -> tuple[set[str], list[Any]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection: Any) -> tuple[set[str], list[Any]]:
                tables = set(inspect(sync_connection).get_table_names())
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return tables, compare_metadata(context, SQLModel.metadata)

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


@pytest.fixture(params=backends())
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path):
    url = create_scratch_database(request.param, tmp_path)
    yield url
    drop_scratch_database(url)


def test_models_and_migrations_have_not_drifted(scratch_url: str) -> None:
    migrate(scratch_url)
    tables, diff = asyncio.run(_inspect(scratch_url))
    assert diff == [], f"models changed without a migration: {diff}"
    assert set(SQLModel.metadata.tables) <= tables


def test_migrations_upgrade_downgrade_and_upgrade_again(scratch_url: str) -> None:
    migrate(scratch_url)
    migrate(scratch_url, "base", down=True)
    tables, _ = asyncio.run(_inspect(scratch_url))
    assert tables <= {"alembic_version"}
    migrate(scratch_url)
    tables, diff = asyncio.run(_inspect(scratch_url))
    assert set(SQLModel.metadata.tables) <= tables
    assert diff == []


# (title, category, description) as people wrote them, and search_text as 0002's code kept it.
QUIZZES = [
    ("Café Culture", "Cuisine", "Crêpes, CRÈME and more."),
    ("Åland Islands", "Géographie", ""),
    ("Straße Names", "General", "Plain words."),
]


def add_content(url: str) -> None:
    """An author, their quizzes with a question each, and a finished attempt with an answer."""
    statements: list[str | tuple[str, dict[str, Any]]] = [
        "INSERT INTO users (id, username, email, password_hash, is_admin, is_active,"
        " email_verified_at, created_at, last_login_at) VALUES (1, 'author', 'a@example.com',"
        " 'hash', false, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, NULL)"
    ]
    for number, (title, category, description) in enumerate(QUIZZES, start=1):
        values = {
            "id": number,
            "slug": f"quiz-{number}",
            "title": title,
            "category": category,
            "description": description,
            "search": " ".join((title, category, description)).casefold(),
        }
        statements += [
            (
                "INSERT INTO quizzes (id, slug, title, description, category, difficulty,"
                " time_limit_seconds, feedback_mode, shuffle_questions, shuffle_choices,"
                " is_published, search_text, created_by_id, created_at, updated_at)"
                " VALUES (:id, :slug, :title, :description, :category, 'easy', NULL,"
                " 'immediate', false, false, true, :search, 1, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)",
                values,
            ),
            (
                "INSERT INTO questions (id, quiz_id, position, text, explanation)"
                " VALUES (:id, :id, 1, 'Où?', 'Là.')",
                values,
            ),
            (
                "INSERT INTO choices (id, question_id, position, text, is_correct)"
                " VALUES (:id, :id, 1, 'Ici', true)",
                values,
            ),
        ]
    statements += [
        "INSERT INTO attempts (id, user_id, quiz_id, question_count, answered_count,"
        " correct_count, shuffle_seed, started_at, deadline_at, finished_at, duration_seconds)"
        " VALUES (1, 1, 1, 1, 1, 1, 7, CURRENT_TIMESTAMP, NULL, CURRENT_TIMESTAMP, 12)",
        "INSERT INTO user_answers (id, attempt_id, question_id, choice_id, is_correct,"
        " answered_at) VALUES (1, 1, 1, 1, true, CURRENT_TIMESTAMP)",
    ]
    run(url, *statements)


async def _columns(url: str) -> dict[str, list[str]]:
    """The tables and columns the database has now: the models may be several revisions on."""
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


def snapshot(url: str) -> dict[str, list[Any]]:
    """Every row of every table, search_text left out: what the migration must not touch."""
    tables: dict[str, list[Any]] = {}
    for table, names in sorted(asyncio.run(_columns(url)).items()):
        columns = ", ".join(name for name in names if name != "search_text")
        order = "id" if "id" in names else names[0]
        tables[table] = run(url, f"SELECT {columns} FROM {table} ORDER BY {order}")  # noqa: S608 - our own table names
    return tables


def search_texts(url: str) -> list[str]:
    return [text for (text,) in run(url, "SELECT search_text FROM quizzes ORDER BY id")]


def test_0003_folds_accents_and_its_downgrade_restores_the_old_column(scratch_url: str) -> None:
    at_0002 = scratch_url
    migrate(at_0002, "0002")
    add_content(at_0002)
    before = snapshot(at_0002)
    assert before["quizzes"]
    assert before["user_answers"]

    migrate(at_0002, "0003")
    assert revision(at_0002) == "0003"
    assert snapshot(at_0002) == before
    assert search_texts(at_0002) == [
        "cafe culture cuisine crepes, creme and more.",
        "aland islands geographie ",
        "strasse names general plain words.",
    ]

    migrate(at_0002, "0002", down=True)
    assert snapshot(at_0002) == before
    assert search_texts(at_0002) == [" ".join(quiz).casefold() for quiz in QUIZZES]
    migrate(at_0002, "0003")
    assert snapshot(at_0002) == before


async def test_quizzes_made_before_0003_are_found_without_accents(scratch_url: str) -> None:
    at_0002 = scratch_url
    await asyncio.to_thread(migrate, at_0002, "0002")  # alembic runs its own event loop
    await asyncio.to_thread(add_content, at_0002)
    await asyncio.to_thread(migrate, at_0002)
    app = make_app(at_0002)
    async with app.test_app():
        client = app.test_client()
        for query, title in [("cafe", "Café Culture"), ("ALAND", "Åland Islands")]:
            body = await (await client.get("/quizzes", query_string={"q": query})).get_data(
                as_text=True
            )
            assert [name for name, href in read(body).links if href.startswith("/quizzes/")] == [
                title
            ]
