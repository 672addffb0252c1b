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
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.models import Attempt
from web.models import AttemptClosedError
from web.models import AttemptError
from web.models import InvalidResponseError
from web.models.attempt import TimeUpError
from web.services import attempts
from web.services.attempt_state import AttemptState
from web.services.attempt_state import review_items

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


async def _page(template: str, **params: object) -> Response:
    """A page of its own, with no component to swap: what a plain form asks before acting."""
    return Response(await render_template(template, **params), mimetype="text/html")


@blueprint.post("/quizzes/<slug>/attempts")
@login_required
async def start_attempt(slug: str) -> Response:
    """ "Start quiz" and "Resume quiz"; a "Retake quiz" (from old results) that finds an
    attempt still open says which one and offers it, instead of resuming it unasked."""
    retake = (await request.form).get("retake") == "yes"
    started = await attempts.start_attempt(get_session(), await require_account(), slug)
    if retake and started.resumed:
        return await _page("pages/attempts/retake.html", quiz=started.quiz, attempt=started.attempt)
    return redirect_to(url_for("attempts.attempt", attempt_id=started.attempt.id))


@blueprint.get("/attempts/<id:attempt_id>")
@login_required
async def attempt(attempt_id: int) -> Response:
    """Where a resumed attempt picks up: the first unanswered question, or the results."""
    state = await attempts.load_state(get_session(), await require_account(), attempt_id)
    return redirect_to(_where_to_go(state))


async def _stage(
    state: AttemptState, position: int, *, status: int = 200, **params: object
) -> Response:
    """The question card, or its feedback once answered: alone for htmx, in the page otherwise.

    A GET is put in history by the element that asked (hx-push-url) or by a restore; the page
    title names the question either way."""
    question = state.question_at(position)
    return await page_or_fragment(
        "pages/attempts/attempt.html",
        "attempt_stage",
        status=status,
        document_title=f"Question {position} of {state.total} · {state.quiz.title}",
        state=state,
        question=question,
        position=position,
        answer=state.answers.get(question.id),
        **params,
    )


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
    form = await request.form
    session = get_session()
    state = await attempts.load_state(session, await require_account(), attempt_id)
    try:
        outcome = await attempts.record_answer(session, state, position, form)
    except InvalidResponseError as error:
        return await _stage(state, position, status=422, error=error.message, values=form)
    except AttemptClosedError as error:
        if not isinstance(error, TimeUpError):  # the results say "Time is up" themselves
            await flash(error.message, "error")
        return redirect_to(url_for("attempts.results", attempt_id=attempt_id))
    state, notice = outcome.state, outcome.already_answered() if outcome.duplicate else None
    step = state.after_answer(position)
    if not is_htmx():  # post/redirect/get: reload never resubmits
        if notice:
            await flash(notice, "info")
        return redirect_to(_question_url(state, step) if step else _where_to_go(state))
    if step is None:
        return await _results_in_place(state)
    response = await _stage(state, step, score_oob=True, notice=notice)
    # What this entry shows changed (card to feedback, or the exam's next card): replace it,
    # so Back goes to the previous question rather than to this one again.
    response.headers["HX-Replace-Url"] = _question_url(state, step)
    return response


async def _results_view(state: AttemptState, open_attempt: Attempt | None = None) -> Response:
    return await page_or_fragment(
        "pages/attempts/results.html",
        "results_view",
        document_title=f"Results: {state.quiz.title}",
        state=state,
        items=review_items(state),
        open_attempt=open_attempt,
    )


async def _results_in_place(state: AttemptState) -> Response:
    """An answer or "Finish quiz" ended the attempt: a plain form goes to the results (PRG);
    htmx gets them over the whole attempt view, in the attempt's history entry."""
    url = url_for("attempts.results", attempt_id=state.attempt.id)
    if not is_htmx():
        return redirect_to(url)
    response = await _results_view(state)
    response.headers.update(
        {"HX-Retarget": "#attempt-view", "HX-Reswap": "outerHTML", "HX-Replace-Url": url}
    )
    return response


@blueprint.post("/attempts/<id:attempt_id>/finish")
@login_required
async def finish_attempt(attempt_id: int) -> Response:
    """htmx asked with hx-confirm already; a plain form first shows a confirmation page."""
    session = get_session()
    state = await attempts.load_state(session, await require_account(), attempt_id)
    confirmed = is_htmx() or (await request.form).get("confirmed") == "yes"
    if not confirmed and not state.attempt.is_finished:
        return await _page("pages/attempts/finish_confirm.html", state=state)
    await attempts.finish_attempt(session, state)
    return await _results_in_place(state)


@blueprint.get("/attempts/<id:attempt_id>/results")
@login_required
async def results(attempt_id: int) -> Response:
    """The score and the review; "Retake quiz", or the open attempt that a retake would meet."""
    session = get_session()
    state = await attempts.load_state(session, await require_account(), attempt_id)
    if not state.attempt.is_finished:
        return redirect_to(_where_to_go(state))
    return await _results_view(state, await attempts.open_attempt(session, state))
