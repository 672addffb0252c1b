"""Blueprint: the catalog of quizzes and each quiz's page."""

from __future__ import annotations

from quart import Blueprint
from quart import Response
from quart import render_template
from quart import request
from werkzeug.exceptions import NotFound

from web.auth import current_account
from web.db import get_session
from web.forms import page_number
from web.forms import text_value
from web.htmx import page_or_fragment
from web.services.catalog import quiz_overview
from web.services.catalog import search_catalog

blueprint = Blueprint("catalog", __name__)


@blueprint.get("/quizzes")
async def catalog() -> Response:
    listing = await search_catalog(
        get_session(),
        query=text_value(request.args, "q")[:100],
        category=text_value(request.args, "category")[:80],
        page=page_number(request.args),
    )
    return await page_or_fragment("pages/catalog/catalog.html", "quiz_list", listing=listing)


@blueprint.get("/quizzes/<slug>")
async def quiz_detail(slug: str) -> str:
    overview = await quiz_overview(get_session(), slug, await current_account())
    if overview is None:
        raise NotFound("We could not find that quiz. It may have been removed.")
    return await render_template("pages/catalog/quiz_detail.html", overview=overview)
