"""htmx glue: what htmx says about a request (decided in one place), page-or-fragment rendering
from one component, and HX-* response helpers."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from jinja2 import Template
from jinja2.environment import TemplateModule
from markupsafe import Markup
from quart import Response
from quart import after_this_request
from quart import current_app
from quart import g
from quart import render_template
from quart import request
from quart.typing import ResponseTypes

# A component file's module, built once per loaded template (a reloaded file is a new
# Template object, so an edit in development is picked up and the old entry goes with it).
_MODULES: WeakKeyDictionary[Template, TemplateModule] = WeakKeyDictionary()


class HtmxDetails:
    """What htmx told us about this request, like django-htmx's `request.htmx`; Python reads
    it through `htmx()`, templates as `htmx`.

    Every header read is named in the response's Vary, so a cache never hands a fragment to
    a page load or the other way round. A history restore (Back or Forward onto an entry htmx
    pushed) swaps the answer over the whole body, so it gets the full page; and the page names
    its own URL (HX-Replace-Url), so a restore the server redirected (an answered exam
    question sends you on) leaves the address bar on the question shown and answered.
    """

    def __init__(self) -> None:
        self._read: set[str] = set()

    def _header(self, name: str) -> str | None:
        if not self._read:
            after_this_request(self._finish)
        self._read.add(name)
        return request.headers.get(name)

    @property
    def request(self) -> bool:
        """Sent by htmx (htmx 4.0.1 leaves HX-Request out of its history restores)."""
        return self._header("HX-Request") == "true"

    @property
    def history_restore_request(self) -> bool:
        return self._header("HX-History-Restore-Request") == "true"

    @property
    def wants_fragment(self) -> bool:
        """A swap of part of the page: the component alone, HX-* headers instead of 303s."""
        return self.request and not self.history_restore_request

    async def _finish(self, response: ResponseTypes) -> ResponseTypes:
        if self.history_restore_request and response.mimetype == "text/html":
            response.headers.setdefault("HX-Replace-Url", request.full_path.rstrip("?"))
        for name in sorted(self._read):
            response.vary.add(name)
        return response


def htmx() -> HtmxDetails:
    """This request's htmx details, made on first use."""
    details = g.get("htmx_details")
    if details is None:
        details = g.htmx_details = HtmxDetails()
    return details


def is_htmx() -> bool:
    """Answer with a fragment and HX-* headers (kept for the routes that ask it this way)."""
    return htmx().wants_fragment


async def render_component(
    name: str, /, *, document_title: str | None = None, **params: Any
) -> str:
    """Render the macro `name` from components/`name`.html, as a page's `{% from %}` does.

    The page template imports the same macro, so a fragment and its page never drift apart.
    Components take everything as parameters (and the environment's globals and filters), so
    the module is built once and the request's context processors never run for a fragment:
    rebuilding it "with context" on every swap cost about as much as rendering the card.
    A `document_title` goes out as a <title>, which htmx 4 moves into document.title.
    """
    template = current_app.jinja_env.get_template(f"components/{name}.html")
    module = _MODULES.get(template)
    if module is None:
        module = _MODULES[template] = await template.make_module_async()
    html: Markup = await getattr(module, name)(**params)
    if document_title:
        return Markup("<title>{} · Hyperquiz</title>").format(document_title) + html
    return html


async def fragment(
    component: str, /, *, status: int = 200, document_title: str | None = None, **params: Any
) -> Response:
    html = await render_component(component, document_title=document_title, **params)
    return Response(html, status=status, mimetype="text/html")


async def page_or_fragment(
    page: str,
    component: str,
    /,
    *,
    status: int = 200,
    document_title: str | None = None,
    **params: Any,
) -> Response:
    """The component alone for an htmx swap, the whole page around it otherwise; both under
    the same `document_title` when one is given."""
    if is_htmx():
        return await fragment(component, status=status, document_title=document_title, **params)
    html = await render_template(page, document_title=document_title, **params)
    return Response(html, status=status, mimetype="text/html")


def redirect_to(location: str) -> Response:
    """See-other for plain forms (post/redirect/get) and history restores (fetch follows it);
    HX-Redirect for an htmx swap, which needs a 200."""
    if is_htmx():
        return Response("", status=200, headers={"HX-Redirect": location})
    return Response("", status=303, headers={"Location": location})
