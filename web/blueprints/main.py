"""Blueprint: the home page."""

from __future__ import annotations

from quart import Blueprint
from quart import render_template

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
async def home() -> str:
    return await render_template("pages/main/home.html")
