"""Blueprint: taking a quiz, one question card at a time, with htmx or plain forms."""

from __future__ import annotations

from quart import Blueprint
from quart import Response
from quart import flash
from quart import render_template
from quart import request
from quart import url_for

from web.auth import login_required
from web.auth import require_account
from web.db import get_session
from web.errors import render_problem
from web.forms import small_int
from web.htmx import fragment
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.models import AttemptClosedError
from web.models import AttemptError
from web.models import InvalidChoiceError
from web.services import attempts
from web.services.attempts import AttemptState

blueprint = Blueprint("attempts", __name__)


@blueprint.after_request
async def never_cache(response: Response) -> Response:
    """Back and forward must ask the server again, never show a stale card from the cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(AttemptError)
async def attempt_error(error: AttemptError) -> Response:
    return await render_problem(error.status, error.message)


def _question_url(state: AttemptState, position: int) -> str:
    return url_for("attempts.question", attempt_id=state.attempt.id, position=position)


def _where_to_go(state: AttemptState) -> str:
    position = state.next_position()
    if state.attempt.is_finished or position is None:
        return url_for("attempts.results", attempt_id=state.attempt.id)
    return _question_url(state, position)


@blueprint.post("/quizzes/<slug>/attempts")
@login_required
async def start_attempt(slug: str) -> Response:
    attempt = await attempts.start_attempt(get_session(), await require_account(), slug)
    return redirect_to(url_for("attempts.attempt", attempt_id=attempt.id))


@blueprint.get("/attempts/<id:attempt_id>")
@login_required
async def attempt(attempt_id: int) -> Response:
    """Where a resumed attempt picks up: the first unanswered question, or the results."""
    state = await attempts.load_state(get_session(), await require_account(), attempt_id)
    return redirect_to(_where_to_go(state))


async def _stage(
    state: AttemptState, position: int, *, status: int = 200, **params: object
) -> Response:
    """The question card, or its feedback once answered: alone for htmx, in the page otherwise."""
    question = state.question_at(position)
    answer = state.answers.get(question.id)
    response = await page_or_fragment(
        "pages/attempts/attempt.html",
        "attempt_stage",
        status=status,
        state=state,
        question=question,
        position=position,
        answer=answer,
        **params,
    )
    if is_htmx():
        response.headers["HX-Push-Url"] = _question_url(state, position)
    return response


@blueprint.get("/attempts/<id:attempt_id>/questions/<id:position>")
@login_required
async def question(attempt_id: int, position: int) -> Response:
    state = await attempts.load_state(get_session(), await require_account(), attempt_id)
    if not state.may_show(position):
        return redirect_to(_where_to_go(state))
    return await _stage(state, position)


@blueprint.post("/attempts/<id:attempt_id>/questions/<id:position>")
@login_required
async def submit_answer(attempt_id: int, position: int) -> Response:
    choice_id = small_int((await request.form).get("choice"), digits=9)
    user, session = await require_account(), get_session()
    try:
        outcome = await attempts.record_answer(session, user, attempt_id, position, choice_id)
    except InvalidChoiceError as error:
        state = await attempts.load_state(session, user, attempt_id)
        return await _stage(state, position, status=422, error=error.message)
    except AttemptClosedError as error:
        await flash(error.message, "error")
        return redirect_to(url_for("attempts.results", attempt_id=attempt_id))
    state = outcome.state
    step = state.after_answer(position)
    if not is_htmx():  # post/redirect/get: reload never resubmits
        return redirect_to(_question_url(state, step) if step else _where_to_go(state))
    if step is None:
        return await _results(attempt_id, state)
    return await _stage(state, step, score_oob=True)


async def _results(attempt_id: int, state: AttemptState | None = None) -> Response:
    """The results view; for htmx it replaces the whole attempt in place and takes its URL.

    A finished state at hand (the last exam answer) is reused: no second trip to the database.
    """
    url = url_for("attempts.results", attempt_id=attempt_id)
    if not is_htmx():
        return redirect_to(url)
    if state is None or not state.attempt.is_finished:
        state, items = await attempts.review(get_session(), await require_account(), attempt_id)
    else:
        items = attempts.review_items(state)
    response = await fragment("results_view", state=state, items=items)
    response.headers.update(
        {"HX-Retarget": "#attempt-view", "HX-Reswap": "outerHTML", "HX-Push-Url": url}
    )
    return response


@blueprint.post("/attempts/<id:attempt_id>/finish")
@login_required
async def finish_attempt(attempt_id: int) -> Response:
    """htmx asked with hx-confirm already; a plain form first shows a confirmation page."""
    user, session = await require_account(), get_session()
    confirmed = is_htmx() or (await request.form).get("confirmed") == "yes"
    if not confirmed:
        state = await attempts.load_state(session, user, attempt_id)
        if not state.attempt.is_finished:
            return Response(
                await render_template("pages/attempts/finish_confirm.html", state=state),
                mimetype="text/html",
            )
    await attempts.finish_attempt(session, user, attempt_id)
    return await _results(attempt_id)


@blueprint.get("/attempts/<id:attempt_id>/results")
@login_required
async def results(attempt_id: int) -> Response:
    user, session = await require_account(), get_session()
    state = await attempts.load_state(session, user, attempt_id)
    if not state.attempt.is_finished:
        return redirect_to(_where_to_go(state))
    state, items = await attempts.review(session, user, attempt_id)
    return await page_or_fragment(
        "pages/attempts/results.html", "results_view", state=state, items=items
    )
