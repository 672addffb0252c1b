"""Blueprint: registration, email verification, log-in and log-out (CONTRACT.md URLs)."""

from __future__ import annotations

from datetime import timedelta

from quart import Blueprint
from quart import Response
from quart import flash
from quart import request
from quart import session as cookie_session
from quart import url_for
from quart_auth import login_user
from quart_auth import logout_user
from quart_rate_limiter import rate_limit

from web.auth import SessionUser
from web.auth import current_account
from web.auth import require_account
from web.auth import safe_next
from web.auth import session_token
from web.db import get_session
from web.forms.accounts import REGISTRATION_FIELDS
from web.forms.accounts import available
from web.forms.accounts import parse_login
from web.forms.accounts import parse_registration
from web.forms.accounts import registration_errors
from web.htmx import fragment
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.ratelimit import client_address
from web.ratelimit import counted_limit
from web.ratelimit import refund_allowance
from web.services import accounts
from web.services import email_links
from web.services.accounts import AccountError
from web.services.email_links import Verification

blueprint = Blueprint("auth", __name__, url_prefix="/auth")


async def _already_signed_in() -> Response | None:
    """Signed-in people who open log-in or register belong on their dashboard."""
    if await current_account() is not None:
        return redirect_to(url_for("dashboard.dashboard"))
    return None


@blueprint.get("/register")
async def register_page() -> Response:
    return await _already_signed_in() or await page_or_fragment(
        "pages/auth/register.html", "register_form"
    )


@blueprint.post("/register")
@counted_limit("RATELIMIT_REGISTER")
async def register() -> Response:
    """Every problem at once, a taken name or address among them. A form sent back to fix
    gives its share of the allowance back, unless it told that an address has an account."""
    parsed = parse_registration(await request.form)
    session = get_session()
    errors = parsed.errors | await accounts.find_conflicts(session, **available(parsed))
    if parsed.data is not None and not errors:
        try:
            user = await accounts.register(session, parsed.data)
        except AccountError as error:  # a concurrent registration won the name or address
            errors[error.field] = error.message
        else:
            await flash(
                f"Account created. We sent a verification link to {user.email}; "
                "open it, then log in.",
                "success",
            )
            return redirect_to(url_for("auth.login_page"))
    if "email" not in errors or "email" in parsed.errors:
        await refund_allowance()
    return await page_or_fragment(
        "pages/auth/register.html",
        "register_form",
        status=422,
        values=parsed.values,
        errors=errors,
    )


@blueprint.post("/register/validate")
@rate_limit(60, timedelta(minutes=1))
async def validate_registration() -> Response:
    """One field's verdict as the user leaves it; the input picks its own wrapper (hx-select).

    Usernames are public (leaderboards), so their availability is checked here; whether an
    email has an account is only told by the rate-limited submit, not to anyone who probes.
    """
    field = request.args.get("field", "")
    if field not in REGISTRATION_FIELDS:
        return await page_or_fragment("pages/auth/register.html", "register_form", status=400)
    form = await request.form
    errors, values = registration_errors(form)
    if field == "username" and field not in errors:
        errors |= await accounts.find_conflicts(get_session(), username=values[field])
    shown = {field: errors[field]} if field in errors else {}
    return await page_or_fragment(
        "pages/auth/register.html", "register_form", values=values, errors=shown
    )


@blueprint.get("/login")
async def login_page() -> Response:
    next_url = safe_next(request.args.get("next"), "")
    return await _already_signed_in() or await page_or_fragment(
        "pages/auth/login.html", "login_form", next=next_url
    )


@blueprint.post("/login")
@counted_limit("RATELIMIT_LOGIN")
async def login() -> Response:
    """Every refused log-in counts against the allowance; a successful one gives its share
    back (a class logs in from one address)."""
    form = await request.form
    next_url = safe_next(form.get("next"), "")
    parsed = parse_login(form)
    if parsed.data is not None:
        try:
            user, token = await accounts.sign_in(
                get_session(),
                parsed.data,
                client=await client_address(),
                user_agent=request.headers.get("User-Agent", ""),
                replacing=session_token(),
            )
        except AccountError as error:
            parsed.errors[error.field] = error.message
        else:
            await refund_allowance()
            cookie_session.clear()  # a new CSRF token for the new session: no fixation
            login_user(SessionUser(token, user=user), remember=parsed.data.remember)
            await flash(f"Welcome, {user.username}.", "success")
            return redirect_to(next_url or url_for("dashboard.dashboard"))
    return await page_or_fragment(
        "pages/auth/login.html",
        "login_form",
        status=422,
        values=parsed.values,
        errors=parsed.errors,
        next=next_url,
    )


@blueprint.post("/logout")
async def logout() -> Response:
    await accounts.close_session(get_session(), session_token())
    logout_user()
    cookie_session.clear()
    await flash("You have been logged out.", "success")
    return redirect_to(url_for("main.home"))


async def invalid_link_page(description: str) -> Response:
    """The 400 page of a mailed link that is not (or no longer) valid; passwords.py too."""
    return await page_or_fragment(
        "pages/auth/link_invalid.html",
        "error_message",
        status=400,
        code=400,
        title="Link not valid",
        description=description,
    )


async def _verification_page(verification: Verification, token: str) -> Response:
    return await page_or_fragment(
        "pages/auth/verify_email.html",
        "verify_email_form",
        token=token,
        verification=verification,
        signed_in=await current_account() is not None,
    )


@blueprint.get("/verify/<token>")
async def verify_email_page(token: str) -> Response:
    """Opening the link verifies nothing (mail scanners open links): it offers the button."""
    try:
        verification = await email_links.check_verification_link(get_session(), token)
    except AccountError as error:
        return await invalid_link_page(error.message)
    return await _verification_page(verification, token)


@blueprint.post("/verify/<token>")
async def verify_email(token: str) -> Response:
    try:
        verification = await email_links.verify_email(get_session(), token)
    except AccountError as error:
        return await invalid_link_page(error.message)
    if verification.already_verified:
        return await _verification_page(verification, token)
    await flash("Your email is verified. You can start quizzes now.", "success")
    signed_in = await current_account() is not None
    return redirect_to(url_for("dashboard.dashboard" if signed_in else "auth.login_page"))


@blueprint.post("/verify/resend")
@rate_limit(3, timedelta(hours=1))
async def resend_verification() -> Response:
    user = await require_account()
    if user.is_verified:
        await flash("Your email is already verified.", "success")
        return redirect_to(url_for("dashboard.dashboard"))
    await email_links.send_verification(get_session(), user)
    if is_htmx():
        return await fragment("verification_notice", user=user, sent=True)
    await flash(f"We sent a new verification link to {user.email}.", "success")
    return redirect_to(url_for("dashboard.dashboard"))
