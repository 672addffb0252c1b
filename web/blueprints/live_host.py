"""Blueprint: hosting a live game: start it from the quiz page, then move it on.

Every button is a plain form post (the page comes back) or, with htmx, the same post whose
answer is the new stage; the host page also follows the game's stream, which counts joins
and answers as they come.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import segno
from quart import Response
from quart import render_template
from quart import request
from quart import url_for
from sqlmodel import select

from web.auth import login_required
from web.auth import require_account
from web.db import get_session
from web.errors import render_problem
from web.forms.live import parse_host_options
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.htmx import render_component
from web.live import pages
from web.live.broker import Broker
from web.live.broker import get_broker
from web.models import Game
from web.models import GamePhase
from web.models import Quiz
from web.services import live_games
from web.services.live_view import Snapshot
from web.services.live_view import load_snapshot

blueprint = pages.live_blueprint("live_host", __name__)


@blueprint.post("/quizzes/<slug>/games")
@login_required
async def create_game(slug: str) -> Response:
    parsed = parse_host_options(await request.form)
    session = get_session()
    if parsed.data is None:
        quiz = (await session.exec(select(Quiz).where(Quiz.slug == slug))).first()
        if quiz is None:
            return await render_problem(404, "We could not find that quiz.")
        html = await render_template(
            "pages/live/host_form.html", quiz=quiz, values=parsed.values, errors=parsed.errors
        )
        return Response(html, status=422, mimetype="text/html")
    game = await live_games.create_game(session, await require_account(), slug, parsed.data)
    return redirect_to(url_for("live_host.host_page", game_id=game.id))


def _join_url(game: Game) -> str:
    return url_for("live_play.join_page", code=game.code, _external=True)


def _qr_svg(url: str) -> str:
    """The join link as an SVG QR code, drawn with attributes only (the CSP allows no
    inline style)."""
    return segno.make(url, error="m").svg_inline(
        scale=5, border=2, svgclass="qr-code", lineclass="qr-modules", omitsize=True
    )


async def _hosted(game_id: int) -> Game:
    return await live_games.hosted_game(get_session(), await require_account(), game_id)


async def _host_view(snapshot: Snapshot, *, announce: bool) -> dict[str, Any]:
    join_url = _join_url(snapshot.game)
    return {
        "snapshot": snapshot,
        "join_url": join_url,
        "qr_svg": _qr_svg(join_url),
        "announce": announce,
    }


async def _stage(game_id: int) -> Response:
    session = get_session()
    await live_games.lock_if_due(session, get_broker(), game_id)
    snapshot = await load_snapshot(session, game_id)
    params = await _host_view(snapshot, announce=is_htmx())
    response = await page_or_fragment(
        "pages/live/host.html",
        "game_host",
        document_title=f"Hosting: {snapshot.quiz_title}",
        **params,
    )
    return pages.refresh_without_js(response, snapshot.game.ended_at is None)


@blueprint.get("/games/<id:game_id>/host")
@login_required
async def host_page(game_id: int) -> Response:
    await _hosted(game_id)
    return await _stage(game_id)


@blueprint.get("/games/<id:game_id>/host/events")
@login_required
async def events(game_id: int) -> Response:
    """The host's stream: a new stage when the game moves, and between moves the count of
    joins and answers alone (focus stays on the button the host is about to press)."""
    await _hosted(game_id)
    shown: dict[str, int | None] = {"seq": pages.last_event_id()}

    async def render(snapshot: Snapshot) -> str:
        moved = shown["seq"] is not None and shown["seq"] != snapshot.game.seq
        first = shown["seq"] is None
        shown["seq"] = snapshot.game.seq
        if first or moved or snapshot.game.phase == GamePhase.LOBBY:
            params = await _host_view(snapshot, announce=moved)
            return await render_component("game_host", **params)
        return await render_component("game_host_progress", snapshot=snapshot, oob=True)

    topics = (live_games.game_topic(game_id), live_games.host_topic(game_id))
    return await pages.event_stream(game_id, topics, render, every_wake=True)


Action = Callable[..., Awaitable[Game]]


def _host_action(path: str, endpoint: str, action: Action) -> None:
    """POST /games/<id>/<path>: the host's button, then the new stage (or the page)."""

    async def view(game_id: int) -> Response:
        await _hosted(game_id)
        await action(get_session(), get_broker(), game_id)
        if is_htmx():
            return await _stage(game_id)
        return redirect_to(url_for("live_host.host_page", game_id=game_id))

    view.__name__ = endpoint
    view.__doc__ = f"The host's {path!r} button."
    blueprint.add_url_rule(
        f"/games/<id:game_id>/{path}", endpoint, login_required(view), methods=["POST"]
    )


for _path, _endpoint, _action in (
    ("start", "start_game", live_games.start),
    ("lock", "lock_answers", live_games.lock),
    ("next", "next_question", live_games.next_question),
    ("results", "show_results", live_games.show_results),
    ("pause", "pause_game", live_games.pause),
    ("resume", "resume_game", live_games.resume),
    ("end", "end_game", live_games.end),
):
    _host_action(_path, _endpoint, _action)


@blueprint.post("/games/<id:game_id>/players/<id:player_id>/remove")
@login_required
async def remove_player(game_id: int, player_id: int) -> Response:
    await _hosted(game_id)
    broker: Broker = get_broker()
    await live_games.remove_player(get_session(), broker, game_id, player_id)
    if is_htmx():
        return await _stage(game_id)
    return redirect_to(url_for("live_host.host_page", game_id=game_id))


@blueprint.get("/games/<id:game_id>/results.csv")
@login_required
async def results_csv(game_id: int) -> Response:
    game = await _hosted(game_id)
    lines = await live_games.results_csv(get_session(), game_id)
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="game-{game.code}-results.csv"'
    return response
