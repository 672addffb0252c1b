"""Blueprint: playing a live game: join with a code, follow the game, answer.

The seat is a cookie per game code (`hyperquiz_seat_<code>`), so a reload, a lost network
or a phone that slept comes back to the same seat. With JavaScript the page follows the
game's SSE stream; without it the page reloads itself (a Refresh header) except while a
card waits for an answer, and answers post as plain forms.
"""

from __future__ import annotations

from quart import Response
from quart import render_template
from quart import request
from quart import url_for
from sqlalchemy.orm.attributes import set_committed_value

from web.auth import current_account
from web.db import get_session
from web.forms import small_int
from web.forms.live import parse_join
from web.htmx import fragment
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.htmx import render_component
from web.live import pages
from web.live.broker import get_broker
from web.models import GamePhase
from web.models import InvalidResponseError
from web.models.game import GameError
from web.models.game import GameNotFoundError
from web.ratelimit import counted_limit
from web.ratelimit import refund_allowance
from web.services import live_games
from web.services import live_play
from web.services.live_play import Seat
from web.services.live_play import SeatNotFoundError
from web.services.live_view import Snapshot
from web.services.live_view import load_snapshot
from web.services.live_view import seat_snapshot

blueprint = pages.live_blueprint("live_play", __name__)
SEAT_SECONDS = 12 * 60 * 60


def seat_cookie(code: str) -> str:
    return f"hyperquiz_seat_{code}"


@blueprint.get("/play")
async def join_page() -> Response:
    code = request.args.get("code", "")
    values = {"game_code": code[:7] if code.isascii() else ""}
    html = await render_template("pages/live/join.html", values=values, errors={})
    return Response(html, mimetype="text/html")


@blueprint.post("/play")
@counted_limit("RATELIMIT_JOIN")
async def join() -> Response:
    """A seat, or the form again with what to fix. Only a code that names no game counts
    against the address's allowance: guessing codes stays slow, while a class behind one
    address joins at once."""
    parsed = parse_join(await request.form)
    errors = dict(parsed.errors)
    if parsed.data is not None:
        code = parsed.data.code
        try:
            seat = await live_play.join(
                get_session(),
                get_broker(),
                parsed.data,
                await current_account(),
                request.cookies.get(seat_cookie(code)),
            )
        except GameNotFoundError as error:
            errors["game_code"] = error.message
        except GameError as error:  # a finished game, a nickname someone has
            errors[""] = error.message
        else:
            await refund_allowance()
            return _seated(seat, code)
    if "game_code" not in errors:
        await refund_allowance()
    return await page_or_fragment(
        "pages/live/join.html", "join_form", status=422, values=parsed.values, errors=errors
    )


def _seated(seat: Seat, code: str) -> Response:
    """To the game's page, with the seat's cookie (one per game code)."""
    response = redirect_to(url_for("live_play.play", code=code))
    if seat.token:
        response.set_cookie(
            seat_cookie(code),
            seat.token,
            max_age=SEAT_SECONDS,
            path="/play",  # the join form sees it too: joining again is the same seat
            httponly=True,
            samesite="Lax",
            secure=request.scheme == "https",
        )
    if is_htmx():
        response.set_cookie(pages.JS_COOKIE, "1", path="/", samesite="Lax")
    return response


async def _seat(code: str) -> Seat:
    token = request.cookies.get(seat_cookie(code))
    if not token:
        raise SeatNotFoundError("Join the game first: enter its code and a nickname.")
    return await live_play.seat_of(get_session(), code, token)


async def _viewer_id() -> int | None:
    viewer = await current_account()
    return viewer.id if viewer else None


def _waits_for_answer(snapshot: Snapshot, player_id: int) -> bool:
    """An unanswered card is on screen: a reload would wipe a choice being made."""
    game, standing = snapshot.game, snapshot.standing_of(player_id)
    return (
        standing is not None
        and game.phase == GamePhase.QUESTION
        and not game.is_paused
        and standing.player.answered_index < game.question_index
    )


async def _stage(
    seat: Seat, *, status: int = 200, error: str | None = None, values: object = None
) -> Response:
    """The player's stage, as a fragment or in its page; a fresh read of the game (a timed
    question whose time ran out locks here too, for pages without a stream)."""
    session, game_id = get_session(), seat.game.id
    assert game_id is not None  # noqa: S101 - a persisted game
    assert seat.player.id is not None  # noqa: S101 - a persisted seat
    await live_games.lock_if_due(session, get_broker(), game_id)
    snapshot = await load_snapshot(session, game_id)
    title = snapshot.quiz_title
    response = await page_or_fragment(
        "pages/live/play.html",
        "game_player",
        status=status,
        document_title=f"Live: {title}",
        snapshot=snapshot,
        player_id=seat.player.id,
        error=error,
        values=values,
        announce=is_htmx(),
        viewer_id=await _viewer_id(),
    )
    moving = snapshot.game.ended_at is None and not _waits_for_answer(snapshot, seat.player.id)
    return pages.refresh_without_js(response, moving)


@blueprint.get("/play/<code>")
async def play(code: str) -> Response:
    try:
        seat = await _seat(code)
    except SeatNotFoundError:
        return redirect_to(url_for("live_play.join_page", code=code))
    return await _stage(seat)


@blueprint.get("/play/<code>/events")
async def events(code: str) -> Response:
    seat = await _seat(code)
    game_id, player_id, viewer_id = seat.game.id, seat.player.id, await _viewer_id()
    assert game_id is not None  # noqa: S101 - a persisted game

    async def render(snapshot: Snapshot) -> str:
        return await render_component(
            "game_player", snapshot=snapshot, player_id=player_id, viewer_id=viewer_id
        )

    return await pages.event_stream(
        game_id, (live_games.game_topic(game_id),), render, every_wake=False
    )


@blueprint.post("/play/<code>/answer")
async def answer(code: str) -> Response:
    """Store the answer once; a form that is no answer comes back with the kind's message
    (422), nothing stored; an answer after the lock is refused (409) with what happened."""
    seat = await _seat(code)
    form = await request.form
    index = small_int(form.get("question", ""), 3) or 0
    session = get_session()
    try:
        answered = await live_play.answer(session, get_broker(), seat, index, form)
    except InvalidResponseError as error:
        return await _stage(seat, status=422, error=error.message, values=form)
    if not is_htmx():
        return redirect_to(url_for("live_play.play", code=code))
    moved = answered.duplicate or seat.game.phase != GamePhase.QUESTION  # another's lock
    if moved or answered.locked:  # the game moved on: read it all
        return await _stage(seat)
    # "Answer received": what the seat shows until the lock, from what is known already.
    set_committed_value(seat.player, "answered_index", index)
    snapshot = await seat_snapshot(session, seat.game, seat.player)
    return await fragment("game_player", snapshot=snapshot, player_id=seat.player.id)
