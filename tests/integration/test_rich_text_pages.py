"""Hostile HTML and Markdown through import and every page that shows a question: the
card, its feedback, the review and the import preview; nothing executable comes out."""

from __future__ import annotations

import io
import json

import pytest
from quart import Quart
from quart.datastructures import FileStorage

from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import sign_in
from tests.integration.test_import_pages import author
from tests.unit.test_rich_text import HOSTILE
from tests.unit.test_rich_text import executable
from web.db import get_session
from web.forms.quiz_import import parse_quiz_document
from web.services.quiz_import import import_quizzes


def hostile_quiz(text_format: str) -> dict[str, object]:
    questions = [
        {
            "kind": "single_choice",
            "text_format": text_format,
            "text": f"Pick one {payload}",
            "explanation": f"Because {payload}",
            "choices": [
                {"text": f"Right {payload}", "weight": 100, "feedback": f"Yes {payload}"},
                {"text": "Wrong", "feedback": f"No {payload}"},
            ],
        }
        for payload in HOSTILE
    ]
    return {
        "slug": f"hostile-{text_format}",
        "title": "Hostile",
        "category": "Safety",
        "published": True,
        "questions": questions,
    }


@pytest.mark.parametrize("text_format", ["plain", "markdown", "html"])
async def test_no_page_of_an_imported_quiz_runs_anything(app: Quart, text_format: str) -> None:
    document = {"format": 2, "quizzes": [hostile_quiz(text_format)]}
    parsed = parse_quiz_document(document)
    assert parsed.data is not None, parsed.errors
    async with app.app_context():
        await import_quizzes(get_session(), parsed.data)
    player = await sign_in(app)
    attempt_id = await player.start(f"hostile-{text_format}")
    pages = []
    for position in range(1, len(HOSTILE) + 1):
        pages.append(await (await player.get(question_url(attempt_id, position))).get_data(True))
        answered = await player.post(question_url(attempt_id, position), {"choice": "1"})
        pages.append(await (await player.get(answered.headers["Location"])).get_data(True))
    results = await player.get(f"/attempts/{attempt_id}/results")
    pages.append(await results.get_data(as_text=True))
    assert "Because" in pages[-1]
    for html in pages:
        # The page's own scripts are ours (app.js, htmx); only what the question brought counts.
        body = html.split("<main", 1)[1].split("</main>", 1)[0]
        assert executable(body) == [], body


async def test_the_import_preview_of_a_hostile_file_runs_nothing(app: Quart) -> None:
    player = await author(app)
    document = json.dumps({"format": 2, "quizzes": [hostile_quiz("html")]}).encode()
    response = await player.client.post(
        "/my-quizzes/import",
        form={"csrf_token": player.token},
        files={"file": FileStorage(io.BytesIO(document), filename="hostile.json")},
    )
    html = await (await player.get(response.headers["Location"])).get_data(as_text=True)
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Pick one" in body
    assert executable(body) == [], body
