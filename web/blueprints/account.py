"""Blueprint: the signed-in person's own account page."""

from __future__ import annotations

from quart import Blueprint
from quart import render_template

from web.auth import login_required
from web.auth import require_account

blueprint = Blueprint("account", __name__)


@blueprint.get("/account")
@login_required
async def profile() -> str:
    return await render_template("pages/account/profile.html", user=await require_account())
