"""The browser import: upload a quiz file, preview it page by page, import it as a draft."""

from __future__ import annotations

import io
import json
import re

from quart import Quart
from quart.datastructures import FileStorage
from quart.testing import QuartClient
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import sign_in
from web.db import get_session
from web.models import ImportUpload
from web.models import Quiz
from web.models import QuizRevision
from web.models import User

AIKEN = "".join(
    f"Question {n}: which is right?\nA. Wrong\nB. Right {n}\nANSWER: B\n\n" for n in range(1, 31)
)


async def author(app: Quart, name: str = "ada") -> Player:
    player = await sign_in(app, name)
    async with app.app_context():
        session = get_session()
        await session.exec(update(User).where(col(User.username) == name).values(is_author=True))
        await session.commit()
    return player


async def upload(
    player: Player, content: bytes, filename: str = "capitals.txt", **form: str
) -> tuple[int, str]:
    client: QuartClient = player.client
    response = await client.post(
        "/my-quizzes/import",
        form={"csrf_token": player.token, **form},
        files={"file": FileStorage(io.BytesIO(content), filename=filename)},
    )
    return response.status_code, response.headers.get("Location", "")


async def test_a_file_is_previewed_in_pages_and_imported_as_a_draft(app: Quart) -> None:
    player = await author(app)
    form = read(await (await player.get("/my-quizzes/import")).get_data(as_text=True))
    assert {"Quiz file", "Format", "Title"} <= set(form.labels.values())

    status, location = await upload(player, AIKEN.encode(), title="World facts")
    assert status == 303
    assert re.fullmatch(r"/my-quizzes/import/[\w-]+", location)
    page = read(await (await player.get(location)).get_data(as_text=True))
    assert "30 questions in capitals.txt, page 1 of 2" in page.all("h2")
    assert page.all("legend")[:2] == ["Question 1: which is right?", "Question 2: which is right?"]
    assert "Right 1" in page.labels.values()
    second = read(await (await player.get(f"{location}?page=2")).get_data(as_text=True))
    assert second.all("legend")[0] == "Question 26: which is right?"
    assert ("Previous page", f"{location}?page=1") in second.links

    imported = await player.post(location)
    assert imported.status_code == 303
    async with app.app_context():
        session = get_session()
        quiz = (await session.exec(select(Quiz))).one()
        assert (quiz.title, quiz.current_revision_id, quiz.is_published) == (
            "World facts", None, False,
        )  # fmt: skip
        statuses = (await session.exec(select(QuizRevision.status))).all()
        assert list(statuses) == ["draft"]
        assert (await session.exec(select(ImportUpload))).all() == []  # spent
    assert (await player.post(location)).status_code == 404  # imported once


async def test_problems_are_listed_with_their_lines_and_block_the_import(app: Quart) -> None:
    player = await author(app)
    broken = "Is it?\nA. Yes\nB. No\nANSWER: C\n"
    status, location = await upload(player, broken.encode(), format="aiken")
    assert status == 303
    page = read(await (await player.get(location)).get_data(as_text=True))
    assert re.search(r"line 4: .*C", page.text)
    assert "Import" not in page.all("button")
    assert (await player.post(location)).status_code == 409


async def test_uploads_are_refused_in_place_and_belong_to_their_author(app: Quart) -> None:
    player = await author(app)
    status, _ = await upload(player, b"caf\xe9 {=oui}", filename="latin1.gift")
    assert status == 303  # kept: the preview says why it cannot be read
    missing = await player.client.post("/my-quizzes/import", form={"csrf_token": player.token})
    assert missing.status_code == 422
    assert "Choose a quiz file to import." in await missing.get_data(as_text=True)

    _, location = await upload(player, AIKEN.encode())
    other = await author(app, "bob")
    assert (await other.get(location)).status_code == 404
    plain = await sign_in(app, "cy")
    assert (await plain.get("/my-quizzes/import")).status_code == 403


async def test_an_upload_over_the_import_limit_is_413_and_elsewhere_1_mib(app: Quart) -> None:
    player = await author(app)
    app.config["IMPORT_MAX_BYTES"] = 2 * 1024 * 1024
    big = (AIKEN * 60).encode()  # about 2.4 MB: over 1 MiB and within 5 MiB
    status, _ = await upload(player, big)
    assert status == 303
    huge = b"x" * (6 * 1024 * 1024)
    status, _ = await upload(player, huge)
    assert status == 413
    form = {"csrf_token": player.token, "identifier": "x" * (2 * 1024 * 1024)}
    assert (await player.client.post("/auth/login", form=form)).status_code == 413


async def test_an_author_exports_their_quiz_as_gift_and_json(app: Quart) -> None:
    player = await author(app)
    gift = b"Which planet is red? {=Mars ~Venus}\n\nThe Sun is a star. {T}\n"
    _, location = await upload(player, gift, filename="planets.gift")
    assert (await player.post(location)).status_code == 303
    as_gift = await player.get("/my-quizzes/planets/export.gift")
    assert as_gift.status_code == 200
    assert 'filename="planets.gift"' in as_gift.headers["Content-Disposition"]
    text = await as_gift.get_data(as_text=True)
    assert "Which planet is red?" in text
    assert "=Mars" in text
    assert "~Venus" in text
    as_json = await player.get("/my-quizzes/planets/export.json")
    document = json.loads(await as_json.get_data(as_text=True))
    assert [q["kind"] for q in document["quizzes"][0]["questions"]] == [
        "single_choice",
        "true_false",
    ]
    other = await author(app, "bob")
    assert (await other.get("/my-quizzes/planets/export.gift")).status_code == 404
