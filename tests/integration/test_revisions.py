"""Revisions: a quiz replaced while attempts are open and finished keeps everyone's history;
attempt ids are never reused; drafts are never cached, published revisions are."""

from __future__ import annotations

import re
from typing import Any

from quart import Quart
from sqlmodel import col
from sqlmodel import delete
from sqlmodel import select
from sqlmodel import update

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import StatementCounter
from tests.integration.quiz_helpers import add_finished_attempt
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import quiz_id
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import stored_answers
from tests.integration.test_kinds_http import post_form
from tests.integration.test_kinds_http import seed_v2
from tests.integration.test_kinds_http import text_of
from web.db import get_session
from web.models import Attempt
from web.models import Question
from web.models import Quiz
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import RevisionStatus
from web.models import UserAnswer
from web.services.content import revision_content

TABLES: dict[str, Any] = {
    "quizzes": Quiz,
    "quiz_revisions": QuizRevision,
    "questions": Question,
    "revision_questions": RevisionQuestion,
    "attempts": Attempt,
    "user_answers": UserAnswer,
}
CSRF_VALUE = re.compile(r'(name="csrf_token" value=|"X-CSRF-Token": )"[^"]+"')
LEADERBOARD = re.compile(r'<section aria-labelledby="leaderboard-heading">.*?</section>', re.S)
CATEGORY_ROW = re.compile(r'<tr><th scope="row">[^<]+</th>(?:<td>[^<]*</td>)+</tr>')

RED_PLANET = {
    "kind": "single_choice",
    "text": "Which planet is the Red Planet?",
    "points": 1,
    "choices": [{"text": "Mars", "weight": 100}, {"text": "Venus"}],
}
OLD_MOON = {
    "kind": "short_answer",
    "text": "Old: the largest moon of Saturn?",
    "points": 2,
    "answers": [{"text": "Titan"}],
}
NEW_MOON = {
    "kind": "short_answer",
    "text": "New: the largest moon of Jupiter?",
    "points": 5,
    "answers": [{"text": "Ganymede"}],
}
SUN = {"kind": "true_false", "text": "The Sun is a star.", "points": 1, "answer": True}


def revised(moon: dict[str, Any], *, title: str = "Revised") -> dict[str, Any]:
    return {
        "slug": "revised",
        "title": title,
        "category": "Space",
        "published": True,
        "questions": [RED_PLANET, moon, SUN],
    }


async def answer(player: Player, attempt_id: int, position: int, *form: tuple[str, str]) -> str:
    """Answer by a plain form and return the feedback page it redirects to."""
    response = await post_form(player, question_url(attempt_id, position), list(form))
    assert response.status_code == 303, await text_of(response)
    return await text_of(await player.get(response.headers["Location"]))


async def legend(player: Player, attempt_id: int, position: int) -> str:
    page = await text_of(await player.get(question_url(attempt_id, position)))
    legends = read(page).all("legend")
    assert len(legends) == 1, legends
    return legends[0]


async def row_ids(app: Quart) -> dict[str, set[int]]:
    async with app.app_context():
        session = get_session()
        return {
            table: set((await session.exec(select(model.id))).all())
            for table, model in TABLES.items()
        }


def without_tokens(html: str) -> str:
    return CSRF_VALUE.sub(r'\1"TOKEN"', html)


async def results_html(player: Player, attempt_id: int) -> str:
    response = await player.get(f"/attempts/{attempt_id}/results")
    assert response.status_code == 200
    return without_tokens(await text_of(response))


async def leaderboard(player: Player) -> str:
    page = await text_of(await player.get("/quizzes/revised"))
    found = LEADERBOARD.search(page)
    assert found, page[:500]
    return found.group(0)


async def dashboard_figures(player: Player) -> tuple[object, ...]:
    page = await text_of(await player.get("/dashboard"))
    outline = read(page)
    figures = tuple(
        outline.definition(term) for term in ("Attempts", "Average score", "Best score")
    )
    recent = re.findall(r"Revised: [0-9.]+ of [0-9.]+ \(\d+%\)", outline.text)
    return figures, tuple(CATEGORY_ROW.findall(page)), tuple(recent)


async def finish_on_the_old_revision(
    app: Quart, bob: Player, still_open: int, old_revision: int
) -> None:
    """The open attempt finishes on its own revision, with its old text and old points."""
    assert await legend(bob, still_open, 2) == "Old: the largest moon of Saturn?"
    feedback = read(await answer(bob, still_open, 2, ("answer", "Titan")))
    assert "You earned 2 of 2 points" in feedback.text
    assert "Score: 3 of 3" in feedback.text
    assert await legend(bob, still_open, 3) == "The Sun is a star."
    await answer(bob, still_open, 3, ("choice", "true"))
    bob_attempt = await fetch_attempt(app, still_open)
    assert bob_attempt.revision_id == old_revision
    assert (bob_attempt.points_awarded, bob_attempt.points_possible) == (4, 4)
    assert "You scored 4 of 4 (100%)." in read(await results_html(bob, still_open)).text


async def start_on_the_new_revision(
    app: Quart, carol: Player, old_revision: int, highest_id: int
) -> None:
    """New attempts take the new revision, and a fresh id."""
    fresh = await carol.start("revised")
    assert fresh > highest_id
    assert (await fetch_attempt(app, fresh)).revision_id != old_revision
    assert (await fetch_attempt(app, fresh)).points_possible == 7
    page = read(await text_of(await carol.get(question_url(fresh, 2))))
    assert page.all("legend") == ["New: the largest moon of Jupiter?"]
    assert "Question 2 of 3 · 5 points" in page.text
    await answer(carol, fresh, 1, ("choice", "1"))
    feedback = read(await answer(carol, fresh, 2, ("answer", "Titan")))
    assert "Incorrect" in feedback.all("h2")
    assert "You earned 0 of 5 points" in feedback.text


async def test_replacing_a_quiz_keeps_every_attempt_on_its_own_revision(app: Quart) -> None:
    await seed_v2(app, revised(OLD_MOON))
    ada, bob, carol = [await sign_in(app, name) for name in ("ada", "bob", "carol")]

    finished = await ada.start("revised")
    await answer(ada, finished, 1, ("choice", "1"))
    await answer(ada, finished, 2, ("answer", "Titan"))
    await answer(ada, finished, 3, ("choice", "false"))
    assert (await fetch_attempt(app, finished)).finished_at is not None
    still_open = await bob.start("revised")
    await answer(bob, still_open, 1, ("choice", "1"))

    results_before = await results_html(ada, finished)
    assert "You scored 3 of 4 (75%)." in read(results_before).text
    board_before = await leaderboard(carol)
    assert "ada" in board_before
    figures_before = await dashboard_figures(ada)
    assert figures_before[0] == ("1", "75%", "75%")
    rows_before = await row_ids(app)
    old_revision = (await fetch_attempt(app, finished)).revision_id

    await seed_v2(app, revised(NEW_MOON, title="Revised"), replace=True)

    rows_after = await row_ids(app)
    for table in TABLES:
        assert rows_before[table] <= rows_after[table], f"{table} lost rows"
    grown = {table: len(rows_after[table]) - len(rows_before[table]) for table in TABLES}
    assert grown == {
        "quizzes": 0,
        "quiz_revisions": 1,
        "questions": 1,  # the moon question's text changed: a new identity; the others keep theirs
        "revision_questions": 3,
        "attempts": 0,
        "user_answers": 0,
    }

    # The finished attempt: its review, the leaderboard and the dashboard, byte for byte.
    assert await results_html(ada, finished) == results_before
    assert "Old: the largest moon of Saturn?" in results_before
    assert await leaderboard(carol) == board_before
    assert await dashboard_figures(ada) == figures_before

    await finish_on_the_old_revision(app, bob, still_open, old_revision)
    await start_on_the_new_revision(app, carol, old_revision, max(rows_after["attempts"]))

    # Still nothing deleted, and ada's old results unchanged after all that.
    rows_end = await row_ids(app)
    for table in TABLES:
        assert rows_after[table] <= rows_end[table], f"{table} lost rows"
    assert await results_html(ada, finished) == results_before
    assert len(await stored_answers(app, finished)) == 3


async def test_an_unchanged_question_keeps_its_identity_across_revisions(app: Quart) -> None:
    await seed_v2(app, revised(OLD_MOON))
    ada = await sign_in(app)
    before = await ada.start("revised")
    await answer(ada, before, 1, ("choice", "1"))
    await ada.post(f"/attempts/{before}/finish", {"confirmed": "yes"})
    await seed_v2(app, revised(NEW_MOON), replace=True)
    after = await ada.start("revised")
    assert after > before
    await answer(ada, after, 1, ("choice", "1"))
    first, second = [await stored_answers(app, n) for n in (before, after)]
    assert [a.question_id for a in first] == [a.question_id for a in second]
    old, new = [await fetch_attempt(app, n) for n in (before, after)]
    assert old.revision_id != new.revision_id


async def test_a_deleted_newest_attempt_id_is_never_given_again(app: Quart) -> None:
    """AUTOINCREMENT on SQLite (a sequence on PostgreSQL): a results link stays its own."""
    await seed_v2(app, revised(OLD_MOON))
    ada = await sign_in(app)
    first = await ada.start("revised")
    await ada.post(f"/attempts/{first}/finish", {"confirmed": "yes"})
    quiz = await quiz_id(app, "revised")
    newest = await add_finished_attempt(app, ada.user_id, quiz, correct=1, total=3, possible=4)
    assert newest > first
    async with app.app_context():
        session = get_session()
        await session.exec(delete(Attempt).where(col(Attempt.id) == newest))  # type: ignore[call-overload]
        await session.commit()
        remaining = (await session.exec(select(Attempt.id))).all()
    assert newest not in remaining
    again = await ada.start("revised")
    assert again > newest, (first, newest, again)


# --------------------------------------------------------------------------- the content cache


async def read_question_text(app: Quart, revision_id: int) -> tuple[str, int]:
    """(the first question's text, statements run) for one read, in a session of its own."""
    async with app.app_context():
        with StatementCounter(app) as counter:
            content = await revision_content(get_session(), revision_id)
        return content.questions[0].text, len(counter)


async def set_question_text(app: Quart, revision_id: int, new_text: str) -> None:
    async with app.app_context():
        session = get_session()
        await session.exec(
            update(RevisionQuestion)
            .where(col(RevisionQuestion.revision_id) == revision_id)
            .where(col(RevisionQuestion.position) == 1)
            .values(text=new_text)
        )
        await session.commit()


async def add_draft(app: Quart) -> int:
    """A draft revision written straight to the tables, asking the published question 1."""
    quiz = await quiz_id(app, "revised")
    async with app.app_context():
        session = get_session()
        current = (
            await session.exec(select(Quiz.current_revision_id).where(Quiz.id == quiz))
        ).one()
        published = (
            await session.exec(
                select(RevisionQuestion).where(RevisionQuestion.revision_id == current)
            )
        ).all()
        draft = QuizRevision(quiz_id=quiz, number=2, status=RevisionStatus.DRAFT)
        session.add(draft)
        await session.flush()
        assert draft.id is not None
        session.add_all(
            RevisionQuestion(
                revision_id=draft.id,
                question_id=row.question_id,
                position=row.position,
                kind=row.kind,
                text=f"Draft: {row.text}",
                explanation=row.explanation,
                points=row.points,
                body=row.body,
            )
            for row in published
        )
        await session.commit()
        return draft.id


async def test_a_draft_revision_is_never_cached(app: Quart) -> None:
    await seed_v2(app, revised(OLD_MOON))
    draft = await add_draft(app)
    first, first_statements = await read_question_text(app, draft)
    assert first == "Draft: Which planet is the Red Planet?"
    await set_question_text(app, draft, "Draft, edited: which planet is red?")
    second, second_statements = await read_question_text(app, draft)
    assert second == "Draft, edited: which planet is red?"
    assert first_statements == second_statements > 0


async def test_a_published_revision_is_served_from_the_cache(app: Quart) -> None:
    await seed_v2(app, revised(OLD_MOON))
    quiz = await quiz_id(app, "revised")
    async with app.app_context():
        current = (
            await get_session().exec(select(Quiz.current_revision_id).where(Quiz.id == quiz))
        ).one()
    assert current is not None
    first, first_statements = await read_question_text(app, current)
    assert first == "Which planet is the Red Planet?"
    # Published content never changes; were it changed behind the app's back, the cache
    # would still answer, which shows the second read never reached the database.
    await set_question_text(app, current, "Changed behind the cache's back")
    second, second_statements = await read_question_text(app, current)
    assert second == first
    assert second_statements < first_statements
    assert second_statements == 0
