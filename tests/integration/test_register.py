"""Registration: the happy path, every field's refusal, and the inline checks as fields are left."""

from __future__ import annotations

import asyncio
import re

import pytest
from quart import Quart
from quart.testing import QuartClient

from tests.concurrency import hold_together
from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import PASSWORD
from tests.integration.accounts_helpers import Mailbox
from tests.integration.accounts_helpers import fetch_all
from tests.integration.accounts_helpers import fetch_user
from tests.integration.accounts_helpers import field_error
from tests.integration.accounts_helpers import field_errors
from tests.integration.accounts_helpers import flashes
from tests.integration.accounts_helpers import input_tag
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import register
from tests.integration.accounts_helpers import registration
from tests.integration.accounts_helpers import running_app
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from web.models import User
from web.services import accounts

FIELDS = ("username", "email", "password", "confirm_password")


async def test_register_page_has_the_contract_labels(client: QuartClient) -> None:
    body = await text(await client.get("/auth/register"))
    for label in ("Username", "Email", "Password", "Confirm password"):
        assert f">{label}</label>" in body
    assert ">Create account</button>" in body


async def test_success_redirects_to_login_with_a_flash_and_mails_a_working_link(
    app: Quart, client: QuartClient, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Mailbox(app, caplog)
    response = await register(client, username="ada", email="Ada@Example.COM")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"

    login_page = await text(await client.get("/auth/login"))
    assert any("verification link to ada@example.com" in message for message in flashes(login_page))

    user = await fetch_user(app, "ada")
    assert user.email == "ada@example.com"  # normalized
    assert not user.is_verified
    assert user.password_hash != PASSWORD
    assert PASSWORD not in user.password_hash

    [message] = await mailbox.to("ada@example.com", "Verify your email")
    assert "http://127.0.0.1:8000/auth/verify/" in message
    token = await mailbox.last_token("verify")
    verified = await post_form(client, f"/auth/verify/{token}")  # its "Verify email" button
    assert verified.status_code == 303
    assert (await fetch_user(app, "ada")).is_verified


async def test_the_longest_allowed_values_are_stored(app: Quart, client: QuartClient) -> None:
    """Limits in the form and in the columns agree (PostgreSQL enforces VARCHAR lengths)."""
    username = "u" * 80
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
    password = "Aa1" + "x" * 125
    assert len(email) == 254
    response = await register(client, username=username, email=email, password=password)
    assert response.status_code == 303
    user = await fetch_user(app, username)
    assert user.email == email
    assert (await log_in(app.test_client(), username, password)).status_code == 303


async def test_the_shortest_allowed_values_are_stored(app: Quart, client: QuartClient) -> None:
    response = await register(client, username="abc", email="a@b.co", password="Aa1bcdef")
    assert response.status_code == 303
    assert (await log_in(app.test_client(), "abc", "Aa1bcdef")).status_code == 303


@pytest.mark.parametrize("password", [" Sturdy1pass ", "Pässwörd1Ä", "Aa1 💥💥💥💥💥"])
async def test_passwords_are_kept_exactly_as_typed(app: Quart, password: str) -> None:
    """Spaces and non-ASCII characters are part of the password, at sign-up and at log-in."""
    response = await register(app.test_client(), password=password)
    assert response.status_code == 303
    assert (await log_in(app.test_client(), "ada", password)).status_code == 303
    if password != password.strip():
        assert (await log_in(app.test_client(), "ada", password.strip())).status_code == 422


async def test_the_flash_is_shown_once(client: QuartClient) -> None:
    await register(client)
    first = await text(await client.get("/auth/login"))
    second = await text(await client.get("/auth/login"))
    assert any("Account created" in message for message in flashes(first))
    assert not any("Account created" in message for message in flashes(second))


async def test_base_url_is_used_in_the_link(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_app(database_url, BASE_URL="https://quiz.example.org") as app:
        mailbox = Mailbox(app, caplog)
        await register(app.test_client())
        [message] = await mailbox.messages()
    assert "https://quiz.example.org/auth/verify/" in message


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"username": "ab"}, "username", "3 to 80"),
        ({"username": "x" * 81}, "username", "3 to 80"),
        ({"username": "has space"}, "username", "3 to 80"),
        ({"username": "a-b-c"}, "username", "3 to 80"),
        ({"username": "ada<script>"}, "username", "3 to 80"),
        ({"username": "émile"}, "username", "3 to 80"),
        ({"username": "ada\u200b"}, "username", "3 to 80"),  # zero-width space
        ({"username": "\u200bada"}, "username", "3 to 80"),
        ({"username": "ada\u202e"}, "username", "3 to 80"),  # right-to-left override
        ({"username": "💥💥💥"}, "username", "3 to 80"),
        ({"username": "\uff41\uff44\uff41"}, "username", "3 to 80"),  # full-width letters
        ({"username": "ada\tlove"}, "username", "3 to 80"),
        ({"username": "ada\nlove"}, "username", "3 to 80"),
        ({"email": "no-at-sign"}, "email", "valid email"),
        ({"email": "a@"}, "email", "valid email"),
        ({"email": "@example.com"}, "email", "valid email"),
        ({"email": "a@b"}, "email", "valid email"),
        ({"email": "a b@example.com"}, "email", "valid email"),
        ({"email": "ada@example.com\nBcc: x@evil.com"}, "email", "valid email"),
        ({"email": "a" * 250 + "@example.com"}, "email", "at most 254"),
        ({"password": "Sh0rt"}, "password", "at least 8"),
        ({"password": "alllower1"}, "password", "upper-case"),
        ({"password": "ALLUPPER1"}, "password", "lower-case"),
        ({"password": "NoDigitsHere"}, "password", "digit"),
        ({"password": "Aa1" + "x" * 126}, "password", "at most 128"),
        ({"password": "Valid123\x00"}, "password", "control"),
        ({"password": "Valid123\x1b"}, "password", "control"),
        ({"password": "Valid123\n"}, "password", "control"),
        ({"confirm": "Sturdy1pasS"}, "confirm_password", "do not match"),
        ({"confirm": ""}, "confirm_password", "Confirm"),
    ],
)
async def test_each_bad_field_is_a_422_with_its_message(
    app: Quart, client: QuartClient, fields: dict[str, str], field: str, fragment: str
) -> None:
    response = await register(client, **fields)
    body = await text(response)
    assert response.status_code == 422
    errors = field_errors(body, FIELDS)
    assert list(errors) == [field], errors
    assert fragment in errors[field]
    assert 'role="alert"' in body  # the summary at the top of the form
    assert f'href="#field-{field.replace("_", "-")}"' in body
    assert await fetch_all(app, User) == []


async def test_missing_fields_each_get_a_message(app: Quart, client: QuartClient) -> None:
    response = await post_form(client, "/auth/register", {})
    body = await text(response)
    assert response.status_code == 422
    assert field_errors(body, FIELDS) == {
        "username": "Enter a username.",
        "email": "Enter an email address.",
        "password": "Enter a password.",
        "confirm_password": "Confirm the password.",
    }
    assert await fetch_all(app, User) == []


async def test_whitespace_only_fields_count_as_missing(client: QuartClient) -> None:
    response = await register(client, username="   ", email=" \t ")
    errors = field_errors(await text(response), FIELDS)
    assert response.status_code == 422
    assert errors["username"] == "Enter a username."
    assert errors["email"] == "Enter an email address."


async def test_oversized_fields_are_refused_without_a_server_error(
    app: Quart, client: QuartClient
) -> None:
    huge = "A1a" * 3334  # 10,002 characters
    response = await register(client, username=huge, email=huge + "@example.com", password=huge)
    body = await text(response)
    assert response.status_code == 422
    assert set(field_errors(body, FIELDS)) == {"username", "email", "password"}
    assert await fetch_all(app, User) == []


async def test_a_body_over_the_size_limit_is_a_413(client: QuartClient) -> None:
    response = await register(client, username="x" * (1024 * 1024 + 10))
    assert response.status_code == 413


CONTROLS = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\r"]


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("field", FIELDS)
async def test_control_characters_never_cause_a_server_error(
    app: Quart, client: QuartClient, field: str, control: str
) -> None:
    """PostgreSQL refuses NUL in text outright: it must be caught before the database."""
    fields = registration()
    fields[field] = fields[field][:3] + control + fields[field][3:]
    response = await post_form(client, "/auth/register", fields)
    assert response.status_code in {303, 422}
    users = await fetch_all(app, User)
    for user in users:  # stripped, if kept at all: never stored with the control character
        assert control not in user.username
        assert control not in user.email
    if field in {"password", "confirm_password"}:
        assert response.status_code == 422
        assert users == []


async def test_control_characters_are_not_a_500_on_the_inline_check(client: QuartClient) -> None:
    fields = {name: f"ab\x00{value}" for name, value in registration().items()}
    for field in FIELDS:
        response = await post_form(client, f"/auth/register/validate?field={field}", fields)
        assert response.status_code == 200


async def test_duplicate_username_is_refused_regardless_of_case(
    app: Quart, client: QuartClient
) -> None:
    await make_user(app, "Ada", "first@example.com")
    response = await register(client, username="aDA", email="second@example.com")
    errors = field_errors(await text(response), FIELDS)
    assert response.status_code == 422
    assert errors == {"username": "That username is taken."}
    assert len(await fetch_all(app, User)) == 1


async def test_duplicate_email_is_refused_regardless_of_case(
    app: Quart, client: QuartClient
) -> None:
    await make_user(app, "ada", "ada@example.com")
    response = await register(client, username="grace", email="ADA@example.com")
    errors = field_errors(await text(response), FIELDS)
    assert response.status_code == 422
    assert errors == {"email": "An account with that email already exists."}
    assert len(await fetch_all(app, User)) == 1


async def test_a_taken_name_and_email_are_reported_with_the_other_field_errors(
    app: Quart, client: QuartClient
) -> None:
    """One submit tells everything to fix, not the taken name only after the rest is right."""
    await make_user(app, "Ada", "ada@example.com")
    response = await register(
        client, username="ADA", email="ada@example.com", password="weak", confirm="other"
    )
    assert response.status_code == 422
    errors = field_errors(await text(response), FIELDS)
    assert errors["username"] == "That username is taken."
    assert errors["email"] == "An account with that email already exists."
    assert "password" in errors
    assert errors["confirm_password"] == "The passwords do not match."


async def test_the_username_hint_says_which_letters(client: QuartClient) -> None:
    body = await text(await client.get("/auth/register"))
    hint = re.search(r'<p class="field-hint" id="field-username-hint">([^<]*)</p>', body)
    assert hint, body
    assert (
        hint.group(1)
        == "3 to 80 characters: letters A to Z without accents, digits or underscores."
    )


async def test_a_password_of_spaces_around_a_few_characters_is_refused(
    client: QuartClient,
) -> None:
    response = await register(client, password="   Ab1    ")
    assert response.status_code == 422
    errors = field_errors(await text(response), FIELDS)
    assert errors == {"password": "Use at least 8 characters besides spaces."}


async def test_values_are_shown_again_but_never_the_password(client: QuartClient) -> None:
    secret = "Secret9Words"
    response = await register(
        client,
        username="grace_h",
        email="grace@example.com",
        password=secret,
        confirm="Other9Words",
    )
    body = await text(response)
    assert response.status_code == 422
    assert 'value="grace_h"' in input_tag(body, "username")
    assert 'value="grace@example.com"' in input_tag(body, "email")
    assert "value=" not in input_tag(body, "password")
    assert "value=" not in input_tag(body, "confirm_password")
    assert secret not in body
    assert "Other9Words" not in body


async def test_values_shown_again_are_escaped(client: QuartClient) -> None:
    response = await register(client, username='"><script>alert(1)</script>')
    body = await text(response)
    assert response.status_code == 422
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


async def test_htmx_submit_gets_the_form_fragment_with_422(client: QuartClient) -> None:
    response = await register(client, htmx=True, username="ab")
    body = await text(response)
    assert response.status_code == 422
    assert "<html" not in body
    assert body.lstrip().startswith('<form id="register-form"')
    assert field_error(body, "username")


async def test_htmx_success_is_an_hx_redirect(client: QuartClient) -> None:
    response = await register(client, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/auth/login"


async def test_register_needs_csrf(app: Quart, client: QuartClient) -> None:
    await client.get("/auth/register")
    response = await client.post("/auth/register", form=registration())
    assert response.status_code == 403
    assert await fetch_all(app, User) == []


@pytest.mark.parametrize(
    ("field", "fields", "message"),
    [
        (
            "username",
            {"username": "ab"},
            "Use 3 to 80 characters: letters A to Z without accents, digits or underscores.",
        ),
        ("email", {"email": "nope"}, "Enter a valid email address, like name@example.com."),
        ("password", {"password": "weakpass"}, "upper-case"),
        ("confirm_password", {"confirm": "Different1"}, "The passwords do not match."),
    ],
)
async def test_inline_check_shows_only_that_fields_error(
    client: QuartClient, field: str, fields: dict[str, str], message: str
) -> None:
    bad = registration(**{"username": "ab", "email": "nope", "password": "weakpass"} | fields)
    if field != "confirm_password":
        bad["confirm_password"] = "Different1"
    response = await post_form(client, f"/auth/register/validate?field={field}", bad, htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert "<html" not in body
    errors = field_errors(body, FIELDS)
    assert list(errors) == [field]
    assert message in errors[field]
    assert "weakpass" not in body


async def test_inline_check_of_a_good_field_shows_no_error(client: QuartClient) -> None:
    response = await post_form(
        client, "/auth/register/validate?field=username", registration(), htmx=True
    )
    assert response.status_code == 200
    assert field_errors(await text(response), FIELDS) == {}


async def test_inline_check_reports_a_taken_username_but_keeps_emails_private(
    app: Quart, client: QuartClient
) -> None:
    """Usernames are public anyway (leaderboards); whether an address has an account is told
    only by the submit, which allows 3 tries an hour, not 60 probes a minute."""
    await make_user(app, "Ada", "ada@example.com")
    by_name = await post_form(
        client, "/auth/register/validate?field=username", registration(username="ADA")
    )
    by_email = await post_form(
        client, "/auth/register/validate?field=email", registration(email="Ada@Example.com")
    )
    assert field_errors(await text(by_name), FIELDS) == {"username": "That username is taken."}
    assert field_errors(await text(by_email), FIELDS) == {}
    submitted = await register(client, username="someone", email="Ada@Example.com")
    assert field_errors(await text(submitted), FIELDS) == {
        "email": "An account with that email already exists."
    }


async def test_inline_check_does_not_create_an_account(app: Quart, client: QuartClient) -> None:
    for field in FIELDS:
        await post_form(client, f"/auth/register/validate?field={field}", registration())
    assert await fetch_all(app, User) == []


@pytest.mark.parametrize("query", ["?field=is_admin", "?field=", "", "?field=csrf_token"])
async def test_inline_check_of_an_unknown_field_is_a_400(client: QuartClient, query: str) -> None:
    response = await post_form(client, f"/auth/register/validate{query}", registration())
    assert response.status_code == 400


async def test_inline_check_needs_csrf(client: QuartClient) -> None:
    await client.get("/")
    response = await client.post(
        "/auth/register/validate?field=username", form=registration(), headers=HTMX
    )
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
async def test_signed_in_people_are_sent_to_their_dashboard(app: Quart, path: str) -> None:
    await make_user(app)
    client = await signed_in(app)
    plain = await client.get(path)
    htmx = await client.get(path, headers=HTMX)
    assert plain.status_code == 303
    assert plain.headers["Location"] == "/dashboard"
    assert htmx.headers["HX-Redirect"] == "/dashboard"


async def test_a_registered_user_can_log_in_at_once(client: QuartClient) -> None:
    await register(client, username="grace", email="grace@example.com")
    response = await log_in(client, "grace")
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        (
            {"username": "ada", "email": "a1@example.com"},
            {"username": "ada", "email": "a2@example.com"},
            "username",
        ),
        (  # the same name in another case: unique by the index on the lowered name
            {"username": "Ada", "email": "a1@example.com"},
            {"username": "ada", "email": "a2@example.com"},
            "username",
        ),
        (
            {"username": "ada1", "email": "same@example.com"},
            {"username": "ada2", "email": "same@example.com"},
            "email",
        ),
    ],
)
async def test_two_concurrent_registrations_of_one_name_give_a_field_error(
    app: Quart,
    monkeypatch: pytest.MonkeyPatch,
    first: dict[str, str],
    second: dict[str, str],
    field: str,
) -> None:
    """Both pass the availability check together (two workers); the database's unique index
    stops the second, which must read as the usual field error, not a 500."""
    hold_together(monkeypatch, accounts, "hash_password")
    responses = await asyncio.gather(
        register(app.test_client(), **first), register(app.test_client(), **second)
    )
    assert sorted(response.status_code for response in responses) == [303, 422]
    refused = next(response for response in responses if response.status_code == 422)
    assert field_error(await text(refused), field)
    assert len(await fetch_all(app, User)) == 1
