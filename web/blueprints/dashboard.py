"""Blueprint: the dashboard, where a signed-in person sees their progress."""

from __future__ import annotations

from quart import Blueprint
from quart import render_template

from web.auth import login_required
from web.auth import require_account
from web.db import get_session
from web.services.progress import progress

blueprint = Blueprint("dashboard", __name__)


@blueprint.get("/dashboard")
@login_required
async def dashboard() -> str:
    user = await require_account()
    summary = await progress(get_session(), user)
    return await render_template("pages/dashboard/dashboard.html", user=user, progress=summary)
