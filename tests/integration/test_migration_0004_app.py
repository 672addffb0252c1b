"""Migration 0004 seen through the app: results, reviews and leaderboards of attempts made
before the question engine read as they did, and an attempt left open finishes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import update

from tests.conftest import make_app
from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from tests.integration.quiz_helpers import PASSWORD
from tests.integration.quiz_helpers import log_in
from tests.integration.quiz_helpers import read
from tests.integration.test_migration_0004 import add_content
from web.db import get_session
from web.models import User
from web.security import hash_password
from web.services.content import forget_cached_content

LEADERBOARD_ROW = re.compile(
    r"<tr><td>(\d+)</td><th scope=\"row\">([^<]+)</th><td>([^<]+)</td>", re.MULTILINE
)


@pytest.fixture(params=backends())
def upgraded(request: pytest.FixtureRequest, tmp_path: Path):
    """A database made at 0003 by the old code's shape, then upgraded to head."""
    url = create_scratch_database(request.param, tmp_path)
    migrate(url, "0003")
    add_content(url)
    migrate(url)
    yield url
    drop_scratch_database(url)


async def test_old_attempts_read_the_same_and_an_open_one_finishes(upgraded: str) -> None:
    forget_cached_content()
    app = make_app(upgraded)
    async with app.test_app():
        async with app.app_context():  # the old rows' hashes were placeholders
            session = get_session()
            await session.exec(update(User).values(password_hash=await hash_password(PASSWORD)))
            await session.commit()
        client = app.test_client()
        token = await log_in(client, "ada")

        results = read(await (await client.get("/attempts/1/results")).get_data(as_text=True))
        assert "You scored 2 of 3 (67%)." in results.text
        assert results.all("h3") == ["Capital of France?", "Two plus two?", "Largest planet?"]
        assert "Correct: 1 of 1 point. Your answer: Paris" in results.text
        assert "Incorrect: 0 of 1 point. Your answer: 3 Correct answer: 4" in results.text
        assert "Correct: 1 of 1 point. Your answer: Jupiter" in results.text

        basics = await (await client.get("/quizzes/basics")).get_data(as_text=True)
        assert LEADERBOARD_ROW.findall(basics) == [
            ("1", "ada", "67% (2 of 3)"),
            ("2", "bob", "0% (0 of 3)"),
        ]
        exam = await (await client.get("/quizzes/final-exam")).get_data(as_text=True)
        assert LEADERBOARD_ROW.findall(exam) == [("1", "bob", "50% (1 of 2)")]
        assert "Resume quiz" in read(exam).all("button")

        # Attempt 4 stopped after its first question; the second still takes its answer.
        resumed = await client.get("/attempts/4")
        assert resumed.status_code == 303
        card_url = resumed.headers["Location"]
        card = await (await client.get(card_url)).get_data(as_text=True)
        assert "Speed of light?" in read(card).all("legend")
        answered = await client.post(card_url, form={"choice": "210", "csrf_token": token})
        assert answered.status_code == 303
        assert answered.headers["Location"] == "/attempts/4/results"
        finished = read(await (await client.get("/attempts/4/results")).get_data(as_text=True))
        assert "You scored 2 of 2 (100%)." in finished.text

        dashboard = read(await (await client.get("/dashboard")).get_data(as_text=True))
        assert dashboard.definition("Attempts") == "2"
        assert dashboard.definition("Best score") == "100%"
        assert dashboard.definition("Average score") == "83%"
