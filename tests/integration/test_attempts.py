"""Taking a quiz: card by card with plain forms or htmx, resuming, and every way to get it wrong."""

from __future__ import annotations

import asyncio
import re

import pytest
from quart import Quart
from quart import Response

from tests.concurrency import hold_together
from tests.conftest import csrf_token
from tests.integration.quiz_helpers import EXPLANATION
from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import attempts_of
from tests.integration.quiz_helpers import fetch_attempt
from tests.integration.quiz_helpers import log_in
from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import read_card
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import sign_in
from tests.integration.quiz_helpers import stored_answers
from web.services import attempts as attempt_service

SCORE_OOB = '<div id="score-panel" hx-swap-oob="innerHTML">'
CHOOSE = "Choose one of the answers, then submit."
SCORE_SENTENCE = re.compile(r"No answers yet|(Score|Answered): \d+ of \d+")


async def text_of(response: Response) -> str:
    return await response.get_data(as_text=True)


def score_text(html: str) -> str:
    """The sentence in #score-panel (the "Score" live region, or its out-of-band update)."""
    panel = html[html.index('id="score-panel"') :]
    match = SCORE_SENTENCE.search(panel)
    assert match, panel[:300]
    return match.group(0)


def read_before_writing(monkeypatch: pytest.MonkeyPatch, requests: int = 2) -> None:
    """Hold each answer request after it has read the attempt until all have: the race two
    workers can run, which only the unique (attempt, question) constraint can settle."""
    hold_together(monkeypatch, attempt_service, "load_state", requests)


# --------------------------------------------------------------------------- the happy paths


async def test_a_whole_quiz_by_plain_forms_ends_on_results(player: Player) -> None:
    """Without JavaScript: each answer redirects (PRG) to its feedback, the last to results."""
    attempt_id = await player.start("capitals")
    entry = await player.get(f"/attempts/{attempt_id}")
    assert entry.status_code == 303
    assert entry.headers["Location"] == question_url(attempt_id, 1)

    page = await text_of(await player.get(question_url(attempt_id, 1)))
    card = read_card(page)
    assert (card.position, card.total) == (1, 3)
    assert card.question == "capitals question 1?"
    assert card.labels == ["Right 1", "Wrong 1a", "Wrong 1b"]
    assert "Submit answer" in card.outline.all("button")
    assert "Finish quiz" in card.outline.all("button")
    assert 'id="score-panel" class="score-panel" role="status" aria-label="Score"' in page
    assert score_text(page) == "No answers yet"

    for position, right, heading, score in [
        (1, True, "Correct", "Score: 1 of 1"),
        (2, False, "Incorrect", "Score: 1 of 2"),
        (3, True, "Correct", "Score: 2 of 3"),
    ]:
        card = await player.card(attempt_id, position)
        response = await player.answer(attempt_id, position, card.pick(right=right))
        assert response.status_code == 303
        assert response.headers["Location"] == question_url(attempt_id, position)
        feedback_page = await text_of(await player.get(question_url(attempt_id, position)))
        feedback = read(feedback_page)
        assert heading in feedback.all("h2")
        assert f"{EXPLANATION} {position} for capitals." in feedback.text
        assert score_text(feedback_page) == score
        step = "See results" if position == 3 else "Next question"
        assert step in feedback.all("button")
        if not right:
            assert "Correct answer: Right 2" in feedback.text

    results = await player.get(f"/attempts/{attempt_id}/results")
    outline = read(await text_of(results))
    assert results.status_code == 200
    assert any("Results" in heading for heading in outline.all("h1"))
    assert "You scored 2 of 3" in outline.text


async def test_a_whole_quiz_with_htmx_swaps_fragments(player: Player) -> None:
    """With htmx: a card, then its feedback with the new score sent out of band."""
    attempt_id = await player.start("capitals")
    for position, right, heading, score in [
        (1, False, "Incorrect", "Score: 0 of 1"),
        (2, True, "Correct", "Score: 1 of 2"),
        (3, True, "Correct", "Score: 2 of 3"),
    ]:
        response = await player.get(question_url(attempt_id, position), htmx=True)
        body = await text_of(response)
        assert response.status_code == 200
        assert "<html" not in body
        assert "HX-Push-Url" not in response.headers  # "Next question" pushes (hx-push-url)
        card = read_card(body)
        assert (card.position, card.total) == (position, 3)
        assert card.question == f"capitals question {position}?"
        assert card.labels == [f"Right {position}", f"Wrong {position}a", f"Wrong {position}b"]
        assert card.outline.all("button") == ["Submit answer"]

        answered = await player.answer(attempt_id, position, card.pick(right=right), htmx=True)
        fragment = await text_of(answered)
        feedback = read(fragment)
        assert answered.status_code == 200
        assert "<html" not in fragment
        assert f"Question {position} of 3" in feedback.text
        assert feedback.all("h2") == [heading]
        assert f"{EXPLANATION} {position} for capitals." in feedback.text
        assert feedback.all("button") == ["See results" if position == 3 else "Next question"]
        assert SCORE_OOB in fragment
        assert score_text(fragment) == score

    results = await player.get(f"/attempts/{attempt_id}/results", htmx=True)
    body = await text_of(results)
    assert "<html" not in body
    assert "You scored 2 of 3" in read(body).text


async def test_exam_mode_with_htmx_reveals_nothing_until_the_results(player: Player) -> None:
    """Each answer brings the next card and "Answered: Y of M"; never right, wrong or why."""
    attempt_id = await player.start("exam")
    page = await text_of(await player.get(question_url(attempt_id, 1)))
    assert score_text(page) == "No answers yet"
    for position, right in [(1, True), (2, False)]:
        card = await player.card(attempt_id, position, htmx=True)
        response = await player.answer(attempt_id, position, card.pick(right=right), htmx=True)
        fragment = await text_of(response)
        assert response.status_code == 200
        assert "<html" not in fragment
        next_card = read_card(fragment)
        assert next_card.position == position + 1
        assert next_card.question == f"exam question {position + 1}?"
        assert response.headers["HX-Replace-Url"] == question_url(attempt_id, position + 1)
        assert SCORE_OOB in fragment
        assert score_text(fragment) == f"Answered: {position} of 3"
        for secret in ("Correct", "Incorrect", EXPLANATION, "Score:"):
            assert secret not in fragment, secret

    card = await player.card(attempt_id, 3, htmx=True)
    last = await player.answer(attempt_id, 3, card.pick(right=True), htmx=True)
    results = await text_of(last)
    assert last.status_code == 200
    assert last.headers["HX-Retarget"] == "#attempt-view"
    assert last.headers["HX-Reswap"] == "outerHTML"
    assert last.headers["HX-Replace-Url"] == f"/attempts/{attempt_id}/results"
    assert results.lstrip().startswith(
        '<title>Results: Exam Quiz · Hyperquiz</title><div id="attempt-view"'
    )
    assert "You scored 2 of 3" in read(results).text


async def test_exam_mode_by_plain_forms_moves_on_and_never_shows_an_answer_back(
    player: Player,
) -> None:
    """Without htmx an exam answer goes straight to the next card; answered cards stay shut."""
    attempt_id = await player.start("exam")
    card = await player.card(attempt_id, 1)
    response = await player.answer(attempt_id, 1, card.pick(right=False))
    assert response.status_code == 303
    assert response.headers["Location"] == question_url(attempt_id, 2)
    back = await player.get(question_url(attempt_id, 1))
    assert back.status_code == 303
    assert back.headers["Location"] == question_url(attempt_id, 2)
    page = await text_of(await player.get(question_url(attempt_id, 2)))
    assert score_text(page) == "Answered: 1 of 3"
    for secret in ("Correct", "Incorrect", EXPLANATION):
        assert secret not in page, secret
    for position in (2, 3):
        card = await player.card(attempt_id, position)
        await player.answer(attempt_id, position, card.pick(right=True))
    results = await text_of(await player.get(f"/attempts/{attempt_id}/results"))
    assert "You scored 2 of 3" in read(results).text


async def test_shuffled_order_is_stable_within_an_attempt_and_complete(player: Player) -> None:
    """The shuffle is per attempt: reloads, answers and resuming never reorder anything."""
    attempt_id = await player.start("shuffled")

    async def snapshot() -> list[tuple[str, list[str]]]:
        return [
            (card.question, card.labels)
            for card in [await player.card(attempt_id, n) for n in range(1, 7)]
        ]

    first = await snapshot()
    assert await snapshot() == first
    assert sorted(question for question, _labels in first) == [
        f"shuffled question {n}?" for n in range(1, 7)
    ]
    for question, labels in first:
        number = question.removeprefix("shuffled question ").removesuffix("?")
        assert sorted(labels) == [f"Right {number}", f"Wrong {number}a", f"Wrong {number}b"]

    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))
    assert await player.start("shuffled") == attempt_id
    for position in range(2, 7):
        again = await player.card(attempt_id, position)
        assert (again.question, again.labels) == first[position - 1]


# --------------------------------------------------------------------------- resuming


async def test_starting_again_resumes_the_open_attempt(player: Player, app: Quart) -> None:
    """A second "Start quiz" (another tab, the back button) returns to the same attempt."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))
    assert await player.start("capitals") == attempt_id
    entry = await player.get(f"/attempts/{attempt_id}")
    assert entry.headers["Location"] == question_url(attempt_id, 2)
    assert len(await attempts_of(app, player.user_id)) == 1


async def test_resume_after_logging_out_and_in_again(player: Player, app: Quart) -> None:
    """The attempt lives in the database: a new session picks up at the first unanswered card."""
    attempt_id = await player.start("capitals")
    for position in (1, 2):
        card = await player.card(attempt_id, position)
        await player.answer(attempt_id, position, card.pick(right=position == 1))
    logout = await player.post("/auth/logout")
    assert logout.status_code == 303

    client = app.test_client()
    again = Player(client, await log_in(client, "ada"), player.user_id)
    quiz_page = read(await text_of(await again.get("/quizzes/capitals")))
    assert "Resume quiz" in quiz_page.all("button")
    assert await again.start("capitals") == attempt_id
    entry = await again.get(f"/attempts/{attempt_id}")
    assert entry.headers["Location"] == question_url(attempt_id, 3)
    page = await text_of(await again.get(question_url(attempt_id, 3)))
    assert read_card(page).question == "capitals question 3?"
    assert score_text(page) == "Score: 1 of 2"


# --------------------------------------------------------------------------- refusals


async def test_someone_elses_attempt_does_not_exist_for_you(player: Player, app: Quart) -> None:
    """Another person's attempt is a 404 on every route: no peeking, answering or finishing."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    intruder = await sign_in(app, "mallory")
    responses = {
        "entry": await intruder.get(f"/attempts/{attempt_id}"),
        "card": await intruder.get(question_url(attempt_id, 1)),
        "fragment": await intruder.get(question_url(attempt_id, 1), htmx=True),
        "results": await intruder.get(f"/attempts/{attempt_id}/results"),
        "answer": await intruder.answer(attempt_id, 1, card.pick(right=True)),
        "finish": await intruder.post(f"/attempts/{attempt_id}/finish", {"confirmed": "yes"}),
    }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    assert "capitals question 1?" not in await text_of(responses["card"])
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.finished_at) == (0, None)
    assert await stored_answers(app, attempt_id) == []


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/999",
        "/attempts/999/questions/1",
        "/attempts/999/results",
        "/attempts/99999999999",
        "/attempts/99999999999999999999999/questions/1",
        "/attempts/0",
        "/attempts/-1",
        "/attempts/abc",
        "/attempts/{id}/questions/0",
        "/attempts/{id}/questions/4",
        "/attempts/{id}/questions/-1",
        "/attempts/{id}/questions/99999999999",
        "/attempts/{id}/questions/2147483647",
    ],
)
async def test_unknown_attempts_and_positions_are_not_found(player: Player, path: str) -> None:
    """Made-up or edited URLs get a 404 page, never a server error."""
    attempt_id = await player.start("capitals")
    for htmx in (False, True):
        shown = await player.get(path.format(id=attempt_id), htmx=htmx)
        assert shown.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/999/questions/1",
        "/attempts/{id}/questions/4",
        "/attempts/{id}/questions/0",
        "/attempts/{id}/questions/99999999999",
        "/attempts/99999999999/questions/1",
        "/attempts/0/finish",
    ],
)
async def test_posts_to_unknown_attempts_and_positions_are_not_found(
    player: Player, app: Quart, path: str
) -> None:
    """A forged submit to a card that cannot exist is a 404 like the card itself."""
    attempt_id = await player.start("capitals")
    url = path.format(id=attempt_id)
    posted = await player.post(url, {"choice": "1", "confirmed": "yes"})
    assert posted.status_code == 404
    assert await stored_answers(app, attempt_id) == []


@pytest.mark.parametrize("choice", [None, "", "abc", "-1", "1.0", "0", "9999", "99999999999", "²"])
async def test_a_bad_choice_is_refused_with_the_card_shown_again(
    player: Player, app: Quart, choice: str | None
) -> None:
    """Missing or garbage choices are a 422 with the same card and a message, nothing stored."""
    attempt_id = await player.start("capitals")
    form = {} if choice is None else {"choice": choice}
    for htmx in (False, True):
        response = await player.post(question_url(attempt_id, 1), form, htmx=htmx)
        body = await text_of(response)
        assert response.status_code == 422
        assert ("<html" in body) is not htmx
        card = read_card(body)
        assert (card.position, card.question) == (1, "capitals question 1?")
        assert 'role="alert"' in body
        assert CHOOSE in body
        # Each radio is marked invalid and points at the message (CONTRACT.md).
        assert body.count('aria-invalid="true" aria-describedby="question-error"') == 3
    assert await stored_answers(app, attempt_id) == []


async def test_answering_a_finished_attempt_is_refused(player: Player, app: Quart) -> None:
    """After finishing, an old tab's submit is turned away with a message; nothing changes."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))
    late_card = await player.card(attempt_id, 2)
    finished = await player.post(f"/attempts/{attempt_id}/finish", {"confirmed": "yes"})
    assert finished.status_code == 303

    late = await player.answer(attempt_id, 2, late_card.pick(right=True))
    assert late.status_code == 303
    assert late.headers["Location"] == f"/attempts/{attempt_id}/results"
    results = await text_of(await player.get(late.headers["Location"]))
    assert "This attempt is finished; answers can no longer change." in results
    late_htmx = await player.answer(attempt_id, 2, late_card.pick(right=True), htmx=True)
    assert late_htmx.headers["HX-Redirect"] == f"/attempts/{attempt_id}/results"

    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)
    assert len(await stored_answers(app, attempt_id)) == 1


async def test_a_double_submit_stores_one_answer(player: Player, app: Quart) -> None:
    """A second submit of the same card (reload, second tab) keeps the first answer."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    first = await player.answer(attempt_id, 1, card.pick(right=True))
    second = await player.answer(attempt_id, 1, card.pick(right=False))
    third = await player.answer(attempt_id, 1, card.pick(right=False), htmx=True)
    assert (first.status_code, second.status_code, third.status_code) == (303, 303, 200)
    assert read(await text_of(third)).all("h2") == ["Correct"]
    answers = await stored_answers(app, attempt_id)
    assert [(a.response, a.points) for a in answers] == [
        ({"choice": int(card.pick(right=True))}, 1)
    ]
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)


@pytest.mark.parametrize("htmx", [False, True])
async def test_two_concurrent_submits_store_one_answer(
    player: Player, app: Quart, htmx: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests racing for the same card: one answer stored, the counters move once."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    read_before_writing(monkeypatch)
    responses = await asyncio.gather(
        player.answer(attempt_id, 1, card.pick(right=True), htmx=htmx),
        player.answer(attempt_id, 1, card.pick(right=False), htmx=htmx),
    )
    monkeypatch.undo()
    expected = 200 if htmx else 303
    assert [r.status_code for r in responses] == [expected, expected]
    answers = await stored_answers(app, attempt_id)
    assert len(answers) == 1
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.answered_count == 1
    assert attempt.points_awarded == int(answers[0].points)


@pytest.mark.parametrize("slug", ["capitals", "exam"])
async def test_racing_htmx_submits_both_show_the_stored_answer(
    player: Player, app: Quart, slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request that loses the race must not hand back the unanswered card (inviting a
    third submit) or a score that leaves the answer out: it shows what was stored."""
    attempt_id = await player.start(slug)
    card = await player.card(attempt_id, 1, htmx=True)
    read_before_writing(monkeypatch)
    responses = await asyncio.gather(
        player.answer(attempt_id, 1, card.pick(right=True), htmx=True),
        player.answer(attempt_id, 1, card.pick(right=False), htmx=True),
    )
    monkeypatch.undo()
    answers = await stored_answers(app, attempt_id)
    assert len(answers) == 1
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded) == (1, int(answers[0].points))
    bodies = [await text_of(response) for response in responses]
    if slug == "exam":
        expected = ("Answered: 1 of 3", "exam question 2?")
        assert [(score_text(b), read_card(b).question) for b in bodies] == [expected, expected]
    else:
        verdict = "Correct" if answers[0].points else "Incorrect"
        score = f"Score: {int(answers[0].points)} of 1"
        seen = [(read(b).all("h2"), score_text(b)) for b in bodies]
        assert seen == [([verdict], score), ([verdict], score)]


async def test_two_concurrent_last_answers_finish_once(
    player: Player, app: Quart, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last two cards answered at once (two tabs), each request blind to the other's
    answer: both count, and the attempt finishes exactly once."""
    attempt_id = await player.start("capitals")
    cards = [await player.card(attempt_id, n) for n in (1, 2, 3)]
    await player.answer(attempt_id, 1, cards[0].pick(right=True))
    read_before_writing(monkeypatch)
    responses = await asyncio.gather(
        player.answer(attempt_id, 2, cards[1].pick(right=True)),
        player.answer(attempt_id, 3, cards[2].pick(right=False)),
    )
    monkeypatch.undo()
    assert [r.status_code for r in responses] == [303, 303]
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded) == (3, 2)
    assert attempt.finished_at is not None
    assert attempt.duration_seconds is not None
    assert len(await stored_answers(app, attempt_id)) == 3


async def test_two_concurrent_starts_open_one_attempt(player: Player, app: Quart) -> None:
    """A double click on "Start quiz" must resume, not fail or open a second attempt."""
    responses = await asyncio.gather(
        player.post("/quizzes/capitals/attempts"), player.post("/quizzes/capitals/attempts")
    )
    assert [r.status_code for r in responses] == [303, 303]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert len(await attempts_of(app, player.user_id)) == 1


async def test_finishing_early_counts_unanswered_questions_as_wrong(
    player: Player, app: Quart
) -> None:
    """A plain form first asks for confirmation; once confirmed, the gaps score nothing."""
    attempt_id = await player.start("capitals")
    card = await player.card(attempt_id, 1)
    await player.answer(attempt_id, 1, card.pick(right=True))

    ask = await player.post(f"/attempts/{attempt_id}/finish")
    confirm = read(await text_of(ask))
    assert ask.status_code == 200
    assert "You have answered 1 of 3 questions." in confirm.text
    assert "Finish quiz" in confirm.all("button")
    assert (await fetch_attempt(app, attempt_id)).finished_at is None

    done = await player.post(f"/attempts/{attempt_id}/finish", {"confirmed": "yes"})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/attempts/{attempt_id}/results"
    results = read(await text_of(await player.get(done.headers["Location"])))
    assert "You scored 1 of 3" in results.text
    assert results.text.count("Your answer: not answered") == 2
    attempt = await fetch_attempt(app, attempt_id)
    assert (attempt.answered_count, attempt.points_awarded) == (1, 1)
    assert attempt.finished_at is not None


async def test_finishing_with_htmx_swaps_in_the_results(player: Player, app: Quart) -> None:
    """htmx already confirmed (hx-confirm): the results replace the attempt view in place."""
    attempt_id = await player.start("exam")
    response = await player.post(f"/attempts/{attempt_id}/finish", htmx=True)
    body = await text_of(response)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#attempt-view"
    assert response.headers["HX-Replace-Url"] == f"/attempts/{attempt_id}/results"
    assert "You scored 0 of 3" in read(body).text
    assert (await fetch_attempt(app, attempt_id)).finished_at is not None


async def test_unverified_people_cannot_start(app: Quart) -> None:
    """Starting needs a verified email; the refusal says so."""
    await seed_quizzes(app)
    player = await sign_in(app, verified=False)
    response = await player.post("/quizzes/capitals/attempts")
    assert response.status_code == 403
    assert "Verify your email before starting a quiz" in await text_of(response)
    assert await attempts_of(app, player.user_id) == []


async def test_anonymous_visitors_are_sent_to_log_in(app: Quart) -> None:
    """No account, no attempt: every attempt route leads to the log-in page."""
    await seed_quizzes(app)
    client = app.test_client()
    token = await csrf_token(client)
    start = await client.post("/quizzes/capitals/attempts", form={"csrf_token": token})
    assert start.status_code == 303
    assert start.headers["Location"].startswith("/auth/login")
    page = await client.get("/attempts/1/questions/1")
    assert page.status_code == 303
    assert page.headers["Location"].startswith("/auth/login?next=")
    fragment = await client.get("/attempts/1", headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"].startswith("/auth/login")


async def test_every_attempt_response_is_never_cached(player: Player) -> None:
    """Back/forward must ask again: a cached card would show a question already answered."""
    start = await player.post("/quizzes/capitals/attempts")
    attempt_id = int(start.headers["Location"].rsplit("/", 1)[1])
    card = await player.card(attempt_id, 1)
    responses = {
        "start": start,
        "entry": await player.get(f"/attempts/{attempt_id}"),
        "card": await player.get(question_url(attempt_id, 1)),
        "fragment": await player.get(question_url(attempt_id, 1), htmx=True),
        "refused": await player.post(question_url(attempt_id, 1), {"choice": "x"}),
        "answer": await player.answer(attempt_id, 1, card.pick(right=True)),
        "feedback": await player.get(question_url(attempt_id, 1)),
        "confirm": await player.post(f"/attempts/{attempt_id}/finish"),
        "missing": await player.get("/attempts/999"),
        "finish": await player.post(f"/attempts/{attempt_id}/finish", {"confirmed": "yes"}),
        "results": await player.get(f"/attempts/{attempt_id}/results"),
    }
    assert {name: r.headers.get("Cache-Control") for name, r in responses.items()} == dict.fromkeys(
        responses, "no-store"
    )
