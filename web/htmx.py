"""htmx glue: page-or-fragment rendering from one component, and HX-* response helpers."""

from __future__ import annotations

from typing import Any

from quart import Response
from quart import render_template
from quart import request

FRAGMENT_TEMPLATE = "layouts/fragment.html"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


async def render_component(name: str, /, **params: Any) -> str:
    """Render the macro `name` from components/`name`.html, with the app's template context.

    The page template imports the same macro, so a fragment and its page never drift apart.
    """
    return await render_template(FRAGMENT_TEMPLATE, component=name, params=params)


async def fragment(component: str, /, *, status: int = 200, **params: Any) -> Response:
    return Response(
        await render_component(component, **params), status=status, mimetype="text/html"
    )


async def page_or_fragment(
    page: str, component: str, /, *, status: int = 200, **params: Any
) -> Response:
    """The component alone for htmx, the whole page around it otherwise."""
    if is_htmx():
        return await fragment(component, status=status, **params)
    return Response(await render_template(page, **params), status=status, mimetype="text/html")


def redirect_to(location: str) -> Response:
    """See-other for plain forms (post/redirect/get); HX-Redirect for htmx, which needs a 200."""
    if is_htmx():
        return Response("", status=200, headers={"HX-Redirect": location})
    return Response("", status=303, headers={"Location": location})
