"""Policy tests: rules that hold for every route, so a new route cannot forget them."""

from __future__ import annotations

import re
from datetime import timedelta

from quart import Quart
from quart_rate_limiter import QUART_RATE_LIMITER_EXEMPT_ATTRIBUTE
from quart_rate_limiter import QUART_RATE_LIMITER_LIMITS_ATTRIBUTE
from quart_rate_limiter import RateLimit

from tests.conftest import csrf_token
from web.db import get_session
from web.ratelimit import counted_setting
from web.security import UNSAFE_METHODS
from web.services.accounts import create_user

# A route joins this list only by a decision written here.
RATE_LIMIT_EXEMPT = {"static", "health.health"}


def _exempt_endpoints(app: Quart) -> set[str]:
    return {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, QUART_RATE_LIMITER_EXEMPT_ATTRIBUTE, False)
    }


def _sample_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule)


async def test_every_route_is_rate_limited_unless_exempt_by_decision(app: Quart) -> None:
    assert _exempt_endpoints(app) == RATE_LIMIT_EXEMPT
    limiter = app.extensions["rate_limiter"]
    assert limiter._default_rate_limits, "a default limit must cover every other route"


# The seed app's limits on the endpoints attackers aim at (per client address).
EXPLICIT_LIMITS = {
    "auth.validate_registration": [(60, timedelta(minutes=1))],
    "auth.resend_verification": [(3, timedelta(hours=1))],
    "passwords.reset_password": [(5, timedelta(minutes=15))],
    "passwords.change_password": [(5, timedelta(minutes=15))],
}
# The forms whose limit counts only what it is meant to (a failed log-in, an account made, a
# guessed game code), set from the environment (CONTRACT.md); their values are checked in
# tests/unit/test_config.
COUNTED_LIMITS = {
    "auth.login": "RATELIMIT_LOGIN",
    "auth.register": "RATELIMIT_REGISTER",
    "passwords.forgot_password": "RATELIMIT_FORGOT",
    "live_play.join": "RATELIMIT_JOIN",  # only codes that name no game count
}


async def test_sensitive_endpoints_carry_the_seed_limits(app: Quart) -> None:
    for endpoint, expected in EXPLICIT_LIMITS.items():
        limits = getattr(app.view_functions[endpoint], QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, [])
        assert [(limit.count, limit.period) for limit in limits] == expected, endpoint


async def test_the_attacked_forms_count_their_own_limits(app: Quart) -> None:
    counted = {
        endpoint: counted_setting(view)
        for endpoint, view in app.view_functions.items()
        if counted_setting(view) is not None
    }
    assert counted == COUNTED_LIMITS
    for setting in COUNTED_LIMITS.values():
        assert isinstance(app.config[setting], RateLimit), setting


async def test_every_unsafe_route_checks_csrf(app: Quart) -> None:
    client = app.test_client()
    await client.get("/")
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(set(rule.methods or ()) & UNSAFE_METHODS):
            response = await client.open(_sample_path(rule.rule), method=method)
            assert response.status_code == 403, f"{method} {rule.rule} skipped the CSRF check"
            checked += 1
    unsafe_rules = [r for r in app.url_map.iter_rules() if set(r.methods or ()) & UNSAFE_METHODS]
    assert checked == sum(len(set(r.methods or ()) & UNSAFE_METHODS) for r in unsafe_rules)


async def test_every_html_page_varies_on_hx_request_and_gives_htmx_a_fragment(app: Quart) -> None:
    client = app.test_client()
    pages = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        path = _sample_path(rule.rule)
        response = await client.get(path)
        if response.mimetype != "text/html":
            continue
        pages += 1
        assert "HX-Request" in response.headers.get("Vary", ""), rule.rule
        fragment = await client.get(path, headers={"HX-Request": "true"})
        assert "<html" not in await fragment.get_data(as_text=True), rule.rule
    assert pages >= 5


async def test_signed_in_pages_give_htmx_their_content_alone(app: Quart) -> None:
    """Pages not built from one component still answer htmx with their content block."""
    async with app.app_context():
        await create_user(
            get_session(),
            username="ada",
            email="ada@example.com",
            password="Passw0rdX",
            verified=True,
        )
    client = app.test_client()
    await client.post(
        "/auth/login",
        form={"csrf_token": await csrf_token(client), "identifier": "ada", "password": "Passw0rdX"},
    )
    for path in ("/dashboard", "/account", "/"):
        page = await (await client.get(path)).get_data(as_text=True)
        fragment = await (await client.get(path, headers={"HX-Request": "true"})).get_data(
            as_text=True
        )
        assert "<html" in page
        assert "<html" not in fragment
        assert "<h1" in fragment
