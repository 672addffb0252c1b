"""Results of an attempt and the dashboard: what was scored, reviewed and still open."""

from __future__ import annotations

import re

from quart import Quart

from tests.integration.quiz_helpers import EXPLANATION
from tests.integration.quiz_helpers import Outline
from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import read_card
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import update_attempt

CATEGORY_ROW = re.compile(
    r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)%</td><td>(\d+)%</td></tr>'
)
RETAKE_FORM = re.compile(
    r'<form method="post" action="([^"]+)">\s*'
    r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
    r'<input type="hidden" name="retake" value="yes">\s*'
    r'<button type="submit">Retake quiz</button>'
)


async def finished(player: Player, slug: str, pattern: list[bool]) -> int:
    attempt_id = await player.start(slug)
    await player.play(attempt_id, pattern)
    return attempt_id


async def dashboard(player: Player) -> tuple[str, Outline]:
    response = await player.get("/dashboard")
    assert response.status_code == 200
    body = await response.get_data(as_text=True)
    return body, read(body)


# --------------------------------------------------------------------------- results


async def test_results_review_every_question(player: Player, app: Quart) -> None:
    """The score, the time, and for each question your answer, the right one and why."""
    attempt_id = await finished(player, "capitals", [True, False, True])
    await update_attempt(app, attempt_id, duration_seconds=75)
    response = await player.get(f"/attempts/{attempt_id}/results")
    body = await response.get_data(as_text=True)
    outline = read(body)
    assert response.status_code == 200
    assert outline.all("h1") == ["Results: Capitals"]
    assert "You scored 2 of 3 (67%)." in outline.text
    assert outline.definition("Time taken") == "1 min 15 s"
    assert outline.definition("Answered") == "3 of 3"
    assert outline.all("h3") == [f"capitals question {n}?" for n in (1, 2, 3)]
    assert "Correct: 1 of 1 point. Your answer: Right 1" in outline.text
    assert "Incorrect: 0 of 1 point. Your answer: Wrong 2a Correct answer: Right 2" in outline.text
    assert "Correct: 1 of 1 point. Your answer: Right 3" in outline.text
    for number in (1, 2, 3):
        assert f"{EXPLANATION} {number} for capitals." in outline.text
    assert "Retake quiz" in outline.all("button")


async def test_exam_results_reveal_what_the_attempt_hid(player: Player) -> None:
    """Exam mode keeps quiet during the attempt; the review is where answers are explained."""
    attempt_id = await finished(player, "exam", [False, True, False])
    outline = read(
        await (await player.get(f"/attempts/{attempt_id}/results")).get_data(as_text=True)
    )
    assert "You scored 1 of 3 (33%)." in outline.text
    assert "Incorrect: 0 of 1 point. Your answer: Wrong 1a Correct answer: Right 1" in outline.text
    assert f"{EXPLANATION} 3 for exam." in outline.text


async def test_retake_starts_a_new_attempt(player: Player, app: Quart) -> None:
    """The results' button begins again from question 1; the old results stay."""
    old = await finished(player, "capitals", [True, True, True])
    body = await (await player.get(f"/attempts/{old}/results")).get_data(as_text=True)
    match = RETAKE_FORM.search(body)
    assert match
    response = await player.post(match.group(1), {"retake": "yes"})
    assert response.status_code == 303
    new = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new != old
    entry = await player.get(f"/attempts/{new}")
    assert entry.headers["Location"] == question_url(new, 1)
    card_page = await (await player.get(question_url(new, 1))).get_data(as_text=True)
    assert read_card(card_page).question == "capitals question 1?"
    assert (await fetch_attempt(app, new)).answered_count == 0
    assert (await player.get(f"/attempts/{old}/results")).status_code == 200


async def test_results_of_an_unfinished_attempt_lead_back_to_it(player: Player) -> None:
    """No peeking at answers mid-attempt: results send you to where you left off."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))
    response = await player.get(f"/attempts/{attempt_id}/results")
    assert response.status_code == 303
    assert response.headers["Location"] == question_url(attempt_id, 2)
    fragment = await player.get(f"/attempts/{attempt_id}/results", htmx=True)
    assert fragment.headers["HX-Redirect"] == question_url(attempt_id, 2)


# --------------------------------------------------------------------------- the dashboard


async def test_a_new_dashboard_has_no_figures_yet(player: Player) -> None:
    """Before any finished attempt: zero attempts and no made-up averages."""
    _body, outline = await dashboard(player)
    assert outline.definition("Attempts") == "0"
    assert outline.definition("Average score") == "-"
    assert outline.definition("Best score") == "-"
    assert "No finished quizzes yet." in outline.text


async def test_dashboard_totals_categories_recent_and_open(player: Player, app: Quart) -> None:
    """Totals, a row per category, recent results linked, and open attempts to resume."""
    first = await finished(player, "capitals", [True, True, False])  # 2 of 3
    second = await finished(player, "capitals", [True, True, True])  # 3 of 3
    _body, outline = await dashboard(player)
    assert outline.definition("Attempts") == "2"
    assert outline.definition("Average score") == "83%"
    assert outline.definition("Best score") == "100%"

    exam = await finished(player, "exam", [True, False, False])  # 1 of 3, category Exams
    open_attempt = await player.start("timed")
    card = await player.card(open_attempt, 1)
    await player.answer(open_attempt, 1, card.pick(right=True))
    someone_else = await sign_in(app, "bob")
    await finished(someone_else, "capitals", [False, False, False])

    body, outline = await dashboard(player)
    assert outline.definition("Attempts") == "3"
    assert outline.definition("Average score") == "67%"
    assert outline.definition("Best score") == "100%"
    assert CATEGORY_ROW.findall(body) == [("Exams", "1", "33", "33"), ("General", "2", "83", "100")]

    recent = [href for _name, href in outline.links if href.endswith("/results")]
    assert recent == [f"/attempts/{n}/results" for n in (exam, second, first)]
    assert "Capitals: 3 of 3 (100%)" in outline.text
    assert "Exam Quiz: 1 of 3 (33%)" in outline.text
    assert outline.link("Resume Timed Quiz") == f"/attempts/{open_attempt}"
    assert "Timed Quiz: 1 of 3 answered." in outline.text

    resumed = await player.get(f"/attempts/{open_attempt}")
    assert resumed.headers["Location"] == question_url(open_attempt, 2)
