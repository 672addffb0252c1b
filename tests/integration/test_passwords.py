"""Forgotten, reset and changed passwords: no account enumeration, one-use links, sessions end."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from quart import Quart
from quart import Response
from quart.testing import QuartClient
from sqlalchemy.sql.expression import Executable
from sqlmodel import col
from sqlmodel import update

from tests.concurrency import hold_together
from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import INVALID_LINK
from tests.integration.accounts_helpers import NEW_PASSWORD
from tests.integration.accounts_helpers import PASSWORD
from tests.integration.accounts_helpers import Mailbox
from tests.integration.accounts_helpers import email_tokens
from tests.integration.accounts_helpers import execute
from tests.integration.accounts_helpers import fail_logins
from tests.integration.accounts_helpers import field_error
from tests.integration.accounts_helpers import field_errors
from tests.integration.accounts_helpers import flashes
from tests.integration.accounts_helpers import input_tag
from tests.integration.accounts_helpers import is_signed_in
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import login_redirect_next
from tests.integration.accounts_helpers import login_throttles
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import sha256
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from tests.integration.accounts_helpers import user_sessions
from web.forms.accounts import INVALID_LOGIN
from web.models import EmailToken
from web.models import User
from web.models import utcnow
from web.services import accounts

RESET_SENT = (
    "If an account uses that email, we sent it a link to reset the password. "
    "The link expires in 1 hour."
)
PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")


@pytest.fixture
async def ada(app: Quart) -> int:
    return await make_user(app, "ada", "ada@example.com")


async def ask_for_reset(app: Quart, mailbox: Mailbox, email: str = "ada@example.com") -> str:
    response = await post_form(app.test_client(), "/auth/forgot-password", {"email": email})
    assert response.status_code == 303
    return await mailbox.last_token("reset-password", email.lower())


async def reset(
    client: QuartClient, token: str, password: str = NEW_PASSWORD, confirm: str | None = None
) -> Response:
    return await post_form(
        client,
        f"/auth/reset-password/{token}",
        {"new_password": password, "confirm_password": password if confirm is None else confirm},
    )


def expire(token: str, *, ago: timedelta = timedelta(seconds=1)) -> Executable:
    return (
        update(EmailToken)
        .where(col(EmailToken.token_hash) == sha256(token))
        .values(expires_at=utcnow() - ago)
    )


# Forgot password ------------------------------------------------------------------------------


async def test_forgot_page_has_the_contract_labels(client: QuartClient) -> None:
    body = await text(await client.get("/auth/forgot-password"))
    assert ">Email</label>" in body
    assert ">Send reset link</button>" in body


async def test_known_and_unknown_emails_get_the_same_answer(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    answers = []
    for email in ("ada@example.com", "nobody@example.com"):
        client = app.test_client()
        response = await post_form(client, "/auth/forgot-password", {"email": email})
        page = await text(await client.get(response.headers["Location"]))
        answers.append((response.status_code, response.headers["Location"], flashes(page)))
    assert answers[0] == answers[1]
    assert answers[0] == (303, "/auth/login", [RESET_SENT])

    assert len(await mailbox.to("ada@example.com", "Reset your password")) == 1
    assert await mailbox.to("nobody@example.com", "Reset your password") == []


async def test_the_email_matches_in_any_case(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await post_form(app.test_client(), "/auth/forgot-password", {"email": "ADA@Example.com"})
    [message] = await mailbox.to("ada@example.com", "Reset your password")
    assert "http://127.0.0.1:8000/auth/reset-password/" in message


async def test_a_deactivated_account_gets_no_reset_link(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await execute(app, update(User).values(is_active=False))
    response = await post_form(
        app.test_client(), "/auth/forgot-password", {"email": "ada@example.com"}
    )
    assert response.status_code == 303
    assert await mailbox.messages() == []


async def test_htmx_forgot_is_an_hx_redirect(app: Quart, ada: int) -> None:
    response = await post_form(
        app.test_client(), "/auth/forgot-password", {"email": "ada@example.com"}, htmx=True
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/auth/login"


@pytest.mark.parametrize(
    ("email", "fragment"),
    [
        ("", "Enter an email address."),
        ("   ", "Enter an email address."),
        ("not-an-email", "valid email"),
        ("a@b", "valid email"),
        ("ada@exa\x00mple", "valid email"),
        ("a" * 10_000, "at most 254"),
    ],
)
async def test_an_invalid_email_is_a_field_error(
    app: Quart, caplog: pytest.LogCaptureFixture, email: str, fragment: str
) -> None:
    mailbox = Mailbox(app, caplog)
    response = await post_form(app.test_client(), "/auth/forgot-password", {"email": email})
    body = await text(response)
    assert response.status_code == 422
    message = field_error(body, "email")
    assert message is not None
    assert fragment in message
    assert await mailbox.messages() == []


async def test_an_invalid_email_for_htmx_is_the_form_fragment(client: QuartClient) -> None:
    response = await post_form(client, "/auth/forgot-password", {"email": "nope"}, htmx=True)
    body = await text(response)
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="forgot-password-form"')
    assert 'value="nope"' in input_tag(body, "email")


async def test_forgot_needs_csrf(app: Quart, ada: int, caplog: pytest.LogCaptureFixture) -> None:
    mailbox = Mailbox(app, caplog)
    client = app.test_client()
    await client.get("/auth/forgot-password")
    response = await client.post("/auth/forgot-password", form={"email": "ada@example.com"})
    assert response.status_code == 403
    assert await mailbox.messages() == []


# Reset password -------------------------------------------------------------------------------


async def test_two_concurrent_resets_with_one_link_let_exactly_one_through(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token is spent in one UPDATE: two tabs (or workers) cannot both use it."""
    token = await ask_for_reset(app, Mailbox(app, caplog))
    first, second = app.test_client(), app.test_client()
    hold_together(monkeypatch, accounts, "hash_password")
    responses = await asyncio.gather(
        reset(first, token, "Fir5tPassword"), reset(second, token, "Sec0ndPassword")
    )
    assert sorted(response.status_code for response in responses) == [303, 400]
    assert [row.used_at is not None for row in await email_tokens(app)] == [True]


async def test_the_reset_link_works_once(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    client = app.test_client()
    page = await client.get(f"/auth/reset-password/{token}")
    body = await text(page)
    assert page.status_code == 200
    for label in ("New password", "Confirm password"):
        assert f">{label}</label>" in body
    assert ">Reset password</button>" in body

    response = await reset(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    login_page = await text(await client.get("/auth/login"))
    assert "Your password has been reset. Log in with the new one." in flashes(login_page)

    for again in (await client.get(f"/auth/reset-password/{token}"), await reset(client, token)):
        assert again.status_code == 400
        assert INVALID_LINK in await text(again)


async def test_after_a_reset_the_new_password_works_and_the_old_does_not(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    await reset(app.test_client(), token)
    old = await log_in(app.test_client(), "ada", PASSWORD)
    assert field_error(await text(old), "identifier") == INVALID_LOGIN
    assert (await log_in(app.test_client(), "ada", NEW_PASSWORD)).status_code == 303


async def test_a_reset_ends_every_session(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    browsers = [await signed_in(app), await signed_in(app, remember=True)]
    token = await ask_for_reset(app, Mailbox(app, caplog))
    await reset(app.test_client(), token)
    for browser in browsers:
        assert not await is_signed_in(browser)
    assert await user_sessions(app) == []


async def test_a_reset_from_a_signed_in_browser_signs_it_out_too(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    client = await signed_in(app)
    assert (await reset(client, token)).status_code == 303
    assert not await is_signed_in(client)


async def test_a_reset_lifts_the_accounts_log_in_pauses(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    await fail_logins(app, "ada")
    assert len(await login_throttles(app)) == 1
    token = await ask_for_reset(app, Mailbox(app, caplog))
    await reset(app.test_client(), token)
    assert await login_throttles(app) == []
    assert (await log_in(app.test_client(), "ada", NEW_PASSWORD)).status_code == 303


async def test_the_reset_link_expires_after_an_hour(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    [record] = await email_tokens(app)
    assert record.purpose == "reset_password"
    assert record.expires_at - record.created_at == timedelta(hours=1)

    await execute(app, expire(token))
    client = app.test_client()
    assert (await client.get(f"/auth/reset-password/{token}")).status_code == 400
    response = await reset(client, token)
    assert response.status_code == 400
    assert "You can ask for a new one." in await text(response)
    assert (await log_in(app.test_client(), "ada", PASSWORD)).status_code == 303


async def test_a_new_request_retires_the_older_link(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    older = await ask_for_reset(app, mailbox)
    newer = await ask_for_reset(app, mailbox)
    assert older != newer
    client = app.test_client()
    assert (await client.get(f"/auth/reset-password/{older}")).status_code == 400
    assert (await reset(client, older)).status_code == 400
    assert (await reset(client, newer)).status_code == 303


@pytest.mark.parametrize(
    ("password", "confirm", "field", "fragment"),
    [
        ("short1A", None, "new_password", "at least 8"),
        ("alllower1", None, "new_password", "upper-case"),
        ("NoDigitsHere", None, "new_password", "digit"),
        ("Aa1" + "x" * 10_000, None, "new_password", "at most 128"),
        ("Valid123\x00", None, "new_password", "control"),
        ("", None, "new_password", "Enter a password."),
        (NEW_PASSWORD, "Fresher2Pass", "confirm_password", "do not match"),
        (NEW_PASSWORD, "", "confirm_password", "Confirm the password."),
    ],
)
async def test_a_bad_new_password_is_422_and_keeps_the_link(
    app: Quart,
    ada: int,
    caplog: pytest.LogCaptureFixture,
    *,
    password: str,
    confirm: str | None,
    field: str,
    fragment: str,
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    client = app.test_client()
    response = await reset(client, token, password, confirm)
    body = await text(response)
    assert response.status_code == 422
    message = field_errors(body, PASSWORD_FIELDS[1:]).get(field)
    assert message is not None
    assert fragment in message
    if password:
        assert password[:20] not in body

    assert (await client.get(f"/auth/reset-password/{token}")).status_code == 200
    assert (await reset(client, token)).status_code == 303


async def test_a_bad_new_password_for_htmx_is_the_form_fragment(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    response = await post_form(
        app.test_client(),
        f"/auth/reset-password/{token}",
        {"new_password": "weak", "confirm_password": "weak"},
        htmx=True,
    )
    body = await text(response)
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="reset-password-form"')
    assert f'action="/auth/reset-password/{token}"' in body


@pytest.mark.parametrize("token", ["garbage", "a" * 101, "a" * 10_000, "%E2%80%8B"])
async def test_made_up_reset_links_are_refused(app: Quart, ada: int, token: str) -> None:
    client = app.test_client()
    page = await client.get(f"/auth/reset-password/{token}")
    assert page.status_code == 400
    assert INVALID_LINK in await text(page)
    assert (await reset(client, token)).status_code == 400


async def test_a_used_link_opened_while_signed_in_is_a_400_page(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The failed token lookup rolls back; the page must still render for the signed-in user."""
    token = await ask_for_reset(app, Mailbox(app, caplog))
    await reset(app.test_client(), token, NEW_PASSWORD)
    client = await signed_in(app, password=NEW_PASSWORD)
    for response in (await client.get(f"/auth/reset-password/{token}"), await reset(client, token)):
        body = await text(response)
        assert response.status_code == 400
        assert INVALID_LINK in body
        assert ">Log out</button>" in body


async def test_a_verification_token_does_not_reset(
    app: Quart, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    await post_form(
        app.test_client(),
        "/auth/register",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password": PASSWORD,
            "confirm_password": PASSWORD,
        },
    )
    verify = await mailbox.last_token("verify")
    assert (await app.test_client().get(f"/auth/reset-password/{verify}")).status_code == 400
    assert (await reset(app.test_client(), verify)).status_code == 400
    assert (await log_in(app.test_client(), "ada", PASSWORD)).status_code == 303


async def test_reset_tokens_are_stored_only_as_hashes(
    app: Quart, ada: int, caplog: pytest.LogCaptureFixture
) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    [record] = await email_tokens(app)
    assert record.token_hash == sha256(token)
    assert token not in str(record.model_dump())


async def test_reset_needs_csrf(app: Quart, ada: int, caplog: pytest.LogCaptureFixture) -> None:
    token = await ask_for_reset(app, Mailbox(app, caplog))
    client = app.test_client()
    await client.get(f"/auth/reset-password/{token}")
    response = await client.post(
        f"/auth/reset-password/{token}",
        form={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert (await client.get(f"/auth/reset-password/{token}")).status_code == 200


# Change password ------------------------------------------------------------------------------


async def change(
    client: QuartClient,
    current: str = PASSWORD,
    new: str = NEW_PASSWORD,
    confirm: str | None = None,
    *,
    htmx: bool = False,
) -> Response:
    return await post_form(
        client,
        "/auth/change-password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        htmx=htmx,
    )


async def test_change_page_has_the_contract_labels(app: Quart, ada: int) -> None:
    body = await text(await (await signed_in(app)).get("/auth/change-password"))
    for label in ("Current password", "New password", "Confirm password"):
        assert f">{label}</label>" in body
    assert ">Change password</button>" in body


async def test_change_needs_a_login(app: Quart, ada: int) -> None:
    client = app.test_client()
    page = await client.get("/auth/change-password")
    assert login_redirect_next(page.headers["Location"]) == "/auth/change-password"
    response = await change(client)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    assert (await log_in(app.test_client(), "ada", PASSWORD)).status_code == 303


async def test_a_wrong_current_password_is_a_field_error(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    response = await change(client, current="Wrong1password")
    body = await text(response)
    assert response.status_code == 422
    assert field_errors(body, PASSWORD_FIELDS) == {
        "current_password": "Your current password is not right."
    }
    assert "Wrong1password" not in body
    assert NEW_PASSWORD not in body
    assert (await log_in(app.test_client(), "ada", PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "confirm", "expected"),
    [
        ("", NEW_PASSWORD, None, {"current_password": "Enter your current password."}),
        (PASSWORD, "weak", None, {"new_password": "Use at least 8 characters."}),
        (
            PASSWORD,
            "alllower1x",
            None,
            {"new_password": "Include an upper-case letter, a lower-case letter and a digit."},
        ),
        (PASSWORD, NEW_PASSWORD, "Mismatch9x", {"confirm_password": "The passwords do not match."}),
        (
            PASSWORD,
            PASSWORD,
            None,
            {"new_password": "Choose a password different from the current one."},
        ),
        (PASSWORD, "Aa1" + "x" * 10_000, None, {"new_password": "Use at most 128 characters."}),
        (
            "Sturdy\x001pass",
            "Fresh\x00er2pass",
            "Fresh\x00er2pass",
            {"new_password": "Remove control characters from the password."},
        ),
    ],
)
async def test_bad_new_passwords_are_field_errors(
    app: Quart, ada: int, *, current: str, new: str, confirm: str | None, expected: dict[str, str]
) -> None:
    client = await signed_in(app)
    response = await change(client, current, new, confirm)
    assert response.status_code == 422
    assert field_errors(await text(response), PASSWORD_FIELDS) == expected
    assert (await log_in(app.test_client(), "ada", PASSWORD)).status_code == 303


async def test_htmx_change_errors_are_the_form_fragment(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    response = await change(client, current="Wrong1password", htmx=True)
    body = await text(response)
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="change-password-form"')


async def test_a_change_keeps_this_session_and_ends_the_others(app: Quart, ada: int) -> None:
    here = await signed_in(app)
    elsewhere = await signed_in(app, remember=True)
    response = await change(here)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    page = await text(await here.get("/account"))
    assert "Your password has been changed. Other devices were logged out." in flashes(page)

    assert await is_signed_in(here)
    assert not await is_signed_in(elsewhere)
    assert len(await user_sessions(app)) == 1

    old = await log_in(app.test_client(), "ada", PASSWORD)
    assert field_error(await text(old), "identifier") == INVALID_LOGIN
    assert (await log_in(app.test_client(), "ada", NEW_PASSWORD)).status_code == 303


async def test_a_change_does_not_touch_other_accounts(app: Quart, ada: int) -> None:
    await make_user(app, "grace")
    grace = await signed_in(app, "grace")
    await change(await signed_in(app))
    assert await is_signed_in(grace)
    assert (await log_in(app.test_client(), "grace", PASSWORD)).status_code == 303


async def test_htmx_change_success_is_an_hx_redirect(app: Quart, ada: int) -> None:
    response = await change(await signed_in(app), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/account"


async def test_change_needs_csrf(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    await client.get("/auth/change-password")
    response = await client.post(
        "/auth/change-password",
        form={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        headers=HTMX,
    )
    assert response.status_code == 403
    assert (await log_in(app.test_client(), "ada", PASSWORD)).status_code == 303
