"""The hot path's budget (issue text): an answer costs at most 6 SQL statements, and a question
fragment stays under 4 KB. Run with -s to see the measured figures."""

from __future__ import annotations

import pytest
from quart import Quart

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import StatementCounter
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import quiz_doc
from tests.integration.quiz_helpers import seed_quizzes
from web.db import get_database

MAX_STATEMENTS = 6
MAX_FRAGMENT_BYTES = 4096


def backend(app: Quart) -> str:
    return get_database(app).engine.dialect.name


async def measure_answer(
    app: Quart, player: Player, attempt_id: int, position: int, *, right: bool, htmx: bool
) -> tuple[int, int]:
    """(statements, status) of one answer; the card is fetched first, which warms the
    per-process content cache as any real visitor's page view would."""
    card = await player.card(attempt_id, position, htmx=htmx)
    with StatementCounter(app) as counter:
        response = await player.answer(attempt_id, position, card.pick(right=right), htmx=htmx)
    assert response.status_code in {200, 303}, await response.get_data(as_text=True)
    return len(counter), response.status_code


@pytest.mark.parametrize("slug", ["capitals", "exam", "shuffled", "timed"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_answering_stays_within_the_statement_budget(
    app: Quart, player: Player, slug: str, htmx: bool
) -> None:
    """Every answer of a whole attempt, the last one (which finishes it) included."""
    attempt_id = await player.start(slug)
    total = (await player.card(attempt_id, 1)).total
    counts = [
        (await measure_answer(app, player, attempt_id, n, right=n % 2 == 1, htmx=htmx))[0]
        for n in range(1, total + 1)
    ]
    mode = "htmx" if htmx else "plain"
    print(f"\n[budget {backend(app)}] {slug} {mode} answer statements per question: {counts}")
    assert max(counts) <= MAX_STATEMENTS, counts


async def test_the_statements_of_one_answer_are_the_expected_ones(
    app: Quart, player: Player
) -> None:
    """Names what the budget buys, so a regression shows which statement crept in."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1, htmx=True)
    with StatementCounter(app) as counter:
        await player.answer(attempt_id, 1, card.pick(right=True), htmx=True)
    kinds = [statement.split()[0] for statement in counter.statements]
    print(f"\n[budget {backend(app)}] one htmx answer: {len(counter)} statements: {kinds}")
    assert kinds.count("INSERT") == 1
    assert kinds.count("UPDATE") == 1
    assert len(counter) <= MAX_STATEMENTS


@pytest.mark.parametrize("slug", ["capitals", "exam", "shuffled", "timed", "widest"])
async def test_question_fragments_stay_under_four_kilobytes(
    app: Quart, player: Player, slug: str
) -> None:
    """What htmx swaps per question: the card alone, and the card with the score out of band.
    "widest" has the most choices a question may have (nine), where markup adds up most."""
    await seed_quizzes(
        app, quiz_doc("widest", choices=9, feedback_mode="exam", shuffle_choices=True)
    )
    attempt_id = await player.start(slug)
    response = await player.get(question_url(attempt_id, 1), htmx=True)
    card_bytes = len(await response.get_data())
    with StatementCounter(app) as counter:
        again = await player.get(question_url(attempt_id, 1), htmx=True)
    assert len(await again.get_data()) == card_bytes
    first = await player.card(attempt_id, 1, htmx=True)
    answered = await player.answer(attempt_id, 1, first.pick(right=True), htmx=True)
    answered_bytes = len(await answered.get_data())
    print(
        f"\n[budget {backend(app)}] {slug}: card fragment {card_bytes} B "
        f"({len(counter)} statements to render), after an answer {answered_bytes} B"
    )
    assert card_bytes < MAX_FRAGMENT_BYTES
    assert answered_bytes < MAX_FRAGMENT_BYTES


def state_loads(counter: StatementCounter) -> tuple[int, int]:
    """(attempt reads, answer reads) among the statements: one of each loads the state."""
    selects = [s for s in counter.statements if s.startswith("SELECT")]
    attempts = sum("FROM attempts JOIN quizzes" in s for s in selects)
    answers = sum("FROM user_answers" in s for s in selects)
    return attempts, answers


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_results_load_the_attempt_state_once(app: Quart, player: Player, htmx: bool) -> None:
    attempt_id = await player.start("capitals")
    await player.play(attempt_id, [True, False, True])
    await player.get(f"/attempts/{attempt_id}/results")  # warms the content cache
    with StatementCounter(app) as counter:
        response = await player.get(f"/attempts/{attempt_id}/results", htmx=htmx)
    assert response.status_code == 200
    assert state_loads(counter) == (1, 1), counter.statements


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_refused_answer_loads_the_attempt_state_once(
    app: Quart, player: Player, htmx: bool
) -> None:
    attempt_id = await player.start("capitals")
    await player.card(attempt_id, 1)
    with StatementCounter(app) as counter:
        response = await player.answer(attempt_id, 1, "", htmx=htmx)
    assert response.status_code == 422
    assert state_loads(counter) == (1, 1), counter.statements


async def test_finishing_loads_the_attempt_state_once(app: Quart, player: Player) -> None:
    """htmx finishes and shows the results in one response, from one load of the state."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))
    with StatementCounter(app) as counter:
        response = await player.post(f"/attempts/{attempt_id}/finish", htmx=True)
    assert response.status_code == 200
    assert "You scored 1 of 3" in await response.get_data(as_text=True)
    assert state_loads(counter) == (1, 1), counter.statements
