"""Results for the author: the attempts page (columns per question identity across
revisions, pages, who may see it) and the CSV download (streamed in batches, formulas
neutralised)."""

from __future__ import annotations

import csv
import inspect
import io
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from quart import Quart
from quart.testing import QuartClient
from sqlalchemy import insert
from sqlalchemy import text as sql
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update

from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from web.db import get_database
from web.db import get_session
from web.forms.authoring import QuestionFields
from web.forms.authoring import QuizSettings
from web.kinds import KINDS
from web.models import Attempt
from web.models import Quiz
from web.models import User
from web.models import UserAnswer
from web.services import authoring
from web.services import drafts
from web.services import publishing
from web.services import results

SETTINGS = QuizSettings(
    title="Results Quiz",
    description="Counted.",
    category="Tests",
    difficulty="easy",
    time_limit_seconds=None,
    feedback_mode="immediate",
    shuffle_questions=False,
    shuffle_choices=False,
)
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
SLUG = "results-quiz"
URL = f"/my-quizzes/{SLUG}/results"


async def _make(app: Quart, name: str, *, author: bool = False, admin: bool = False) -> User:
    user_id = await make_user(app, name, is_admin=admin)
    async with app.app_context():
        session = get_session()
        await session.exec(update(User).where(col(User.id) == user_id).values(is_author=author))
        await session.commit()
        user = await session.get(User, user_id)
        assert user is not None
        session.expunge(user)
        return user


async def _save(session: Any, owner: User, question_id: int, text_: str, points: float) -> None:
    editing = await drafts.editing(session, owner, SLUG)
    # A published quiz's first edit copies it into a draft whose rows start at version 1.
    version = editing.question(question_id).version if editing.is_draft else 1
    await drafts.save_question(
        session, owner, SLUG, question_id, version=version,
        fields=QuestionFields(text_, points, "", "plain"), body=KINDS["true_false"].starter,
    )  # fmt: skip


async def _quiz(
    app: Quart, owner: User, texts: tuple[str, str] = ("Sky blue?", "Grass red?")
) -> tuple[int, int, int]:
    """A published quiz of two true/false questions worth 1 and 2: (revision, q1, q2)."""
    async with app.app_context():
        session = get_session()
        await authoring.create_quiz(session, owner, SETTINGS)
        first = await drafts.add_question(session, owner, SLUG, "true_false")
        second = await drafts.add_question(session, owner, SLUG, "true_false")
        await _save(session, owner, first, texts[0], 1)
        await _save(session, owner, second, texts[1], 2)
        revision = await publishing.publish(session, owner, SLUG)
        assert revision.id is not None
        return revision.id, first, second


async def _attempts(
    app: Quart,
    revision_id: int,
    takers: list[int],
    earned: list[dict[int, float]],
    *,
    possible: float = 3,
    first: int = 0,
) -> None:
    """Finished attempts, straight into the tables: attempt i by takers[i % len], started
    START + (first + i) minutes, lasting first + i seconds, with answers earned[i]."""
    async with app.app_context():
        session = get_session()
        quiz = (await session.exec(select(Quiz).where(col(Quiz.slug) == SLUG))).one()
        base = (await session.exec(select(Attempt.id).order_by(col(Attempt.id).desc()))).first()
        base = base or 0
        rows, answers = [], []
        for index, points in enumerate(earned):
            number = first + index
            started = START + timedelta(minutes=number)
            rows.append(
                {
                    "id": base + index + 1,
                    "user_id": takers[index % len(takers)],
                    "quiz_id": quiz.id,
                    "revision_id": revision_id,
                    "question_count": len(points),
                    "answered_count": len(points),
                    "points_awarded": sum(points.values()),
                    "points_answered": possible,
                    "points_possible": possible,
                    "shuffle_seed": 0,
                    "started_at": started,
                    "finished_at": started + timedelta(seconds=number),
                    "duration_seconds": number,
                }
            )
            answers += [
                {"attempt_id": base + index + 1, "question_id": question, "points": value,
                 "response": {"value": True}, "answered_at": started}
                for question, value in points.items()
            ]  # fmt: skip
        await session.exec(insert(Attempt), params=rows)
        if answers:
            await session.exec(insert(UserAnswer), params=answers)
        if session.get_bind().dialect.name == "postgresql":  # ids given by hand: move on
            move = "SELECT setval(pg_get_serial_sequence('attempts', 'id'), max(id)) FROM attempts"
            await session.exec(sql(move))
        await session.commit()


def _cells(body: str) -> list[list[str]]:
    """The table's body rows, each cell's text with tags and spaces squeezed."""
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    assert tbody, "no results table"
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S)
    ]


def _headers(body: str) -> list[str]:
    thead = re.search(r"<thead>(.*?)</thead>", body, re.S)
    assert thead
    return [
        re.sub(r"<[^>]+>|\s+", " ", h).strip()
        for h in re.findall(r"<th[^>]*>(.*?)</th>", thead[1], re.S)
    ]


@pytest.fixture
async def owner(app: Quart) -> User:
    return await _make(app, "owner", author=True)


@pytest.fixture
async def owner_client(app: Quart, owner: User) -> QuartClient:
    return await signed_in(app, "owner")


# The page ---------------------------------------------------------------------------------------


async def test_the_page_shows_each_finished_attempt(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    revision, q1, q2 = await _quiz(app, owner)
    ada = await make_user(app, "ada")
    bob = await make_user(app, "bob")
    await _attempts(app, revision, [ada, bob], [{q1: 1, q2: 2}, {q1: 1}], first=65)
    async with app.app_context():  # an attempt still open is no result yet
        session = get_session()
        quiz = (await session.exec(select(Quiz).where(col(Quiz.slug) == SLUG))).one()
        assert quiz.id is not None
        session.add(Attempt.begin(ada, quiz.id, revision, question_count=2, points_possible=3,
                                  time_limit_seconds=None))  # fmt: skip
        await session.commit()

    response = await owner_client.get(URL)
    body = await text(response)
    assert response.status_code == 200
    assert "<h1>Results: Results Quiz</h1>" in body
    assert "2 finished attempts" in body
    assert f'href="/my-quizzes/{SLUG}/results.csv"' in body
    assert ">Download results (CSV)</a>" in body
    assert _headers(body) == [
        "Taker", "Started", "Finished", "Duration", "Points", "Percent",
        "1. Sky blue?", "2. Grass red?",
    ]  # fmt: skip
    assert _cells(body) == [  # newest first
        [
            "bob",
            "2024-05-01 10:06 UTC",
            "2024-05-01 10:07 UTC",
            "1 min 6 s",
            "1 of 3",
            "33%",
            "1",
            "0",
        ],
        [
            "ada",
            "2024-05-01 10:05 UTC",
            "2024-05-01 10:06 UTC",
            "1 min 5 s",
            "3 of 3",
            "100%",
            "1",
            "2",
        ],
    ]
    assert '<time datetime="2024-05-01T10:05:00Z">' in body
    assert "HX-Request" in response.headers["Vary"]


async def test_columns_follow_each_question_across_revisions(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    """Renamed and moved: one column, under its newest text and position; removed: still a
    column, blank for the revision that no longer asked it; added: blank for older ones."""
    first_revision, q1, q2 = await _quiz(app, owner)
    ada = await make_user(app, "ada")
    await _attempts(app, first_revision, [ada], [{q1: 1, q2: 2}])
    async with app.app_context():
        session = get_session()
        await _save(session, owner, q1, "Is the sky blue?", 1)
        await drafts.delete_question(session, owner, SLUG, q2)
        q3 = await drafts.add_question(session, owner, SLUG, "true_false")
        await _save(session, owner, q3, "Snow white?", 1)
        assert await drafts.move_question(session, owner, SLUG, q3, by=-1) == 1
        second = await publishing.publish(session, owner, SLUG)
        assert second.id is not None
    await _attempts(app, second.id, [ada], [{q3: 1}], possible=2, first=1)

    body = await text(await owner_client.get(URL))
    headers = _headers(body)[6:]
    assert headers == ["1. Snow white?", "2. Is the sky blue?", "2. Grass red?"]
    rows = _cells(body)
    assert [row[0] for row in rows] == ["ada", "ada"]
    assert rows[0][4:] == ["1 of 2", "50%", "1", "0", "Not asked"]  # the second revision's
    assert rows[1][4:] == ["3 of 3", "100%", "Not asked", "1", "2"]  # the first's
    assert '<span class="visually-hidden">Not asked</span>' in body


async def test_results_come_in_pages_and_htmx_gets_the_table(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    revision, q1, _q2 = await _quiz(app, owner)
    ada = await make_user(app, "ada")
    await _attempts(app, revision, [ada], [{q1: 1}] * 30)
    first = await text(await owner_client.get(URL))
    assert len(_cells(first)) == results.PAGE_SIZE
    assert "30 finished attempts, page 1 of 2" in first
    assert f'href="{URL}?page=2"' in first
    assert ">Next page</a>" in first

    response = await owner_client.get(f"{URL}?page=2", headers=HTMX)
    second = await text(response)
    assert response.status_code == 200
    assert "<html" not in second
    assert second.startswith(
        '<title>Results: Results Quiz · Hyperquiz</title><section id="quiz-results"'
    )
    assert "data-swap-focus" in second
    assert ">Previous page</a>" in second
    assert [row[3] for row in _cells(second)] == [f"{n} s" for n in range(4, -1, -1)]


async def test_a_quiz_without_attempts_says_so(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    await _quiz(app, owner)
    body = await text(await owner_client.get(URL))
    assert "0 finished attempts" in body
    assert "No finished attempts yet." in body
    assert "<table" not in body


async def test_only_the_owner_and_admins_see_results(app: Quart, owner: User) -> None:
    revision, q1, _q2 = await _quiz(app, owner)
    await _make(app, "rival", author=True)
    await _make(app, "member")
    await _make(app, "root", admin=True)
    await _attempts(app, revision, [owner.id or 0], [{q1: 1}])
    for path in (URL, f"{URL}.csv"):
        logged_out = await app.test_client().get(path)
        assert logged_out.status_code == 303
        assert logged_out.headers["Location"].startswith("/auth/login")
        member = await (await signed_in(app, "member")).get(path)
        assert member.status_code == 403
        assert "Only authors write quizzes" in await text(member)
        rival = await (await signed_in(app, "rival")).get(path)
        assert rival.status_code == 404
        assert "among yours" in await text(rival)
        assert "owner" not in await text(rival)
        admin = await (await signed_in(app, "root")).get(path)
        assert admin.status_code == 200
        assert "owner" in await text(admin)
    missing = await (await signed_in(app, "owner")).get("/my-quizzes/no-such-quiz/results")
    assert missing.status_code == 404


async def test_a_removed_author_sees_results_no_more(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    await _quiz(app, owner)
    assert (await owner_client.get(URL)).status_code == 200
    async with app.app_context():
        session = get_session()
        await session.exec(update(User).where(col(User.id) == owner.id).values(is_author=False))
        await session.commit()
    assert (await owner_client.get(URL)).status_code == 403


# The CSV ----------------------------------------------------------------------------------------


def _expected_record(number: int, takers: list[str]) -> list[str]:
    q1, q2 = number % 2, 2 * (number % 3 == 0)
    started = START + timedelta(minutes=number)
    return [
        takers[number % len(takers)],
        started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        (started + timedelta(seconds=number)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        str(number),
        str(q1 + q2),
        "3",
        str(round(100 * (q1 + q2) / 3)),
        str(q1),
        str(q2),
    ]


async def test_the_csv_streams_1200_attempts_in_batches(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    revision, q1, q2 = await _quiz(app, owner)
    names = ["ada", "bob", "cy"]
    takers = [await make_user(app, name) for name in names]
    earned = [{q1: n % 2, q2: 2 * (n % 3 == 0)} for n in range(1200)]
    await _attempts(app, revision, takers, earned)

    # The body arrives in pieces: the header, then one per batch of 500 attempts.
    chunks = []
    async with owner_client.request(f"{URL}.csv") as connection:
        await connection.send_complete()
        while data := await connection.receive():
            chunks.append(data)
    assert connection.status_code == 200
    assert connection.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert connection.headers["Content-Disposition"] == (
        f'attachment; filename="{SLUG}-results.csv"'
    )
    assert len(chunks) == 1 + 3  # 500 + 500 + 200
    body = b"".join(chunks).decode("utf-8-sig")
    lines = body.splitlines()
    assert len(lines) == 1201
    records = list(csv.reader(io.StringIO(body)))
    assert records[0] == [*results.CSV_FIXED_HEADER, "Sky blue?", "Grass red?"]
    assert records[1:] == [_expected_record(n, names) for n in range(1200)]  # oldest first


async def test_the_csv_generator_holds_no_connection_between_batches(
    app: Quart, owner: User
) -> None:
    """An async generator that reads each batch in a session of its own: between chunks
    (while a slow client reads) no connection is out of the pool."""
    revision, q1, _q2 = await _quiz(app, owner)
    ada = await make_user(app, "ada")
    await _attempts(app, revision, [ada], [{q1: n % 2} for n in range(5)])
    pool = get_database(app).engine.pool
    async with app.app_context():
        session = get_session()
        download = await results.results_csv(session, owner, SLUG, batch=2)
        await session.close()
    assert inspect.isasyncgen(download.chunks)
    assert download.filename == f"{SLUG}-results.csv"
    sizes = []
    async for chunk in download.chunks:
        assert pool.checkedout() == 0
        sizes.append(len(chunk.decode("utf-8-sig").splitlines()))
    assert sizes == [1, 2, 2, 1]


async def test_the_csv_counts_only_what_existed_when_it_began(app: Quart, owner: User) -> None:
    revision, q1, _q2 = await _quiz(app, owner)
    ada = await make_user(app, "ada")
    await _attempts(app, revision, [ada], [{q1: 1}] * 3)
    async with app.app_context():
        download = await results.results_csv(get_session(), owner, SLUG, batch=2)
    chunks = [await anext(download.chunks), await anext(download.chunks)]
    await _attempts(app, revision, [ada], [{q1: 0}] * 2, first=3)
    chunks += [chunk async for chunk in download.chunks]
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["0", "1", "2"]


@pytest.mark.parametrize(
    "formula",
    ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTab", "=1"],
)
async def test_the_csv_neutralises_formulas(
    app: Quart, owner: User, owner_client: QuartClient, formula: str
) -> None:
    """OWASP's rule: a cell starting = + - @ (or a tab or CR) gets a leading quote."""
    revision, q1, q2 = await _quiz(app, owner, (formula, "Plain?"))
    ada = await make_user(app, "ada")
    await _attempts(app, revision, [ada], [{q1: 1, q2: 0}])
    response = await owner_client.get(f"{URL}.csv")
    records = list(csv.reader(io.StringIO((await response.get_data()).decode("utf-8-sig"))))
    shown = " ".join(formula.split())  # headers keep the words on one line
    assert records[0][7:] == [f"'{shown}" if shown[0] in "=+-@" else shown, "Plain?"]
    assert records[1][:1] == ["ada"]
    for cell in (cell for record in records for cell in record):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
        ("3", "3"),
    ],
)
def test_neutralised_cells(value: str, expected: str) -> None:
    assert results.neutralised(value) == expected


async def test_an_empty_quiz_downloads_its_header(
    app: Quart, owner: User, owner_client: QuartClient
) -> None:
    await _quiz(app, owner)
    response = await owner_client.get(f"{URL}.csv")
    body = (await response.get_data()).decode("utf-8")
    assert response.status_code == 200
    assert body == "\ufefftaker,started_at,finished_at,duration_seconds,points,possible,percent\r\n"


async def test_authoring_granted_and_revoked_by_an_admin_holds_at_once(app: Quart) -> None:
    """The admin's buttons reach a browser already signed in (no stale session cache)."""
    grace = await _make(app, "grace")
    await _make(app, "root", admin=True)
    graces_browser = await signed_in(app, "grace")
    admin = await signed_in(app, "root")
    assert (await graces_browser.get(URL)).status_code == 403  # not an author: 403 first
    granted = await post_form(admin, f"/admin/users/{grace.id}/make-author")
    assert granted.status_code == 303
    assert (await graces_browser.get(URL)).status_code == 404  # an author; no such quiz of hers
    await _quiz(app, await _make(app, "owner", author=True))
    assert (await graces_browser.get(URL)).status_code == 404  # someone else's
    await post_form(admin, f"/admin/users/{grace.id}/remove-author")
    assert (await graces_browser.get(URL)).status_code == 403
