"""Blueprint: an author's preview of a quiz: the taker's question card and feedback, graded
by the kinds through a PreviewState, and nothing ever stored."""

from __future__ import annotations

from quart import Blueprint
from quart import Response
from quart import render_template
from quart import request

from web.auth import login_required
from web.auth import require_account
from web.blueprints.authoring import authoring_error
from web.db import get_session
from web.errors import render_problem
from web.htmx import page_or_fragment
from web.models import AttemptError
from web.models import InvalidResponseError
from web.services import preview
from web.services.authoring import AuthoringError
from web.services.authoring import owned_quiz
from web.services.preview import PreviewState

blueprint = Blueprint("authoring_preview", __name__, url_prefix="/my-quizzes/<slug>/preview")
blueprint.register_error_handler(AuthoringError, authoring_error)


@blueprint.errorhandler(AttemptError)
async def attempt_error(error: AttemptError) -> Response:
    return await render_problem(error.status, error.message)


@blueprint.after_request
async def never_cache(response: Response) -> Response:
    """As for attempts: Back must ask again, never show a stale card."""
    response.headers["Cache-Control"] = "no-store"
    return response


async def _stage(state: PreviewState, *, status: int = 200, **params: object) -> Response:
    position = state.at
    question = state.question_at(position)
    return await page_or_fragment(
        "pages/authoring/preview.html",
        "attempt_stage",
        status=status,
        document_title=f"Preview: question {position} of {state.total} · {state.quiz.title}",
        state=state,
        question=question,
        position=position,
        answer=state.answers.get(question.id),
        **params,
    )


@blueprint.get("")
@login_required
async def preview_quiz(slug: str) -> Response:
    state = await preview.preview_state(get_session(), await require_account(), slug)
    return await _stage(state)


@blueprint.get("/<id:position>")
@login_required
async def preview_question(slug: str, position: int) -> Response:
    state = await preview.preview_state(get_session(), await require_account(), slug, position)
    return await _stage(state)


@blueprint.post("/<id:position>")
@login_required
async def answer_preview(slug: str, position: int) -> Response:
    """Graded as a taker's answer would be and shown with its feedback (in exam mode too: the
    author previews the grading); plain forms get the feedback page itself, since nothing
    was stored that a reload could submit twice."""
    form = await request.form
    state = await preview.preview_state(get_session(), await require_account(), slug, position)
    try:
        preview.grade_preview(state, form)
    except InvalidResponseError as error:
        return await _stage(state, status=422, error=error.message, values=form)
    return await _stage(state)


@blueprint.get("/done")
@login_required
async def preview_done(slug: str) -> Response:
    quiz = await owned_quiz(get_session(), await require_account(), slug)
    html = await render_template("pages/authoring/preview_done.html", quiz=quiz)
    return Response(html, mimetype="text/html")
