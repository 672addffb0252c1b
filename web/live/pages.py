"""Live: what the host's and the players' routes share: the SSE response, the Refresh
header for pages without JavaScript, and rendering a snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator

from quart import Blueprint
from quart import Response
from quart import current_app
from quart import request
from quart import stream_with_context

from web.db import close_request_session
from web.errors import render_problem
from web.forms import small_int
from web.live import streams
from web.live.broker import get_broker
from web.live.streams import Render
from web.models.game import GameError

# app.js sets it on every page: such a browser follows the stream, and its pages do not
# reload themselves.
JS_COOKIE = "hyperquiz_js"
SEQ_DIGITS = 9


def live_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of live-game pages: never cached (Back must show the game as it is now),
    and a refusal (GameError) is a page or a message with its status, never a 500."""
    blueprint = Blueprint(name, import_name)

    @blueprint.after_request
    async def never_cache(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.errorhandler(GameError)
    async def game_error(error: GameError) -> Response:
        return await render_problem(error.status, error.message)

    return blueprint


def last_event_id() -> int | None:
    """What the page shows already: the stream's Last-Event-ID on a reconnect, else the seq
    the page was rendered at (its connect URL's `seq`), so a fresh page is not swapped again
    (which would wipe a choice being made)."""
    sent = request.headers.get("Last-Event-ID") or request.args.get("seq", "")
    return small_int(sent, SEQ_DIGITS)


async def event_stream(
    game_id: int, topics: tuple[str, ...], render: Render, *, every_wake: bool
) -> Response:
    """The SSE response of one page; 503 with a message when this worker's streams are full
    (the client retries, maybe reaching another worker)."""
    app = current_app._get_current_object()
    pool = streams.slots(app)
    if not pool.take():
        return Response(
            streams.FULL, status=503, mimetype="text/plain", headers={"Retry-After": "5"}
        )
    await close_request_session()  # a stream holds no pool connection while it waits
    events = streams.game_events(
        app,
        get_broker(app),
        game_id,
        topics,
        render,
        last_event_id=last_event_id(),
        every_wake=every_wake,
    )

    @stream_with_context
    async def body() -> AsyncIterator[bytes]:
        async for chunk in events:
            yield chunk

    response = Response(
        body(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    response.timeout = None  # a stream lasts as long as the game
    return response


def refresh_without_js(response: Response, wanted: bool) -> Response:
    """A page without JavaScript reloads itself every few seconds (a Refresh header, as the
    contract says, never a <meta> refresh), unless `wanted` is False (a card to answer)."""
    if wanted and not request.cookies.get(JS_COOKIE):
        response.headers["Refresh"] = str(current_app.config["LIVE_REFRESH_SECONDS"])
    return response
