"""The app-wide CSRF check, tested as hard as a library's: every unsafe method, every way in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from quart import Blueprint
from quart import Quart
from quart.testing import QuartClient

from tests.conftest import csrf_token
from tests.conftest import make_app

UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture
async def echo_app(database_url: str) -> AsyncIterator[Quart]:
    app = make_app(database_url)
    echo = Blueprint("echo", __name__)

    @echo.route("/echo", methods=["GET", *UNSAFE])
    async def echo_route() -> str:
        return "ok"

    app.register_blueprint(echo)
    async with app.test_app():
        yield app


@pytest.mark.parametrize("method", UNSAFE)
async def test_unsafe_requests_without_a_token_are_refused(echo_app: Quart, method: str) -> None:
    client = echo_app.test_client()
    await client.get("/")
    response = await client.open("/echo", method=method)
    assert response.status_code == 403
    assert "form expired" in await response.get_data(as_text=True)


@pytest.mark.parametrize("method", UNSAFE)
async def test_the_header_token_is_accepted(echo_app: Quart, method: str) -> None:
    client = echo_app.test_client()
    token = await csrf_token(client)
    response = await client.open("/echo", method=method, headers={"X-CSRF-Token": token})
    assert response.status_code == 200


async def test_the_form_field_token_is_accepted(echo_app: Quart) -> None:
    client = echo_app.test_client()
    token = await csrf_token(client)
    response = await client.post("/echo", form={"csrf_token": token})
    assert response.status_code == 200


async def test_safe_methods_need_no_token(echo_app: Quart) -> None:
    response = await echo_app.test_client().get("/echo")
    assert response.status_code == 200


@pytest.mark.parametrize("sent", ["", "wrong", "x" * 43, "a" * 10_000])
async def test_wrong_tokens_are_refused(echo_app: Quart, sent: str) -> None:
    client = echo_app.test_client()
    await csrf_token(client)
    by_header = await client.post("/echo", headers={"X-CSRF-Token": sent})
    by_form = await client.post("/echo", form={"csrf_token": sent})
    assert by_header.status_code == 403
    assert by_form.status_code == 403


async def test_a_token_from_another_session_is_refused(echo_app: Quart) -> None:
    theirs = await csrf_token(echo_app.test_client())
    client = echo_app.test_client()
    await csrf_token(client)
    response = await client.post("/echo", headers={"X-CSRF-Token": theirs})
    assert response.status_code == 403


async def test_a_token_without_a_session_is_refused(echo_app: Quart) -> None:
    token = await csrf_token(echo_app.test_client())
    fresh = echo_app.test_client()
    response = await fresh.post("/echo", headers={"X-CSRF-Token": token})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("site", "status"),
    [("cross-site", 403), ("same-site", 403), ("same-origin", 200), ("none", 200)],
)
async def test_sec_fetch_site_is_respected(echo_app: Quart, site: str, status: int) -> None:
    client = echo_app.test_client()
    token = await csrf_token(client)
    response = await client.post("/echo", headers={"X-CSRF-Token": token, "Sec-Fetch-Site": site})
    assert response.status_code == status


async def test_htmx_csrf_failure_is_a_fragment(echo_app: Quart) -> None:
    client: QuartClient = echo_app.test_client()
    response = await client.post("/echo", headers={"HX-Request": "true"})
    body = await response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<html" not in body
    assert 'role="alert"' in body


async def test_session_cookie_flags(client: QuartClient) -> None:
    response = await client.get("/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


async def test_session_cookie_is_secure_in_production_settings(database_url: str) -> None:
    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    async with app.test_app():
        response = await app.test_client().get("/")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# Where an unsafe method goes nowhere, routing answers before the CSRF check (there is
# nothing to protect): GET-only pages and a POST-only form are 405, an unknown URL 404.
ROUTING_ANSWERS = [
    (path, method, 405) for path in ("/", "/dashboard", "/health") for method in UNSAFE
]
ROUTING_ANSWERS += [("/auth/verify/resend", method, 405) for method in ("PUT", "PATCH", "DELETE")]
ROUTING_ANSWERS += [("/no/such/page", method, 404) for method in UNSAFE]


@pytest.mark.parametrize(("path", "method", "status"), ROUTING_ANSWERS)
async def test_routing_answers_before_the_csrf_check(
    echo_app: Quart, path: str, method: str, status: int
) -> None:
    """A method the URL does take is still refused without a token (the tests above)."""
    client = echo_app.test_client()
    await client.get("/")
    response = await client.open(path, method=method)
    assert response.status_code == status
    assert ("Allow" in response.headers) == (status == 405)
