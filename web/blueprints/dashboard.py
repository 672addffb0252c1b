"""Blueprint: the dashboard, where a signed-in person lands."""

from __future__ import annotations

from quart import Blueprint
from quart import render_template

from web.auth import login_required
from web.auth import require_account

blueprint = Blueprint("dashboard", __name__)


@blueprint.get("/dashboard")
@login_required
async def dashboard() -> str:
    return await render_template("pages/dashboard/dashboard.html", user=await require_account())
