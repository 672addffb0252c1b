"""Importing files as drafts (the browser's way): nothing published until the author says."""

from __future__ import annotations

import pytest
from quart import Quart
from sqlmodel import col
from sqlmodel import select

from web.db import get_session
from web.models import Quiz
from web.models import QuizRevision
from web.services.file_import import read_file
from web.services.file_import import title_from
from web.services.quiz_import import DraftExistsError
from web.services.quiz_import import import_quizzes

AIKEN = b"\xef\xbb\xbfIs it?\nA. Yes\nB. No\nANSWER: A\n"


async def _revisions(slug: str) -> list[tuple[int, str]]:
    session = get_session()
    quiz = (await session.exec(select(Quiz).where(col(Quiz.slug) == slug))).one()
    rows = await session.exec(
        select(QuizRevision.number, QuizRevision.status)
        .where(col(QuizRevision.quiz_id) == quiz.id)
        .order_by(col(QuizRevision.number))
    )
    return list(rows.all())


async def test_a_draft_import_publishes_nothing_and_never_overwrites_a_draft(app: Quart) -> None:
    read = read_file(AIKEN, "yes_or_no.txt")  # UTF-8 with a BOM
    assert read.ok, read.problems
    async with app.app_context():
        session = get_session()
        await import_quizzes(session, read.quizzes, draft=True)
        quiz = (await session.exec(select(Quiz))).one()
        assert (quiz.title, quiz.current_revision_id, quiz.is_published) == (
            "Yes or no",
            None,
            False,
        )
        assert await _revisions("yes-or-no") == [(1, "draft")]
        with pytest.raises(DraftExistsError, match="unpublished changes"):
            await import_quizzes(session, read.quizzes, draft=True, replace=True)

    published = read_file(AIKEN, "published.txt")
    async with app.app_context():
        session = get_session()
        await import_quizzes(session, published.quizzes)
        current = (await session.exec(select(Quiz).where(col(Quiz.slug) == "published"))).one()
        await import_quizzes(session, published.quizzes, draft=True, replace=True)
        assert await _revisions("published") == [(1, "published"), (2, "draft")]
        await session.refresh(current)
        assert current.is_published
        first = await session.exec(select(QuizRevision.id).where(col(QuizRevision.number) == 1))
        assert current.current_revision_id in set(first.all())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"caf\xe9 {=yes}", "not UTF-8"),
        (b"\xff\xfeI\x00s", "UTF-16"),
        (b"just some words", "could not tell the file's format"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(raw: bytes, message: str) -> None:
    read = read_file(raw, "upload")
    assert not read.ok
    assert message in read.problems[0].message


def test_a_title_comes_from_the_file_name() -> None:
    assert title_from("world_capitals-2024.gift") == "World capitals 2024"
    assert title_from("---.csv") == "Imported quiz"
