"""Errors: every HTTP error as a page, or as a fragment into the page's alert region for htmx."""

from __future__ import annotations

from quart import Quart
from quart import Response
from quart import current_app
from quart_rate_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from web.htmx import is_htmx
from web.htmx import page_or_fragment

FRIENDLY_DESCRIPTIONS = {
    400: "The request could not be understood. Check what you sent and try again.",
    401: "Please log in to see this page.",
    403: "You do not have permission to do that.",
    404: "We could not find that page. It may have moved, or the link may be wrong.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
    500: "Something went wrong on our side. It has been logged; please try again shortly.",
}


async def render_error(error: HTTPException) -> Response:
    code = error.code or 500
    description = error.description
    generic = default_exceptions.get(code)
    if not description or (generic is not None and description == generic.description):
        # werkzeug's stock wording is written for developers; ours says what to do next.
        description = FRIENDLY_DESCRIPTIONS.get(code, description or "")
    response = await render_problem(code, description)
    for name, value in error.get_headers():  # a 405's Allow, a 429's Retry-After
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


async def render_problem(code: int, description: str) -> Response:
    """A 4xx/5xx page with the status's name as title, or the fragment for htmx."""
    response = await page_or_fragment(
        "errors/error.html",
        "error_message",
        status=code,
        code=code,
        title=HTTP_STATUS_CODES.get(code, "Error"),
        description=description,
    )
    if is_htmx():
        # Show the message in the page's alert region instead of over what the user was doing.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


async def handle_rate_limited(error: RateLimitExceeded) -> Response:
    wait = error.retry_after if isinstance(error.retry_after, int) else 1
    wait = max(wait, 1)
    error.description = f"Too many requests. Please try again in {wait} second{'s' * (wait != 1)}."
    error.retry_after = wait
    return await render_error(error)  # one Retry-After: set, not added (stack-facts §5)


async def handle_unexpected(error: Exception) -> Response:
    """Only server faults are logged: 4xx answers are the app working as meant."""
    current_app.logger.exception("Unhandled error", exc_info=error)
    return await render_error(InternalServerError())


def init_app(app: Quart) -> None:
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, handle_unexpected)
