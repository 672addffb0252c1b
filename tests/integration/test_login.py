"""Log-in and log-out: identifiers, cookies, safe redirects, sessions that really end
(throttling: test_lockout.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from quart import Quart
from quart.testing import QuartClient
from sqlmodel import col
from sqlmodel import update

from tests.conftest import csrf_token
from tests.integration.accounts_helpers import AUTH_COOKIE
from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import PASSWORD
from tests.integration.accounts_helpers import auth_cookie
from tests.integration.accounts_helpers import execute
from tests.integration.accounts_helpers import fetch_user
from tests.integration.accounts_helpers import field_error
from tests.integration.accounts_helpers import field_errors
from tests.integration.accounts_helpers import flashes
from tests.integration.accounts_helpers import input_tag
from tests.integration.accounts_helpers import is_signed_in
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import log_out
from tests.integration.accounts_helpers import login_redirect_next
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import set_cookie_header
from tests.integration.accounts_helpers import sha256
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from tests.integration.accounts_helpers import user_sessions
from web.forms.accounts import INVALID_LOGIN
from web.models import UserSession
from web.models import utcnow

LOGIN_FIELDS = ("identifier", "password")


@pytest.fixture
async def ada(app: Quart) -> int:
    return await make_user(app, "Ada", "ada@example.com")


async def test_login_page_has_the_contract_labels(client: QuartClient) -> None:
    body = await text(await client.get("/auth/login"))
    for label in ("Username or email", "Password", "Remember me"):
        assert f">{label}</label>" in body
    assert ">Log in</button>" in body
    assert ">Forgot password?</a>" in body


@pytest.mark.parametrize(
    "identifier", ["Ada", "ada", "ADA", "ada@example.com", "ADA@Example.COM", "  ada  "]
)
async def test_log_in_by_username_or_email_in_any_case(
    app: Quart, ada: int, identifier: str
) -> None:
    client = app.test_client()
    response = await log_in(client, identifier)
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    dashboard = await text(await client.get("/dashboard"))
    assert "Welcome, Ada." in flashes(dashboard)
    assert "Hello, Ada" in dashboard
    assert ">Log out</button>" in dashboard
    assert (await fetch_user(app, "Ada")).last_login_at is not None


async def test_htmx_login_redirects_with_hx_redirect(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client(), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/dashboard"


async def test_wrong_password_and_unknown_user_look_the_same(app: Quart, ada: int) -> None:
    wrong = await log_in(app.test_client(), "ada", "Wrong1password")
    unknown = await log_in(app.test_client(), "nobody", "Wrong1password")
    unknown_email = await log_in(app.test_client(), "nobody@example.com", "Wrong1password")
    bodies = [await text(response) for response in (wrong, unknown, unknown_email)]
    assert [response.status_code for response in (wrong, unknown, unknown_email)] == [422] * 3
    for body in bodies:
        assert field_errors(body, LOGIN_FIELDS) == {"identifier": INVALID_LOGIN}
        assert "Wrong1password" not in body


async def test_the_identifier_is_shown_again_but_not_the_password(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client(), "ada", "Wrong1password")
    body = await text(response)
    assert 'value="ada"' in input_tag(body, "identifier")
    assert "value=" not in input_tag(body, "password")


async def test_htmx_failure_is_the_form_fragment(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client(), "ada", "Wrong1password", htmx=True)
    body = await text(response)
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="login-form"')
    assert field_error(body, "identifier") == INVALID_LOGIN


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"identifier": "Enter your username or email.", "password": "Enter your password."}),
        ({"identifier": "ada"}, {"password": "Enter your password."}),
        ({"password": PASSWORD}, {"identifier": "Enter your username or email."}),
        ({"identifier": "a" * 10_000, "password": PASSWORD}, {"identifier": INVALID_LOGIN}),
        ({"identifier": "ada", "password": "A1a" * 3334}, {"identifier": INVALID_LOGIN}),
    ],
)
async def test_missing_or_oversized_fields_are_422(
    app: Quart, ada: int, fields: dict[str, str], expected: dict[str, str]
) -> None:
    response = await post_form(app.test_client(), "/auth/login", fields)
    assert response.status_code == 422
    assert field_errors(await text(response), LOGIN_FIELDS) == expected


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f"])
@pytest.mark.parametrize("field", LOGIN_FIELDS)
async def test_control_characters_never_cause_a_server_error(
    app: Quart, ada: int, field: str, control: str
) -> None:
    fields = {"identifier": "nobody", "password": "Wrong1password", "remember": "on"}
    fields[field] = fields[field][:2] + control + fields[field][2:]
    response = await post_form(app.test_client(), "/auth/login", fields)
    assert response.status_code == 422
    assert field_error(await text(response), "identifier") == INVALID_LOGIN


async def test_control_characters_in_next_are_ignored(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client(), next_url="/account\x00")
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"


async def test_remember_me_keeps_the_cookie_for_30_days(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client(), remember=True)
    cookie = set_cookie_header(response)
    assert cookie is not None
    assert f"Max-Age={30 * 24 * 60 * 60}" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    [session] = await user_sessions(app)
    assert session.remember
    assert timedelta(days=29) < session.expires_at - utcnow() <= timedelta(days=30)


async def test_without_remember_me_the_cookie_ends_with_the_browser(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client())
    cookie = set_cookie_header(response)
    assert cookie is not None
    assert "Max-Age" not in cookie
    assert "Expires" not in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    [session] = await user_sessions(app)
    assert not session.remember
    assert session.expires_at - utcnow() <= timedelta(days=1)


async def test_sessions_are_stored_only_as_hashes(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    cookie = auth_cookie(client)
    assert cookie is not None
    raw = app.extensions["QUART_AUTH"][0].load_token(cookie, app)
    assert raw
    [session] = await user_sessions(app)
    assert session.token_hash == sha256(raw)
    assert raw not in str(session.model_dump())


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "//evil.com/account",
        "https://evil.com",
        "http://evil.com/account",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "evil.com",
        "/\t/evil.com",
        " //evil.com",
    ],
)
async def test_next_never_leaves_the_site(app: Quart, ada: int, target: str) -> None:
    client = app.test_client()
    page = await text(await client.get("/auth/login", query_string={"next": target}))
    assert "evil.com" not in page
    assert 'name="next"' not in page
    response = await log_in(client, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"


async def test_next_within_the_site_is_followed(app: Quart, ada: int) -> None:
    client = app.test_client()
    page = await text(await client.get("/auth/login?next=/account"))
    assert '<input type="hidden" name="next" value="/account">' in page
    response = await log_in(client, next_url="/account")
    assert response.headers["Location"] == "/account"
    assert (await client.get("/account")).status_code == 200


async def test_next_is_escaped_in_the_page(client: QuartClient) -> None:
    target = '/account?a="><script>alert(1)</script>'
    page = await text(await client.get("/auth/login", query_string={"next": target}))
    assert "<script>alert(1)" not in page
    assert 'name="next" value="/account?a=&#34;&gt;&lt;script&gt;' in page


async def test_next_is_kept_after_a_failed_attempt(app: Quart, ada: int) -> None:
    response = await log_in(app.test_client(), "ada", "Wrong1password", next_url="/account")
    assert '<input type="hidden" name="next" value="/account">' in await text(response)


async def test_next_for_htmx_goes_in_hx_redirect(app: Quart, ada: int) -> None:
    good = await log_in(app.test_client(), next_url="/account", htmx=True)
    bad = await log_in(app.test_client(), next_url="//evil.com", htmx=True)
    assert good.headers["HX-Redirect"] == "/account"
    assert bad.headers["HX-Redirect"] == "/dashboard"


async def test_each_login_gets_a_new_auth_cookie(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    first = auth_cookie(client)
    await log_out(client)
    assert (await log_in(client)).status_code == 303
    second = auth_cookie(client)
    assert first is not None
    assert second is not None
    assert first != second


async def test_two_browsers_get_different_sessions(app: Quart, ada: int) -> None:
    first = auth_cookie(await signed_in(app))
    second = auth_cookie(await signed_in(app))
    assert first != second
    assert len(await user_sessions(app)) == 2


async def test_login_rotates_the_csrf_token(app: Quart, ada: int) -> None:
    """A token planted before log-in (session fixation) must not work afterwards."""
    client = app.test_client()
    before = await csrf_token(client)
    await client.post(
        "/auth/login", form={"csrf_token": before, "identifier": "ada", "password": PASSWORD}
    )
    after = await csrf_token(client)
    assert after != before
    stale = await client.post("/auth/logout", form={"csrf_token": before})
    assert stale.status_code == 403
    assert await is_signed_in(client)


async def test_login_needs_csrf(app: Quart, ada: int) -> None:
    client = app.test_client()
    await client.get("/auth/login")
    response = await client.post("/auth/login", form={"identifier": "ada", "password": PASSWORD})
    assert response.status_code == 403
    assert auth_cookie(client) is None


@pytest.mark.parametrize("path", ["/dashboard", "/account", "/auth/change-password"])
async def test_protected_pages_send_anonymous_visitors_to_log_in(
    client: QuartClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert login_redirect_next(response.headers["Location"]) == path


async def test_the_query_string_survives_the_detour(client: QuartClient) -> None:
    response = await client.get("/account?tab=security")
    assert login_redirect_next(response.headers["Location"]) == "/account?tab=security"


@pytest.mark.parametrize("path", ["/dashboard", "/account", "/auth/change-password"])
async def test_htmx_requests_to_protected_pages_get_hx_redirect(
    client: QuartClient, path: str
) -> None:
    response = await client.get(path, headers={**HTMX, "HX-Current-URL": f"http://localhost{path}"})
    assert response.status_code == 200
    assert login_redirect_next(response.headers["HX-Redirect"]) == path


async def test_a_forged_current_url_does_not_make_an_open_redirect(client: QuartClient) -> None:
    response = await client.get(
        "/dashboard", headers={**HTMX, "HX-Current-URL": "http://localhost//evil.com"}
    )
    location = response.headers["HX-Redirect"]
    assert "evil.com" not in location
    assert login_redirect_next(location) is None


async def test_after_logging_in_from_the_detour_the_page_opens(app: Quart, ada: int) -> None:
    client = app.test_client()
    detour = await client.get("/account")
    target = login_redirect_next(detour.headers["Location"])
    response = await log_in(client, next_url=target)
    assert response.headers["Location"] == "/account"


async def test_a_tampered_auth_cookie_is_ignored(app: Quart, ada: int) -> None:
    cookie = auth_cookie(await signed_in(app))
    assert cookie is not None
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    response = await app.test_client().get(
        "/dashboard", headers={"Cookie": f"{AUTH_COOKIE}={tampered}"}
    )
    assert response.status_code == 303


async def test_an_expired_session_reads_as_signed_out(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    await execute(
        app,
        update(UserSession)
        .where(col(UserSession.user_id) == ada)
        .values(expires_at=utcnow() - timedelta(seconds=1)),
    )
    assert not await is_signed_in(client)


# Log-out --------------------------------------------------------------------------------------


async def test_logout_is_post_only(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    response = await client.get("/auth/logout")
    assert response.status_code == 405
    assert await is_signed_in(client)


async def test_logout_needs_csrf(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    await client.get("/dashboard")
    response = await client.post("/auth/logout")
    assert response.status_code == 403
    assert await is_signed_in(client)


async def test_logout_ends_the_session_for_good(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    cookie = auth_cookie(client)
    response = await log_out(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = await text(await client.get("/"))
    assert "You have been logged out." in flashes(home)
    assert ">Log in</a>" in home
    assert not await is_signed_in(client)
    assert await user_sessions(app) == []

    replay = await app.test_client().get(
        "/dashboard", headers={"Cookie": f"{AUTH_COOKIE}={cookie}"}
    )
    assert replay.status_code == 303
    assert login_redirect_next(replay.headers["Location"]) == "/dashboard"


async def test_logout_clears_the_cookie(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    response = await log_out(client)
    cookie = set_cookie_header(response)
    assert cookie is not None
    assert "Expires=Thu, 01 Jan 1970" in cookie or "Max-Age=0" in cookie
    assert auth_cookie(client) is None


async def test_logout_of_one_browser_keeps_the_other(app: Quart, ada: int) -> None:
    first = await signed_in(app)
    second = await signed_in(app)
    await log_out(first)
    assert not await is_signed_in(first)
    assert await is_signed_in(second)


async def test_logout_when_not_logged_in_is_harmless(client: QuartClient) -> None:
    response = await log_out(client)
    assert response.status_code == 303


async def test_htmx_logout_is_an_hx_redirect(app: Quart, ada: int) -> None:
    client = await signed_in(app)
    response = await post_form(client, "/auth/logout", htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/"
    assert not await is_signed_in(client)


async def test_a_malformed_current_url_header_does_not_break_the_login_redirect(
    client: QuartClient,
) -> None:
    """htmx sends HX-Current-URL; a hand-made one that urlsplit refuses must not be a 500."""
    response = await client.get(
        "/dashboard", headers={"HX-Request": "true", "HX-Current-URL": "http://[::1"}
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/auth/login"
