"""The hot path's budget for every question kind (the issue's figures, as in
test_query_budget.py): an answer costs at most 6 SQL statements, and the card of a question
with 4 choices, items or pairs stays under 4 KB. Run with -s to see the measured figures."""

from __future__ import annotations

from typing import Any

import pytest
from quart import Quart

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import StatementCounter
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import sign_in
from tests.integration.test_kinds_http import FILLER
from tests.integration.test_kinds_http import case_of
from tests.integration.test_kinds_http import kind_quiz
from tests.integration.test_kinds_http import post_form
from tests.integration.test_kinds_http import seed_v2
from tests.integration.test_kinds_http import slug_of
from tests.integration.test_query_budget import MAX_FRAGMENT_BYTES
from tests.integration.test_query_budget import MAX_STATEMENTS
from tests.integration.test_query_budget import backend
from web.kinds import KINDS

EVERY_KIND = pytest.mark.parametrize("kind", list(KINDS))
MODES = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
OPTIONS = {"choices": 4, "items": 4, "pairs": 4}  # what a card of 4 is made of, per kind


def budget_quiz(kind: str, feedback_mode: str) -> dict[str, Any]:
    return kind_quiz(kind, slug=f"{slug_of(kind)}-{feedback_mode}", feedback_mode=feedback_mode)


@pytest.fixture
async def budget_player(app: Quart) -> Player:
    await seed_v2(
        app,
        *(budget_quiz(kind, mode) for kind in KINDS for mode in ("immediate", "exam")),
        *(
            kind_quiz(kind, slug=f"{slug_of(kind)}-shuffled", shuffle_choices=True)
            for kind in KINDS
        ),
    )
    return await sign_in(app)


def test_the_measured_cards_have_four_options() -> None:
    """The size budget is stated for 4 choices, items or pairs: the table's cards have them."""
    for kind in KINDS:
        question = case_of(kind).question
        sized = [key for key in OPTIONS if key in question]
        for key in sized:
            assert len(question[key]) == OPTIONS[key], (kind, key)
    assert FILLER["kind"] in KINDS


async def counted_answer(
    app: Quart, player: Player, attempt_id: int, position: int, form: Any, *, htmx: bool
) -> int:
    """Statements run by one answer; the card is fetched first, which warms the per-process
    content cache as any real visitor's page view would."""
    card = await player.get(question_url(attempt_id, position), htmx=htmx)
    assert card.status_code == 200
    with StatementCounter(app) as counter:
        response = await post_form(player, question_url(attempt_id, position), form, htmx=htmx)
    assert response.status_code in {200, 303}, await response.get_data(as_text=True)
    return len(counter)


@EVERY_KIND
@MODES
@pytest.mark.parametrize("feedback_mode", ["immediate", "exam"])
async def test_every_answer_stays_within_the_statement_budget(
    app: Quart, budget_player: Player, kind: str, htmx: bool, feedback_mode: str
) -> None:
    """The kind's answer, then the filler's, which finishes the attempt."""
    attempt_id = await budget_player.start(f"{slug_of(kind)}-{feedback_mode}")
    counts = [
        await counted_answer(
            app, budget_player, attempt_id, 1, case_of(kind).right.form, htmx=htmx
        ),
        await counted_answer(app, budget_player, attempt_id, 2, [("choice", "1")], htmx=htmx),
    ]
    mode = "htmx" if htmx else "plain"
    print(f"\n[budget {backend(app)}] {kind} {feedback_mode} {mode} statements: {counts}")
    assert max(counts) <= MAX_STATEMENTS, counts


@EVERY_KIND
@MODES
async def test_a_refused_answer_stays_within_the_statement_budget(
    app: Quart, budget_player: Player, kind: str, htmx: bool
) -> None:
    attempt_id = await budget_player.start(f"{slug_of(kind)}-immediate")
    await budget_player.get(question_url(attempt_id, 1))
    with StatementCounter(app) as counter:
        response = await post_form(
            budget_player, question_url(attempt_id, 1), case_of(kind).refused[0][0], htmx=htmx
        )
    assert response.status_code == 422
    assert len(counter) <= MAX_STATEMENTS, counter.statements


@EVERY_KIND
@pytest.mark.parametrize("variant", ["immediate", "exam", "shuffled"])
async def test_the_card_fragment_stays_under_four_kilobytes(
    app: Quart, budget_player: Player, kind: str, variant: str
) -> None:
    """The card alone, the card refused (with its error and aria attributes), and the
    feedback or next card after an answer with the score out of band."""
    attempt_id = await budget_player.start(f"{slug_of(kind)}-{variant}")
    url = question_url(attempt_id, 1)
    card = await budget_player.get(url, htmx=True)
    card_bytes = len(await card.get_data())
    refused = await post_form(budget_player, url, case_of(kind).refused[0][0], htmx=True)
    assert refused.status_code == 422
    refused_bytes = len(await refused.get_data())
    answered = await post_form(budget_player, url, case_of(kind).right.form, htmx=True)
    assert answered.status_code == 200
    answered_bytes = len(await answered.get_data())
    print(
        f"\n[budget {backend(app)}] {kind} {variant}: card {card_bytes} B, "
        f"refused {refused_bytes} B, answered {answered_bytes} B"
    )
    assert card_bytes < MAX_FRAGMENT_BYTES
    assert refused_bytes < MAX_FRAGMENT_BYTES
    assert answered_bytes < MAX_FRAGMENT_BYTES
