"""Authoring and history: republishing never changes an attempt already taken, and what an
author types in the editor (however hostile) is shown, never run."""

from __future__ import annotations

import re

from quart import Quart

from tests.integration.quiz_helpers import question_url
from tests.integration.quiz_helpers import sign_in
from tests.integration.test_authoring_pages import add
from tests.integration.test_authoring_pages import author
from tests.integration.test_authoring_pages import create
from tests.integration.test_authoring_pages import html
from tests.integration.test_authoring_pages import question_ids
from tests.unit.test_rich_text import HOSTILE
from tests.unit.test_rich_text import executable

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _save_form(text: str, answer: str, version: int, text_format: str = "plain") -> dict[str, str]:
    return {"text": text, "points": "2", "explanation": f"Why: {text}", "version": str(version),
            "text_format": text_format, "correct-answer": answer}  # fmt: skip


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


async def test_republishing_leaves_finished_attempts_as_they_were(app: Quart) -> None:
    writer = await author(app)
    slug = await create(writer, "Water")
    await add(writer, slug, "true_false")
    (question,) = await question_ids(app)
    url = f"/my-quizzes/{slug}/questions/{question}"
    assert (await writer.post(url, _save_form("Is water wet?", "true", 1))).status_code == 303
    assert (await writer.post(f"/my-quizzes/{slug}/publish")).status_code == 303

    taker = await sign_in(app, "taker")
    attempt = await taker.start(slug)
    answered = await taker.post(question_url(attempt, 1), {"choice": "true"})
    assert answered.status_code == 303  # to its feedback; the last answer finished it
    before = CSRF.sub("", await html(await taker.get(f"/attempts/{attempt}/results")))
    assert "You scored 2 of 2 (100%)." in before

    # The author turns the answer round, rewords it and republishes, twice.
    for round_ in (1, 2):
        changed = _save_form(f"Is ice wet? ({round_})", "false", 1)
        assert (await writer.post(url, changed)).status_code == 303
        assert (await writer.post(f"/my-quizzes/{slug}/publish")).status_code == 303

    after = CSRF.sub("", await html(await taker.get(f"/attempts/{attempt}/results")))
    assert after == before
    again = await taker.start(slug)
    card = await html(await taker.get(question_url(again, 1)))
    assert "Is ice wet? (2)" in card


async def test_hostile_text_typed_in_the_editor_is_shown_never_run(app: Quart) -> None:
    writer = await author(app)
    slug = await create(writer, "Hostile")
    for _ in HOSTILE[:6]:
        await add(writer, slug, "true_false")
    for number, (question, payload) in enumerate(
        zip(await question_ids(app), HOSTILE, strict=False)
    ):
        text_format = ("plain", "markdown", "html")[number % 3]
        form = _save_form(f"Q {payload}", "true", 1, text_format)
        saved = await writer.post(f"/my-quizzes/{slug}/questions/{question}", form)
        assert saved.status_code == 303, await html(saved)
    pages = [await html(await writer.get(f"/my-quizzes/{slug}"))]
    first = (await question_ids(app))[0]
    pages.append(await html(await writer.get(f"/my-quizzes/{slug}/questions/{first}/edit")))
    preview = await writer.get(f"/my-quizzes/{slug}/preview/1")
    pages.append(await html(preview))
    pages.append(await html(await writer.post(f"/my-quizzes/{slug}/preview/1", {"choice": "true"})))
    assert "Q " in pages[0]
    for page in pages:
        assert executable(_main(page)) == [], _main(page)
