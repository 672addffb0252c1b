"""Shared steps for the accounts tests: sign up, log in, read mailed links, inspect the database."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from quart import Quart
from quart import Response
from quart.testing import QuartClient
from sqlalchemy import text as sql
from sqlalchemy.sql.expression import Executable
from sqlmodel import SQLModel
from sqlmodel import select

from tests.conftest import csrf_token
from tests.conftest import make_app
from web.db import get_database
from web.db import get_session
from web.models import EmailToken
from web.models import LoginThrottle
from web.models import User
from web.models import UserSession
from web.services.accounts import create_user

PASSWORD = "Sturdy1pass"
NEW_PASSWORD = "Fresher2pass"
AUTH_COOKIE = "hyperquiz_auth"
MAIL_LOGGER = "hyperquiz.mail"
HTMX = {"HX-Request": "true"}
INVALID_LINK = "This link is invalid, has expired or was already used."
LINK_PATTERN = re.compile(r"(https?://\S+?)/auth/(verify|reset-password)/([A-Za-z0-9_\-]+)")


@asynccontextmanager
async def running_app(database_url: str, **overrides: object) -> AsyncIterator[Quart]:
    """An app with its own settings on a clean database (the `app` fixture's, customised)."""
    app = make_app(database_url, **overrides)
    async with app.test_app():
        if database_url.startswith("postgresql"):
            tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
            await execute(app, sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield app


async def post_form(
    client: QuartClient,
    path: str,
    fields: dict[str, str] | None = None,
    *,
    htmx: bool = False,
    headers: dict[str, str] | None = None,
    address: str | None = None,
) -> Response:
    """A form post as the page would send it: with this session's CSRF token, from the
    test client's own address (127.0.0.1) or from `address`."""
    token = await csrf_token(client)
    all_headers = {**(HTMX if htmx else {}), **(headers or {})}
    return await client.post(
        path,
        form={"csrf_token": token, **(fields or {})},
        headers=all_headers,
        scope_base={"client": (address, 40000)} if address else None,
    )


def registration(
    username: str = "ada",
    email: str = "ada@example.com",
    password: str = PASSWORD,
    confirm: str | None = None,
) -> dict[str, str]:
    return {
        "username": username,
        "email": email,
        "password": password,
        "confirm_password": password if confirm is None else confirm,
    }


async def register(client: QuartClient, *, htmx: bool = False, **fields: str) -> Response:
    return await post_form(client, "/auth/register", registration(**fields), htmx=htmx)


async def log_in(
    client: QuartClient,
    identifier: str = "ada",
    password: str = PASSWORD,
    *,
    remember: bool = False,
    next_url: str | None = None,
    htmx: bool = False,
    address: str | None = None,
) -> Response:
    fields = {"identifier": identifier, "password": password}
    if remember:
        fields["remember"] = "on"
    if next_url is not None:
        fields["next"] = next_url
    return await post_form(client, "/auth/login", fields, htmx=htmx, address=address)


async def fail_logins(
    app: Quart, identifier: str = "ada", times: int = 5, *, address: str | None = None
) -> None:
    """Wrong passwords for `identifier` from one address: five pause that pair."""
    for _ in range(times):
        response = await log_in(app.test_client(), identifier, "Wrong1password", address=address)
        assert response.status_code == 422


async def log_out(client: QuartClient) -> Response:
    return await post_form(client, "/auth/logout")


async def make_user(
    app: Quart,
    username: str = "ada",
    email: str | None = None,
    password: str = PASSWORD,
    *,
    is_admin: bool = False,
    verified: bool = True,
) -> int:
    """An account made through the service, as an operator's command would."""
    async with app.app_context():
        user = await create_user(
            get_session(),
            username=username,
            email=email or f"{username.lower()}@example.com",
            password=password,
            is_admin=is_admin,
            verified=verified,
        )
    assert user.id is not None
    return user.id


async def signed_in(
    app: Quart, identifier: str = "ada", password: str = PASSWORD, *, remember: bool = False
) -> QuartClient:
    """A fresh browser that has logged in."""
    client = app.test_client()
    response = await log_in(client, identifier, password, remember=remember)
    assert response.status_code == 303, await response.get_data(as_text=True)
    return client


def auth_cookie(client: QuartClient) -> str | None:
    assert client.cookie_jar is not None
    for cookie in client.cookie_jar:
        if cookie.name == AUTH_COOKIE:
            return cookie.value
    return None


def set_cookie_header(response: Response, name: str = AUTH_COOKIE) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


async def is_signed_in(client: QuartClient) -> bool:
    response = await client.get("/dashboard")
    return response.status_code == 200


def login_redirect_next(location: str) -> str | None:
    """The `next` a redirect to the log-in page carries (None when it carries none)."""
    parts = urlsplit(location)
    assert parts.path == "/auth/login", location
    values = parse_qs(parts.query).get("next")
    return values[0] if values else None


async def text(response: Response) -> str:
    return await response.get_data(as_text=True)


def input_tag(body: str, field: str) -> str:
    input_id = "field-" + field.replace("_", "-")
    match = re.search(rf'<input id="{input_id}"[^>]*>', body)
    assert match, f"no input {input_id}"
    return match.group(0)


def field_error(body: str, field: str) -> str | None:
    """The message shown under a field, checked to be wired up for assistive technology."""
    input_id = "field-" + field.replace("_", "-")
    tag = input_tag(body, field)
    match = re.search(rf'<p class="field-error" id="{input_id}-error"[^>]*>([^<]*)</p>', body)
    if match is None:
        assert 'aria-invalid="true"' not in tag, tag
        return None
    assert 'aria-invalid="true"' in tag, tag
    described = re.search(r'aria-describedby="([^"]*)"', tag)
    assert described, tag
    assert f"{input_id}-error" in described.group(1).split()
    return match.group(1)


def field_errors(body: str, fields: tuple[str, ...]) -> dict[str, str]:
    return {name: message for name in fields if (message := field_error(body, name))}


def flashes(body: str) -> list[str]:
    region = re.search(r'<div id="messages"[^>]*>(.*?)</div>', body, re.S)
    assert region, "no message region"
    return [re.sub(r"\s+", " ", found) for found in re.findall(r"<p[^>]*>(.*?)</p>", region[1])]


def alert_text(body: str) -> str:
    match = re.search(r'role="alert">(.*?)</div>', body, re.S)
    assert match, "no alert"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1))


class Mailbox:
    """The emails an app without MAIL_SERVER writes to the log, read after they are sent."""

    def __init__(self, app: Quart, caplog: pytest.LogCaptureFixture) -> None:
        self.app = app
        self.caplog = caplog
        caplog.set_level(logging.INFO, logger=MAIL_LOGGER)

    async def messages(self) -> list[str]:
        await asyncio.gather(*self.app.background_tasks)
        return [
            record.getMessage()
            for record in self.caplog.records
            if record.name == MAIL_LOGGER and record.levelno == logging.INFO
        ]

    async def to(self, address: str, subject: str) -> list[str]:
        return [
            message
            for message in await self.messages()
            if f"To: {address}\n" in message and f"Subject: {subject}\n" in message
        ]

    async def tokens(self, kind: str, address: str | None = None) -> list[str]:
        """Tokens of the links of one kind ("verify" or "reset-password"), oldest first."""
        found = []
        for message in await self.messages():
            if address is not None and f"To: {address}\n" not in message:
                continue
            found += [
                token
                for _base, link_kind, token in LINK_PATTERN.findall(message)
                if link_kind == kind
            ]
        return found

    async def last_token(self, kind: str, address: str | None = None) -> str:
        tokens = await self.tokens(kind, address)
        assert tokens, f"no {kind} link was mailed"
        return tokens[-1]


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def execute(app: Quart, statement: Executable) -> None:
    """Change rows behind the app's back, as time passing would."""
    async with get_database(app).engine.begin() as connection:
        await connection.execute(statement)


async def fetch_user(app: Quart, username: str) -> User:
    async with get_database(app).sessionmaker() as session:
        return (await session.exec(select(User).where(User.username == username))).one()


async def fetch_all(app: Quart, model: Any) -> list[Any]:
    async with get_database(app).sessionmaker() as session:
        return list((await session.exec(select(model))).all())


async def login_throttles(app: Quart) -> list[LoginThrottle]:
    return await fetch_all(app, LoginThrottle)


async def email_tokens(app: Quart) -> list[EmailToken]:
    return await fetch_all(app, EmailToken)


async def user_sessions(app: Quart) -> list[UserSession]:
    return await fetch_all(app, UserSession)
