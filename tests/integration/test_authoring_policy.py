"""Policy test: every authoring and results route refuses who must be refused.

It walks app.url_map, so a route added under an endpoint starting "authoring" or
"quiz_results" is checked the day it lands: logged out → log in (a 303, or for htmx
HX-Redirect / 401 / 403); a plain verified member → 403; another author → 404 (someone
else's quiz does not exist for you); the owner and an admin → neither, the same status for
both. Never a 500. URLs fill <slug> with a quiz of the owner's, a param named "position"
with 1 and any other number with a real question id of that quiz; POSTs carry the CSRF
token and a minimal form (MINIMAL_FORM), so a route may well answer 422 or 409 to the
owner: it must not refuse them, nor fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from quart import Quart
from quart import Response
from quart.testing import QuartClient
from sqlmodel import col
from sqlmodel import update

from tests.conftest import make_app
from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from web.db import get_session
from web.forms.authoring import QuizSettings
from web.models import User
from web.services import authoring
from web.services import drafts

PREFIXES = ("authoring", "quiz_results")
ROUTE_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Not a placeholder of ours, and not a kind the routes need: the likeliest other string.
OTHER_STRING = "single_choice"
# What the smallest real form of these routes sends: "Add question" names a kind.
MINIMAL_FORM = {"kind": "single_choice"}
TITLE = "Policy Quiz Zebra"
SETTINGS = QuizSettings(
    title=TITLE,
    description="Checked by the policy test.",
    category="Policy",
    difficulty="easy",
    time_limit_seconds=None,
    feedback_mode="immediate",
    shuffle_questions=False,
    shuffle_choices=False,
)


@dataclass(frozen=True, order=True)
class Route:
    endpoint: str
    rule: str
    method: str

    @property
    def has_slug(self) -> bool:
        return any(name == "slug" for _converter, name in ROUTE_PARAM.findall(self.rule))


def routes_of(app: Quart) -> list[Route]:
    return sorted(
        Route(rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(PREFIXES)
        for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
    )


def _collected() -> list[Route]:
    """The routes, read at collection from an app that never opens its database."""
    return routes_of(make_app("sqlite+aiosqlite:////nonexistent/policy.db"))


ROUTES = _collected()


def url(route: Route, slug: str, question_id: int) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        if name == "slug":
            return slug
        if name == "position":
            return "1"
        if converter in ("int", "id"):
            return str(question_id)
        return OTHER_STRING

    return ROUTE_PARAM.sub(fill, route.rule)


async def _user(app: Quart, name: str, *, author: bool = False, admin: bool = False) -> int:
    user_id = await make_user(app, name, is_admin=admin)
    if author:
        async with app.app_context():
            session = get_session()
            await session.exec(update(User).where(col(User.id) == user_id).values(is_author=True))
            await session.commit()
    return user_id


async def _quiz(app: Quart, owner_id: int) -> tuple[str, int]:
    """A new quiz of the owner's with one question in its draft: (slug, question id)."""
    async with app.app_context():
        session = get_session()
        owner = await session.get(User, owner_id)
        assert owner is not None
        quiz = await authoring.create_quiz(session, owner, SETTINGS)
        question_id = await drafts.add_question(session, owner, quiz.slug, "single_choice")
        return quiz.slug, question_id


async def call(client: QuartClient, route: Route, path: str, *, htmx: bool = False) -> Response:
    if route.method == "GET":
        return await client.get(path, headers=HTMX if htmx else None)
    return await post_form(client, path, MINIMAL_FORM, htmx=htmx) if route.method == "POST" else (
        await client.open(path, method=route.method, headers=HTMX if htmx else None)
    )  # fmt: skip


def _where(route: Route, role: str, htmx: bool) -> str:
    return f"{route.method} {route.rule} as {role}{' (htmx)' if htmx else ''}"


def assert_sent_to_log_in(response: Response, where: str, *, htmx: bool) -> None:
    if htmx and response.status_code in (401, 403):
        return
    if htmx:
        assert response.status_code == 200, where
        assert response.headers["HX-Redirect"].startswith("/auth/login"), where
    else:
        assert response.status_code == 303, where
        assert response.headers["Location"].startswith("/auth/login"), where


async def test_the_walk_covers_the_authoring_and_results_routes(app: Quart) -> None:
    """Collected routes are the app's routes, and ours at least are among them."""
    assert routes_of(app) == ROUTES
    endpoints = {route.endpoint for route in ROUTES}
    assert {"quiz_results.results", "quiz_results.results_csv"} <= endpoints


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.rule}")
async def test_only_owners_and_admins_get_through(app: Quart, route: Route) -> None:
    owner = await _user(app, "owner", author=True)
    await _user(app, "rival", author=True)
    await _user(app, "member")
    await _user(app, "root", admin=True)
    owner_quiz, htmx_quiz, admin_quiz = [await _quiz(app, owner) for _ in range(3)]
    path = url(route, *owner_quiz)

    for htmx in (False, True):
        anonymous = app.test_client()
        await anonymous.get("/")  # a CSRF token, so the refusal is about who, not the token
        response = await call(anonymous, route, path, htmx=htmx)
        assert_sent_to_log_in(response, _where(route, "nobody", htmx), htmx=htmx)

        member = await call(await signed_in(app, "member"), route, path, htmx=htmx)
        assert member.status_code == 403, _where(route, "member", htmx)

        rival = await call(await signed_in(app, "rival"), route, path, htmx=htmx)
        where = _where(route, "another author", htmx)
        if route.has_slug:
            assert rival.status_code == 404, where
            assert TITLE not in await text(rival), where
        else:  # their own list, their own new quiz: an author's right
            assert rival.status_code not in (401, 403, 404), where
            assert rival.status_code < 500, where

    owner_client = await signed_in(app, "owner")
    owned = await call(owner_client, route, path)
    where = _where(route, "owner", False)
    assert owned.status_code not in (401, 403, 404), f"{where}: {owned.status_code}"
    assert owned.status_code < 500, where
    owned_htmx = await call(owner_client, route, url(route, *htmx_quiz), htmx=True)
    where = _where(route, "owner", True)
    assert owned_htmx.status_code not in (401, 403, 404), f"{where}: {owned_htmx.status_code}"
    assert owned_htmx.status_code < 500, where

    admin = await call(await signed_in(app, "root"), route, url(route, *admin_quiz))
    assert admin.status_code == owned.status_code, _where(route, "admin", False)
