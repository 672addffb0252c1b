"""Blueprint: forgotten, reset and changed passwords (CONTRACT.md URLs under /auth)."""

from __future__ import annotations

from datetime import timedelta

from quart import Blueprint
from quart import Response
from quart import flash
from quart import request
from quart import url_for
from quart_rate_limiter import rate_limit

from web.auth import login_required
from web.auth import require_account
from web.auth import session_token
from web.blueprints.auth import invalid_link_page
from web.db import get_session
from web.forms.accounts import parse_email_only
from web.forms.accounts import parse_new_password
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.ratelimit import counted_limit
from web.ratelimit import refund_allowance
from web.services import accounts
from web.services import email_links
from web.services.accounts import AccountError

blueprint = Blueprint("passwords", __name__, url_prefix="/auth")
RESET_SENT = (
    "If an account uses that email, we sent it a link to reset the password. "
    "The link expires in 1 hour."
)


@blueprint.get("/forgot-password")
async def forgot_password_page() -> Response:
    return await page_or_fragment("pages/auth/forgot_password.html", "email_form")


@blueprint.post("/forgot-password")
@counted_limit("RATELIMIT_FORGOT")
async def forgot_password() -> Response:
    """A well-formed address counts (it may send an email); a typo gives its share back."""
    parsed = parse_email_only(await request.form)
    if parsed.data is None:
        await refund_allowance()
        return await page_or_fragment(
            "pages/auth/forgot_password.html",
            "email_form",
            status=422,
            values=parsed.values,
            errors=parsed.errors,
        )
    await email_links.request_password_reset(get_session(), parsed.data)
    await flash(RESET_SENT, "success")  # the same words whether or not the account exists
    return redirect_to(url_for("auth.login_page"))


async def _reset_form(token: str, errors: dict[str, str], status: int = 200) -> Response:
    return await page_or_fragment(
        "pages/auth/reset_password.html",
        "password_form",
        status=status,
        form_id="reset-password-form",
        action=url_for("passwords.reset_password", token=token),
        submit_label="Reset password",
        errors=errors,
    )


async def _invalid_link(error: AccountError) -> Response:
    return await invalid_link_page(f"{error.message} You can ask for a new one.")


@blueprint.get("/reset-password/<token>")
async def reset_password_page(token: str) -> Response:
    try:
        await email_links.check_reset_token(get_session(), token)
    except AccountError as error:
        return await _invalid_link(error)
    return await _reset_form(token, {})


@blueprint.post("/reset-password/<token>")
@rate_limit(5, timedelta(minutes=15))
async def reset_password(token: str) -> Response:
    parsed = parse_new_password(await request.form, needs_current=False)
    if parsed.data is None:
        return await _reset_form(token, parsed.errors, status=422)
    try:
        await accounts.reset_password(get_session(), token, parsed.data.password)
    except AccountError as error:
        return await _invalid_link(error)
    await flash("Your password has been reset. Log in with the new one.", "success")
    return redirect_to(url_for("auth.login_page"))


async def _change_form(errors: dict[str, str], status: int = 200) -> Response:
    return await page_or_fragment(
        "pages/auth/change_password.html",
        "password_form",
        status=status,
        form_id="change-password-form",
        action=url_for("passwords.change_password"),
        submit_label="Change password",
        errors=errors,
        needs_current=True,
    )


@blueprint.get("/change-password")
@login_required
async def change_password_page() -> Response:
    return await _change_form({})


@blueprint.post("/change-password")
@rate_limit(5, timedelta(minutes=15))
async def change_password() -> Response:
    user = await require_account()
    parsed = parse_new_password(await request.form, needs_current=True)
    if parsed.data is not None:
        try:
            await accounts.change_password(
                get_session(),
                user,
                current=parsed.data.current,
                new=parsed.data.password,
                keep_session=session_token(),
            )
        except AccountError as error:
            parsed.errors[error.field] = error.message
        else:
            await flash("Your password has been changed. Other devices were logged out.", "success")
            return redirect_to(url_for("account.profile"))
    return await _change_form(parsed.errors, status=422)
