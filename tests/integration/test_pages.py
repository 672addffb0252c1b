"""The foundation's cross-cutting behaviour: pages, fragments, headers and error pages."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from jinja2 import meta
from jinja2 import nodes
from quart import Blueprint
from quart import Quart
from quart.testing import QuartClient

from tests.conftest import csrf_token
from tests.conftest import make_app
from web.kinds import KINDS

SECURITY_HEADERS = {
    "Content-Security-Policy": "script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(headers: object) -> None:
    for name, fragment in SECURITY_HEADERS.items():
        value = headers.get(name)  # type: ignore[attr-defined]
        assert value is not None, f"missing {name}"
        assert fragment in value
    assert "unsafe-inline" not in headers.get("Content-Security-Policy")  # type: ignore[attr-defined]


async def test_home_page_is_semantic_and_loads_htmx_from_our_origin(client: QuartClient) -> None:
    response = await client.get("/")
    body = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<a class="skip-link" href="#main">' in body
    assert '<nav aria-label="Main">' in body
    assert '<main id="main"' in body
    assert 'id="messages" class="messages" role="status"' in body
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in body
    assert "http://" not in body.split("<body")[0].replace('content="', "")
    assert "hx-headers:inherited=" in body
    assert "<script>" not in body  # no inline script: the CSP forbids it
    static = await client.get("/static/vendor/htmx.min.js")
    assert static.status_code == 200
    assert "htmx" in (await static.get_data(as_text=True))[:2000]


@pytest.mark.parametrize("path", ["/", "/health", "/static/css/app.css", "/nowhere"])
async def test_every_response_has_security_headers(client: QuartClient, path: str) -> None:
    response = await client.get(path)
    assert_security_headers(response.headers)
    assert "Strict-Transport-Security" not in response.headers


async def test_production_adds_hsts(database_url: str) -> None:
    app = make_app(database_url, HSTS=True)
    async with app.test_app():
        response = await app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


async def test_html_varies_on_hx_request(client: QuartClient) -> None:
    response = await client.get("/")
    assert "HX-Request" in response.headers.get("Vary", "")


async def test_unknown_url_is_a_styled_404_that_keeps_navigation(client: QuartClient) -> None:
    response = await client.get("/no/such/page")
    body = await response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<nav aria-label="Main">' in body
    assert '<h1 class="notice-title">Not Found' in body
    assert "could not find that page" in body
    assert "/static/css/app.css" in body


async def test_htmx_errors_are_fragments_aimed_at_the_alert_region(client: QuartClient) -> None:
    response = await client.get("/no/such/page", headers={"HX-Request": "true"})
    body = await response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<html" not in body
    assert 'role="alert"' in body
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Request" in response.headers["Vary"]


async def test_wrong_method_is_405_page(client: QuartClient) -> None:
    response = await client.put("/health")
    assert response.status_code in (403, 405)  # unsafe methods meet the CSRF check first
    response = await client.get("/", headers={"X-CSRF-Token": "x"})
    assert response.status_code == 200


async def test_405_for_a_safe_method_on_a_post_only_route(database_url: str) -> None:
    app = make_app(database_url)
    extra = Blueprint("extra", __name__)

    @extra.post("/only-post")
    async def only_post() -> str:
        return "posted"

    app.register_blueprint(extra)
    async with app.test_app():
        response = await app.test_client().get("/only-post")
    assert response.status_code == 405
    assert "not allowed" in await response.get_data(as_text=True)


async def test_oversized_body_is_413(database_url: str) -> None:
    app = make_app(database_url, MAX_CONTENT_LENGTH=1024)
    async with app.test_app():
        client = app.test_client()
        response = await client.post("/auth/login", form={"csrf_token": "x", "blob": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in await response.get_data(as_text=True)


async def test_unexpected_errors_are_500_pages_and_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(database_url)
    broken = Blueprint("broken", __name__)

    @broken.get("/boom")
    async def boom() -> str:
        raise RuntimeError("kaboom")

    app.register_blueprint(broken)
    async with app.test_app():
        with caplog.at_level(logging.ERROR):
            response = await app.test_client().get("/boom")
            missing = await app.test_client().get("/missing")
    body = await response.get_data(as_text=True)
    assert response.status_code == 500
    assert "kaboom" not in body
    assert "Something went wrong" in body
    assert any("kaboom" in str(record.exc_info) for record in caplog.records)
    assert missing.status_code == 404
    assert not any("missing" in record.getMessage() for record in caplog.records)


def test_every_component_documents_its_parameters() -> None:
    components = sorted(Path(__file__).resolve().parents[2].joinpath("components").glob("*.html"))
    assert components
    for component in components:
        text = component.read_text(encoding="utf-8")
        name = component.stem
        assert text.startswith("{#-"), f"{component.name} has no header comment"
        header = text.split("-#}", 1)[0]
        assert f"{name}(" in header, f"{component.name}: header must show the macro signature"
        assert "Swap target" in header, f"{component.name}: header must name its swap target"
        assert "Focus" in header, f"{component.name}: header must say where focus lands"
        assert f"{{% macro {name}(" in text, f"{component.name} must define the macro {name}"


def test_components_read_only_their_parameters_and_the_globals(app: Quart) -> None:
    """A fragment is rendered from the component's module built once, without the request's
    context (web/htmx.py), so a component that read a context variable (`viewer`, `htmx`)
    would render it as nothing in a swap and fine in its page: each may use only its macros'
    parameters, names it sets or imports, and the environment's globals."""
    env = app.jinja_env
    assert env.loader is not None
    folder = Path(__file__).resolve().parents[2].joinpath("components")
    components = sorted(folder.rglob("*.html"))
    assert components
    for component in components:
        name = "components/" + component.relative_to(folder).as_posix()
        tree = env.parse(env.loader.get_source(env, name)[0])
        own = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "store"}
        foreign = meta.find_undeclared_variables(tree) - own - set(env.globals)
        assert not foreign, f"{name} reads {sorted(foreign)} from the template context"


def test_every_kind_has_one_component_with_card_feedback_and_review() -> None:
    """The registry and components/kinds/ name the same kinds; each file documents and
    defines the three macros the engine calls."""
    folder = Path(__file__).resolve().parents[2].joinpath("components", "kinds")
    assert {path.stem for path in folder.glob("*.html")} == set(KINDS)
    for name in KINDS:
        text = (folder / f"{name}.html").read_text(encoding="utf-8")
        header = text.split("-#}", 1)[0]
        assert text.startswith("{#-"), f"{name}.html has no header comment"
        assert "Swap target" in header, f"{name}.html: header must name its swap target"
        assert "Focus" in header, f"{name}.html: header must say where focus lands"
        for macro in ("card", "feedback", "review"):
            assert f"{macro}(" in header, f"{name}.html: header must show {macro}'s signature"
            assert f"{{% macro {macro}(" in text, f"{name}.html must define {macro}"


@pytest.mark.parametrize(
    "path",
    ["/auth/verify/%00", "/auth/reset-password/abc%00def", "/quizzes/python%00", "/%1B", "/%7F"],
)
async def test_control_characters_in_a_path_are_a_404(client: QuartClient, path: str) -> None:
    """No URL of ours has one, and PostgreSQL would refuse a NUL inside a query (a 500)."""
    response = await client.get(path)
    assert response.status_code == 404
    assert "could not find that page" in await response.get_data(as_text=True)
    token = await csrf_token(client)
    posted = await client.post(path, headers={"X-CSRF-Token": token})
    assert posted.status_code == 404
