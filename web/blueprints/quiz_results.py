"""Blueprint: a quiz's results for its author: the attempts page and the CSV download."""

from __future__ import annotations

from quart import Blueprint
from quart import Response
from quart import request

from web.auth import require_account
from web.db import get_session
from web.errors import render_problem
from web.forms import page_number
from web.htmx import page_or_fragment
from web.services import results as results_service
from web.services.authoring import AuthoringError

blueprint = Blueprint("quiz_results", __name__, url_prefix="/my-quizzes")

# A big quiz's file can take longer than Quart's 60 s RESPONSE_TIMEOUT to reach a slow
# client; the stream holds no database connection meanwhile (services/results.py).
CSV_TIMEOUT_SECONDS = 30 * 60


@blueprint.errorhandler(AuthoringError)
async def refused(error: AuthoringError) -> Response:
    """Not an author: 403; someone else's quiz, or none: 404 (services/authoring.py)."""
    return await render_problem(error.status, error.message)


@blueprint.get("/<slug>/results")
async def results(slug: str) -> Response:
    user = await require_account()
    shown = await results_service.quiz_results(
        get_session(), user, slug, page=page_number(request.args)
    )
    return await page_or_fragment(
        "pages/quiz_results/results.html",
        "quiz_results_table",
        results=shown,
        document_title=f"Results: {shown.quiz.title}",
    )


@blueprint.get("/<slug>/results.csv")
async def results_csv(slug: str) -> Response:
    """Streamed: the body is an async generator the server drains after this returns."""
    user = await require_account()
    download = await results_service.results_csv(get_session(), user, slug)
    response = Response(download.chunks, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.timeout = CSV_TIMEOUT_SECONDS
    return response
