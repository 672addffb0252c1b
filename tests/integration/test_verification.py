"""Email verification: one-use, expiring links stored as hashes; resending; real SMTP delivery."""

from __future__ import annotations

import asyncio
import email
import logging
import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from quart import Quart
from quart import Response
from quart.testing import QuartClient
from sqlmodel import col
from sqlmodel import update

from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import INVALID_LINK
from tests.integration.accounts_helpers import LINK_PATTERN
from tests.integration.accounts_helpers import MAIL_LOGGER
from tests.integration.accounts_helpers import Mailbox
from tests.integration.accounts_helpers import email_tokens
from tests.integration.accounts_helpers import execute
from tests.integration.accounts_helpers import fetch_user
from tests.integration.accounts_helpers import flashes
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import register
from tests.integration.accounts_helpers import running_app
from tests.integration.accounts_helpers import sha256
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from web.models import EmailToken
from web.models import utcnow


async def registered_token(app: Quart, client: QuartClient, mailbox: Mailbox) -> str:
    response = await register(client)
    assert response.status_code == 303
    return await mailbox.last_token("verify", "ada@example.com")


ALREADY_VERIFIED = "Your email address is already verified."


async def assert_invalid_link(client: QuartClient, token: str) -> None:
    """Refused when opened, and when its button is pressed."""
    for response in (
        await client.get(f"/auth/verify/{token}"),
        await post_form(client, f"/auth/verify/{token}"),
    ):
        body = await text(response)
        assert response.status_code == 400
        assert INVALID_LINK in body
        assert "Link not valid" in body


async def press_verify(client: QuartClient, token: str) -> Response:
    return await post_form(client, f"/auth/verify/{token}")


async def test_opening_the_link_verifies_nothing_and_offers_the_button(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A mail scanner that opens every link must not verify the address for its owner."""
    token = await registered_token(app, client, Mailbox(app, caplog))
    for _ in range(2):
        response = await client.get(f"/auth/verify/{token}")
        body = await text(response)
        assert response.status_code == 200
        form = re.search(r'<form[^>]*action="/auth/verify/([^"]+)"[^>]*>(.*?)</form>', body, re.S)
        assert form, body
        assert form.group(1) == token
        assert 'method="post"' in form.group(0)
        assert 'name="csrf_token"' in form.group(2)
        assert ">Verify email</button>" in form.group(2)
    assert not (await fetch_user(app, "ada")).is_verified


async def test_pressing_the_button_verifies(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    response = await press_verify(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    page = await text(await client.get("/auth/login"))
    assert "Your email is verified. You can start quizzes now." in flashes(page)
    assert (await fetch_user(app, "ada")).is_verified


async def test_the_link_after_verifying_says_already_verified(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    assert (await press_verify(client, token)).status_code == 303
    first = (await fetch_user(app, "ada")).email_verified_at
    for response in (await client.get(f"/auth/verify/{token}"), await press_verify(client, token)):
        body = await text(response)
        assert response.status_code == 200
        assert ALREADY_VERIFIED in body
        assert INVALID_LINK not in body
        assert ">Verify email</button>" not in body
    assert (await fetch_user(app, "ada")).email_verified_at == first


async def test_the_button_needs_csrf(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    response = await client.post(f"/auth/verify/{token}")
    assert response.status_code == 403
    assert not (await fetch_user(app, "ada")).is_verified


async def test_the_page_is_a_fragment_for_htmx(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    body = await text(await client.get(f"/auth/verify/{token}", headers=HTMX))
    assert "<html" not in body
    assert ">Verify email</button>" in body


async def test_a_signed_in_user_goes_back_to_the_dashboard(
    app: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await register(app.test_client())
    token = await mailbox.last_token("verify")
    client = await signed_in(app)
    assert "Resend verification email" in await text(await client.get("/dashboard"))

    response = await press_verify(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    dashboard = await text(await client.get("/dashboard"))
    assert "Your email is verified" in dashboard
    assert "Resend verification email" not in dashboard


async def test_verified_at_is_not_moved_by_a_second_token(
    app: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    """A resend after verifying is refused, so the first verification time stands."""
    mailbox = Mailbox(app, caplog)
    await register(app.test_client())
    await press_verify(app.test_client(), await mailbox.last_token("verify"))
    first = (await fetch_user(app, "ada")).email_verified_at
    client = await signed_in(app)
    response = await post_form(client, "/auth/verify/resend")
    assert response.status_code == 303
    assert "Your email is already verified." in flashes(await text(await client.get("/dashboard")))
    assert len(await mailbox.tokens("verify")) == 1
    assert (await fetch_user(app, "ada")).email_verified_at == first


async def expire_in(app: Quart, token: str, delta: timedelta) -> None:
    """Move the link's expiry to now + delta (negative: already expired)."""
    await execute(
        app,
        update(EmailToken)
        .where(col(EmailToken.token_hash) == sha256(token))
        .values(expires_at=utcnow() + delta),
    )


async def test_an_expired_link_is_refused(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    await expire_in(app, token, timedelta(seconds=-1))
    await assert_invalid_link(client, token)
    assert not (await fetch_user(app, "ada")).is_verified


async def test_the_link_lasts_24_hours(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    await registered_token(app, client, Mailbox(app, caplog))
    [record] = await email_tokens(app)
    assert record.purpose == "verify_email"
    assert record.expires_at - record.created_at == timedelta(hours=24)


async def test_an_almost_expired_link_still_works(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    await expire_in(app, token, timedelta(minutes=1))
    assert (await client.get(f"/auth/verify/{token}")).status_code == 200
    assert (await press_verify(client, token)).status_code == 303


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "A" * 43,  # the shape of a real token
        "a" * 101,
        "a" * 10_000,
        "%E2%80%8B",
        "%F0%9F%92%A5",
        "'%20OR%201=1--",
    ],
)
async def test_made_up_links_are_refused(app: Quart, client: QuartClient, token: str) -> None:
    await make_user(app, verified=False)
    await assert_invalid_link(client, token)
    assert not (await fetch_user(app, "ada")).is_verified


async def test_a_signed_in_user_with_a_bad_link_is_offered_the_dashboard(app: Quart) -> None:
    """The failed token lookup must not spoil the page's knowledge of who is signed in."""
    await make_user(app, verified=False)
    client = await signed_in(app)
    response = await client.get("/auth/verify/garbage")
    body = await text(response)
    assert response.status_code == 400
    assert INVALID_LINK in body
    assert ">Go to your dashboard</a>" in body
    assert ">Log out</button>" in body


async def test_a_failed_link_is_a_fragment_for_htmx(client: QuartClient) -> None:
    response = await client.get("/auth/verify/garbage", headers=HTMX)
    body = await text(response)
    assert response.status_code == 400
    assert "<html" not in body
    assert INVALID_LINK in body


async def test_a_reset_token_does_not_verify(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await make_user(app, verified=False)
    await post_form(client, "/auth/forgot-password", {"email": "ada@example.com"})
    reset = await mailbox.last_token("reset-password")
    await assert_invalid_link(client, reset)
    assert not (await fetch_user(app, "ada")).is_verified


async def test_tokens_are_stored_only_as_sha256_hashes(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await registered_token(app, client, Mailbox(app, caplog))
    [record] = await email_tokens(app)
    assert record.token_hash == sha256(token)
    for value in record.model_dump().values():
        assert token not in str(value)


async def test_resend_issues_a_new_link_and_retires_the_old(
    app: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await register(app.test_client())
    old = await mailbox.last_token("verify")
    client = await signed_in(app)

    response = await post_form(client, "/auth/verify/resend")
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    page = await text(await client.get("/dashboard"))
    assert "We sent a new verification link to ada@example.com." in flashes(page)

    tokens = await mailbox.tokens("verify", "ada@example.com")
    assert len(tokens) == 2
    new = tokens[-1]
    assert new != old
    await assert_invalid_link(client, old)
    assert (await press_verify(client, new)).status_code == 303
    assert (await fetch_user(app, "ada")).is_verified


async def test_resend_for_htmx_returns_the_notice(
    app: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await make_user(app, verified=False)
    client = await signed_in(app)
    response = await post_form(client, "/auth/verify/resend", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="verification-notice"')
    assert "We sent a new link to <strong>ada@example.com</strong>" in body
    assert "data-swap-focus" in body
    assert len(await mailbox.tokens("verify")) == 1


async def test_resend_needs_a_login(app: Quart, caplog: pytest.LogCaptureFixture) -> None:
    mailbox = Mailbox(app, caplog)
    response = await post_form(app.test_client(), "/auth/verify/resend")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert await mailbox.messages() == []


async def test_resend_needs_csrf(app: Quart, caplog: pytest.LogCaptureFixture) -> None:
    mailbox = Mailbox(app, caplog)
    await make_user(app, verified=False)
    client = await signed_in(app)
    await client.get("/dashboard")
    response = await client.post("/auth/verify/resend")
    assert response.status_code == 403
    assert await mailbox.messages() == []


async def test_dashboard_asks_unverified_users_to_verify(app: Quart) -> None:
    await make_user(app, verified=False)
    body = await text(await (await signed_in(app)).get("/dashboard"))
    assert "Verify your email" in body
    assert ">Resend verification email</button>" in body
    assert 'action="/auth/verify/resend"' in body


async def test_dashboard_does_not_nag_verified_users(app: Quart) -> None:
    await make_user(app, verified=True)
    body = await text(await (await signed_in(app)).get("/dashboard"))
    assert "Verify your email" not in body
    assert "Resend verification email" not in body


# Real SMTP delivery ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps what it is sent."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()


async def test_verification_mail_goes_out_over_smtp(
    database_url: str, smtp_server: tuple[Collector, int]
) -> None:
    collector, port = smtp_server
    async with running_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port) as app:
        client = app.test_client()
        response = await register(client)
        assert response.status_code == 303
        await asyncio.gather(*app.background_tasks)

        [envelope] = collector.envelopes
        assert envelope.rcpt_tos == ["ada@example.com"]
        assert envelope.mail_from == "hyperquiz@localhost"
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        assert message["Subject"] == "Verify your email"
        assert message["To"] == "ada@example.com"
        body = message.get_content()
        [(base, kind, token)] = LINK_PATTERN.findall(body)
        assert base == "http://127.0.0.1:8000"
        assert kind == "verify"
        assert (await press_verify(client, token)).status_code == 303
        assert (await fetch_user(app, "ada")).is_verified


async def test_an_smtp_failure_still_registers_and_is_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=MAIL_LOGGER)
    closed = free_port()
    async with running_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=closed) as app:
        client = app.test_client()
        response = await register(client)
        await asyncio.gather(*app.background_tasks)
        assert response.status_code == 303
        assert response.headers["Location"] == "/auth/login"
        assert (await fetch_user(app, "ada")).email == "ada@example.com"
        errors = [
            record.getMessage()
            for record in caplog.records
            if record.name == MAIL_LOGGER and record.levelno == logging.ERROR
        ]
        assert len(errors) == 1
        assert "Verify your email" in errors[0]
        assert "ada@example.com" in errors[0]
        page = await text(await client.get("/auth/login"))
        assert any("Account created" in message for message in flashes(page))
