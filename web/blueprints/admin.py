"""Blueprint: the administrators' user list with deactivate, reactivate, unlock and authoring."""

from __future__ import annotations

from quart import Blueprint
from quart import Response
from quart import flash
from quart import request
from quart import url_for
from werkzeug.exceptions import NotFound

from web.auth import admin_required
from web.auth import require_account
from web.db import get_session
from web.forms import page_number
from web.forms import text_value
from web.htmx import fragment
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.services import admin
from web.services.accounts import AccountError

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.get("/users")
@admin_required
async def users() -> Response:
    listing = await admin.list_users(
        get_session(), page=page_number(request.args), query=text_value(request.args, "q")[:100]
    )
    me = await require_account()
    return await page_or_fragment("pages/admin/users.html", "user_table", listing=listing, me=me)


async def _after_action(row: admin.UserRow | None, message: str, *, ok: bool) -> Response:
    """htmx: the row swaps in place and the message goes to the live region; else back to
    the same page of the same search (post/redirect/get)."""
    me = await require_account()
    form = await request.form
    listing = {"page": page_number(form), "q": text_value(form, "q")[:100] or None}
    if is_htmx() and row is not None:
        return await fragment(
            "user_row",
            row=row,
            me=me,
            listing=listing,
            message=message,
            failed=not ok,
            focus=True,
        )
    await flash(message, "success" if ok else "error")
    return redirect_to(url_for("admin.users", page=listing["page"], q=listing["q"]))


# What each action announces, "{name}" being the account's username.
DONE = {
    "unlock": "Unlocked {name}.",
    "deactivate": "Deactivated {name}.",
    "reactivate": "Reactivated {name}.",
    "make_author": "{name} is now an author.",
    "remove_author": "{name} is no longer an author.",
}


async def _act(user_id: int, action: str) -> Response:
    me = await require_account()
    session = get_session()
    try:
        if action == "unlock":
            row = await admin.unlock(session, user_id)
        elif action.endswith("_author"):
            row = await admin.set_author(session, me, user_id, author=action == "make_author")
        else:
            row = await admin.set_active(session, me, user_id, active=action == "reactivate")
    except admin.UserNotFoundError:
        raise NotFound() from None
    except AccountError as error:
        return await _after_action(await admin.user_row(session, user_id), error.message, ok=False)
    return await _after_action(row, DONE[action].format(name=row.user.username), ok=True)


@blueprint.post("/users/<id:user_id>/deactivate")
@admin_required
async def deactivate_user(user_id: int) -> Response:
    return await _act(user_id, "deactivate")


@blueprint.post("/users/<id:user_id>/reactivate")
@admin_required
async def reactivate_user(user_id: int) -> Response:
    return await _act(user_id, "reactivate")


@blueprint.post("/users/<id:user_id>/unlock")
@admin_required
async def unlock_user(user_id: int) -> Response:
    return await _act(user_id, "unlock")


@blueprint.post("/users/<id:user_id>/make-author")
@admin_required
async def make_author(user_id: int) -> Response:
    return await _act(user_id, "make_author")


@blueprint.post("/users/<id:user_id>/remove-author")
@admin_required
async def remove_author(user_id: int) -> Response:
    return await _act(user_id, "remove_author")
