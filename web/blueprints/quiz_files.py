"""Blueprint: quiz files in the browser: upload one, preview what it holds, import it as
drafts; export a quiz as a file."""

from __future__ import annotations

import json

from quart import Blueprint
from quart import Response
from quart import flash
from quart import request
from quart import url_for

from web.auth import login_required
from web.auth import require_account
from web.db import get_session
from web.errors import render_problem
from web.formats import gift
from web.forms import page_number
from web.forms import text_value
from web.forms.quiz_import import quiz_document
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.services import uploads
from web.services.authoring import AuthoringError
from web.services.authoring import owned_quiz
from web.services.authoring import require_author
from web.services.file_import import LABELS
from web.services.quiz_import import export_quizzes

blueprint = Blueprint("quiz_files", __name__, url_prefix="/my-quizzes")
UPLOAD_PATH = "/my-quizzes/import"
PREVIEW_PAGE = 25


@blueprint.errorhandler(AuthoringError)
async def authoring_error(error: AuthoringError) -> Response:
    return await render_problem(error.status, error.message)


async def _import_form(*, status: int = 200, error: str | None = None, **values: str) -> Response:
    return await page_or_fragment(
        "pages/quiz_files/import.html",
        "import_form",
        status=status,
        document_title="Import quizzes",
        formats=LABELS,
        error=error,
        values=values,
    )


@blueprint.get("/import")
@login_required
async def import_page() -> Response:
    require_author(await require_account())
    return await _import_form()


@blueprint.post("/import")
@login_required
async def upload_file() -> Response:
    """The file is kept for its preview; a file too large never reaches here (413, by the
    request's own limit: IMPORT_MAX_BYTES for this route, 1 MiB elsewhere)."""
    user = await require_account()
    require_author(user)
    form, files = await request.form, await request.files
    chosen, title = text_value(form, "format"), text_value(form, "title")[:200]
    upload = files.get("file")
    if upload is None or not upload.filename:
        return await _import_form(status=422, error="Choose a quiz file to import.", title=title)
    if chosen and chosen not in LABELS:
        return await _import_form(status=422, error="Choose a format from the list.", title=title)
    token = await uploads.store_upload(
        get_session(), user, filename=upload.filename, raw=upload.read(),
        format_name=chosen or None, title=title or None,
    )  # fmt: skip
    return redirect_to(url_for("quiz_files.preview", token=token))


@blueprint.get("/import/<token>")
@login_required
async def preview(token: str) -> Response:
    """Every question as a taker will see it, a page at a time, and every problem."""
    upload = await uploads.load_upload(get_session(), await require_account(), token)
    total = len(upload.read.parsed.questions) if upload.read.parsed else 0
    pages = max((total + PREVIEW_PAGE - 1) // PREVIEW_PAGE, 1)
    page = min(page_number(request.args), pages)
    first = (page - 1) * PREVIEW_PAGE + 1
    return await page_or_fragment(
        "pages/quiz_files/preview.html",
        "import_preview",
        document_title=f"Preview: {upload.row.filename}",
        upload=upload,
        shown=uploads.shown_questions(upload, first, PREVIEW_PAGE),
        first=first,
        listing={"page": page, "pages": pages},
        formats=LABELS,
        as_authored=uploads.AS_AUTHORED,
    )


@blueprint.post("/import/<token>")
@login_required
async def import_file(token: str) -> Response:
    result = await uploads.import_upload(get_session(), await require_account(), token)
    await flash(
        f"Imported as drafts: {', '.join(result.created + result.replaced)}. Review and "
        "publish them from My quizzes.",
        "success",
    )
    return redirect_to(url_for("authoring.my_quizzes"))


@blueprint.get("/<slug>/export.gift")
@login_required
async def export_gift(slug: str) -> Response:
    """ "Export GIFT": what GIFT cannot say is written as `//` comments in the file."""
    session = get_session()
    quiz = await owned_quiz(session, await require_account(), slug)
    (data,) = await export_quizzes(session, [quiz.slug])
    text, _notes = gift.write(data)
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{quiz.slug}.gift"'},
    )


@blueprint.get("/<slug>/export.json")
@login_required
async def export_json(slug: str) -> Response:
    """ "Export JSON": the quiz's current revision (or its draft, never published yet)."""
    session = get_session()
    quiz = await owned_quiz(session, await require_account(), slug)
    document = quiz_document(await export_quizzes(session, [quiz.slug]))
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{quiz.slug}.json"'},
    )
