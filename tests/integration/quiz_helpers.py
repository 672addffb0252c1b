"""Shared steps for the quiz-loop tests: quiz documents, people, playing attempts, reading pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from quart import Quart
from quart import Response
from quart.testing import QuartClient
from sqlalchemy import event
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update

from tests.conftest import csrf_token
from web.db import get_database
from web.db import get_session
from web.forms.quiz_import import parse_quiz_document
from web.models import Attempt
from web.models import Quiz
from web.models import User
from web.models import UserAnswer
from web.models import utcnow
from web.services.accounts import create_user
from web.services.quiz_import import import_quizzes

PASSWORD = "Sturdy1pass"
HTMX = {"HX-Request": "true"}
EXPLANATION = "Because reason"  # every explanation starts so; exam fragments must not show it

# --------------------------------------------------------------------------- quiz documents


def question(slug: str, number: int, choices: int = 3) -> dict[str, Any]:
    """Question `number` of quiz `slug`: "Right N" is correct, "Wrong Na", "Wrong Nb" are not."""
    wrong = [f"Wrong {number}{letter}" for letter in "abcdefgh"[: choices - 1]]
    return {
        "text": f"{slug} question {number}?",
        "explanation": f"{EXPLANATION} {number} for {slug}.",
        "choices": [{"text": f"Right {number}", "correct": True}]
        + [{"text": text, "correct": False} for text in wrong],
    }


def quiz_doc(
    slug: str,
    *,
    title: str | None = None,
    questions: int = 3,
    choices: int = 3,
    category: str = "General",
    difficulty: str = "easy",
    description: str = "",
    feedback_mode: str = "immediate",
    time_limit_seconds: int | None = None,
    shuffle_questions: bool = False,
    shuffle_choices: bool = False,
    published: bool = True,
) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": title or slug.replace("-", " ").title(),
        "description": description or f"All about {slug.replace('-', ' ')}.",
        "category": category,
        "difficulty": difficulty,
        "time_limit_seconds": time_limit_seconds,
        "feedback_mode": feedback_mode,
        "shuffle_questions": shuffle_questions,
        "shuffle_choices": shuffle_choices,
        "published": published,
        "questions": [question(slug, number, choices) for number in range(1, questions + 1)],
    }


IMMEDIATE = quiz_doc("capitals", title="Capitals", description="Capital cities of the world.")
EXAM = quiz_doc("exam", title="Exam Quiz", category="Exams", feedback_mode="exam")
TIMED = quiz_doc("timed", title="Timed Quiz", time_limit_seconds=60, difficulty="hard")
SHUFFLED = quiz_doc("shuffled", questions=6, shuffle_questions=True, shuffle_choices=True)
DRAFT = quiz_doc("draft", title="Secret Draft", published=False)
STANDARD = (IMMEDIATE, EXAM, TIMED, SHUFFLED, DRAFT)


async def seed_quizzes(app: Quart, *documents: dict[str, Any]) -> None:
    """Import quizzes through the app's own format, as `hyperquiz import` would."""
    parsed = parse_quiz_document({"quizzes": list(documents or STANDARD)})
    assert parsed.data is not None, parsed.errors
    async with app.app_context():
        await import_quizzes(get_session(), parsed.data)


# --------------------------------------------------------------------------- people


async def seed_user(app: Quart, username: str = "ada", *, verified: bool = True) -> int:
    async with app.app_context():
        user = await create_user(
            get_session(),
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            verified=verified,
        )
        assert user.id is not None
        return user.id


async def log_in(client: QuartClient, username: str) -> str:
    """Log in by the form and return the new session's CSRF token (login rotates it)."""
    token = await csrf_token(client, "/auth/login")
    response = await client.post(
        "/auth/login",
        form={"identifier": username, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, await response.get_data(as_text=True)
    return await csrf_token(client)


@dataclass
class Player:
    """A signed-in browser: its client, CSRF token and account id."""

    client: QuartClient
    token: str
    user_id: int

    async def post(
        self, path: str, form: dict[str, str] | None = None, *, htmx: bool = False
    ) -> Response:
        return await self.client.post(
            path, form={"csrf_token": self.token, **(form or {})}, headers=HTMX if htmx else {}
        )

    async def get(self, path: str, *, htmx: bool = False) -> Response:
        return await self.client.get(path, headers=HTMX if htmx else {})

    async def start(self, slug: str) -> int:
        """Start or resume through the quiz page's form; returns the attempt id."""
        response = await self.post(f"/quizzes/{slug}/attempts")
        assert response.status_code == 303, await response.get_data(as_text=True)
        match = re.fullmatch(r"/attempts/(\d+)", response.headers["Location"])
        assert match, response.headers["Location"]
        return int(match.group(1))

    async def card(self, attempt_id: int, position: int, *, htmx: bool = False) -> Card:
        response = await self.get(question_url(attempt_id, position), htmx=htmx)
        assert response.status_code == 200, await response.get_data(as_text=True)
        return read_card(await response.get_data(as_text=True))

    async def answer(
        self, attempt_id: int, position: int, choice: str, *, htmx: bool = False
    ) -> Response:
        return await self.post(question_url(attempt_id, position), {"choice": choice}, htmx=htmx)

    async def play(self, attempt_id: int, pattern: Sequence[bool]) -> None:
        """Answer questions 1..len(pattern) by plain posts: right where True, else wrong."""
        for position, right in enumerate(pattern, start=1):
            card = await self.card(attempt_id, position)
            response = await self.answer(attempt_id, position, card.pick(right=right))
            assert response.status_code == 303, await response.get_data(as_text=True)


async def sign_in(app: Quart, username: str = "ada", *, verified: bool = True) -> Player:
    user_id = await seed_user(app, username, verified=verified)
    client = app.test_client()
    return Player(client, await log_in(client, username), user_id)


def question_url(attempt_id: int, position: int) -> str:
    return f"/attempts/{attempt_id}/questions/{position}"


# --------------------------------------------------------------------------- reading HTML

VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})
CAPTURED = frozenset({"legend", "h1", "h2", "h3", "button", "label", "a", "th", "dt", "dd"})
INLINE = frozenset({"a", "b", "code", "em", "i", "kbd", "label", "small", "span", "strong", "time"})


@dataclass
class Outline:
    """What a person (or screen reader) gets from a page: names, not markup."""

    texts: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # input id -> label text
    links: list[tuple[str, str]] = field(default_factory=list)  # (name, href)
    radios: list[dict[str, str]] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Visible text, whitespace collapsed; block elements are separated, inline ones not."""
        return " ".join("".join(self.chunks).split())

    def all(self, tag: str) -> list[str]:
        return self.texts.get(tag, [])

    def link(self, name: str) -> str | None:
        return next((href for text, href in self.links if text == name), None)

    def definition(self, term: str, default: str | None = None) -> str | None:
        """The <dd> that follows the <dt> named `term` (pairs are kept in order)."""
        terms, values = self.all("dt"), self.all("dd")
        return values[terms.index(term)] if term in terms else default


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = Outline()
        self.stack: list[tuple[str, dict[str, str], list[str] | None, bool]] = []

    def _hidden(self) -> bool:
        return any(hidden for *_, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input" and attributes.get("type") == "radio":
            self.outline.radios.append(attributes)
        if tag not in INLINE:
            self.outline.chunks.append(" ")
        if tag in VOID:
            return
        hidden = attributes.get("aria-hidden") == "true"
        self.stack.append((tag, attributes, [] if tag in CAPTURED else None, hidden))

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:
            self.outline.chunks.append(" ")
        while self.stack:
            name, attributes, parts, _hidden = self.stack.pop()
            if parts is not None:
                text = " ".join("".join(parts).split())
                self.outline.texts.setdefault(name, []).append(text)
                if name == "label" and "for" in attributes:
                    self.outline.labels[attributes["for"]] = text
                if name == "a":
                    self.outline.links.append((text, attributes.get("href", "")))
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._hidden():
            return
        self.outline.chunks.append(data)
        for _name, _attributes, parts, _hidden in self.stack:
            if parts is not None:
                parts.append(data)


def read(html: str) -> Outline:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.outline


PROGRESS = re.compile(r"Question (\d+) of (\d+)")


@dataclass(frozen=True)
class Card:
    """A question card as its taker meets it: progress, the legend and labelled radios."""

    position: int
    total: int
    question: str
    choices: dict[str, str]  # label -> radio value, in display order
    outline: Outline

    def pick(self, *, right: bool) -> str:
        prefix = "Right" if right else "Wrong"
        return next(value for label, value in self.choices.items() if label.startswith(prefix))

    @property
    def labels(self) -> list[str]:
        return list(self.choices)


def read_card(html: str) -> Card:
    outline = read(html)
    match = PROGRESS.search(outline.text)
    assert match, "no 'Question N of M' on the card"
    legends = outline.all("legend")
    assert len(legends) == 1, legends
    choices = {
        outline.labels[radio["id"]]: radio["value"]
        for radio in outline.radios
        if radio.get("name") == "choice"
    }
    return Card(int(match.group(1)), int(match.group(2)), legends[0], choices, outline)


# --------------------------------------------------------------------------- the database


async def quiz_id(app: Quart, slug: str) -> int:
    async with app.app_context():
        found = (await get_session().exec(select(Quiz.id).where(Quiz.slug == slug))).one()
        assert found is not None
        return found


async def fetch_attempt(app: Quart, attempt_id: int) -> Attempt:
    async with app.app_context():
        attempt = await get_session().get(Attempt, attempt_id)
        assert attempt is not None
        return attempt


async def attempts_of(app: Quart, user_id: int) -> list[Attempt]:
    async with app.app_context():
        query = select(Attempt).where(Attempt.user_id == user_id).order_by(col(Attempt.id))
        return list((await get_session().exec(query)).all())


async def stored_answers(app: Quart, attempt_id: int) -> list[UserAnswer]:
    async with app.app_context():
        query = select(UserAnswer).where(UserAnswer.attempt_id == attempt_id)
        return list((await get_session().exec(query)).all())


async def update_attempt(app: Quart, attempt_id: int, **values: object) -> None:
    async with app.app_context():
        session = get_session()
        await session.exec(update(Attempt).where(col(Attempt.id) == attempt_id).values(**values))
        await session.commit()


async def expire(app: Quart, attempt_id: int, *, ago: float = 30) -> Attempt:
    """Move a timed attempt's clock back so its deadline passed `ago` seconds ago."""
    attempt = await fetch_attempt(app, attempt_id)
    assert attempt.deadline_at is not None
    shift = attempt.deadline_at - utcnow() + timedelta(seconds=ago)
    await update_attempt(
        app,
        attempt_id,
        started_at=attempt.started_at - shift,
        deadline_at=attempt.deadline_at - shift,
    )
    return await fetch_attempt(app, attempt_id)


async def add_finished_attempt(
    app: Quart,
    user_id: int,
    quiz: int,
    *,
    correct: float,
    total: int = 3,
    possible: float | None = None,
    seconds: int = 60,
) -> int:
    """A finished attempt written straight to the table, to control score and time exactly;
    `possible` points differ from `total` for a revision whose questions are worth more."""
    finished = utcnow() - timedelta(minutes=5)
    started: datetime = finished - timedelta(seconds=seconds)
    async with app.app_context():
        session = get_session()
        revision = (
            await session.exec(select(Quiz.current_revision_id).where(Quiz.id == quiz))
        ).one()
        assert revision is not None
        attempt = Attempt(
            user_id=user_id,
            quiz_id=quiz,
            revision_id=revision,
            question_count=total,
            answered_count=total,
            points_awarded=correct,
            points_answered=possible or total,
            points_possible=possible or total,
            started_at=started,
            finished_at=finished,
            duration_seconds=seconds,
        )
        session.add(attempt)
        await session.commit()
        assert attempt.id is not None
        return attempt.id


async def user_id_of(app: Quart, username: str) -> int:
    async with app.app_context():
        found = (await get_session().exec(select(User.id).where(User.username == username))).one()
        assert found is not None
        return found


# --------------------------------------------------------------------------- counting SQL


class StatementCounter:
    """Records every statement the app's engine sends while active (a context manager)."""

    def __init__(self, app: Quart) -> None:
        self.engine = get_database(app).engine.sync_engine
        self.statements: list[str] = []

    def _record(self, *args: Any) -> None:
        self.statements.append(" ".join(str(args[2]).split()))

    def __enter__(self) -> StatementCounter:
        listener: Callable[..., None] = self._record
        event.listen(self.engine, "before_cursor_execute", listener)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def __len__(self) -> int:
        return len(self.statements)
