"""Services: the one-use links we mail (verify an address, reset a password): issued,
mailed, looked at and spent."""

from __future__ import annotations

from dataclasses import dataclass

from quart import current_app
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.mail import send_email
from web.models import EmailToken
from web.models import TokenPurpose
from web.models import User
from web.models import utcnow
from web.security import hash_token
from web.security import new_url_token
from web.services.errors import AccountError

MAX_TOKEN_LENGTH = 100  # ours are 43 characters; longer is garbage, not worth a query
INVALID_LINK = "This link is invalid, has expired or was already used."


def _link(path: str) -> str:
    return f"{current_app.config['BASE_URL']}{path}"


async def _issue_token(session: AsyncSession, user: User, purpose: TokenPurpose) -> str:
    """A fresh one-use token; older unused ones of the same purpose stop working."""
    assert user.id is not None  # noqa: S101 - a persisted user
    token, token_hash = new_url_token()
    async with writing(session):
        await session.exec(
            update(EmailToken)
            .where(
                col(EmailToken.user_id) == user.id,
                col(EmailToken.purpose) == purpose,
                col(EmailToken.used_at).is_(None),
            )
            .values(used_at=utcnow())
        )
        session.add(EmailToken.issue(user.id, purpose, token_hash))
    return token


# Subject (CONTRACT.md), body template, and the link's path for each kind of token.
TOKEN_EMAILS = {
    TokenPurpose.VERIFY_EMAIL: ("Verify your email", "verify_email", "/auth/verify/{}"),
    TokenPurpose.RESET_PASSWORD: (
        "Reset your password",
        "reset_password",
        "/auth/reset-password/{}",
    ),
}


async def _mail_token(session: AsyncSession, user: User, purpose: TokenPurpose) -> None:
    token = await _issue_token(session, user, purpose)
    subject, template, path = TOKEN_EMAILS[purpose]
    link = _link(path.format(token))
    await send_email(user.email, subject, template, username=user.username, link=link)


async def send_verification(session: AsyncSession, user: User) -> None:
    await _mail_token(session, user, TokenPurpose.VERIFY_EMAIL)


def _refuse_garbage(token: str) -> None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise AccountError("token", INVALID_LINK)


async def _issued_token(
    session: AsyncSession, token: str, purpose: TokenPurpose
) -> tuple[EmailToken, User]:
    """The token's record and account, usable or not; a token we never issued is refused."""
    _refuse_garbage(token)
    row = (
        await session.exec(
            select(EmailToken, User)
            .join(User, col(User.id) == EmailToken.user_id)
            .where(col(EmailToken.token_hash) == hash_token(token), EmailToken.purpose == purpose)
        )
    ).first()
    if row is None:
        raise AccountError("token", INVALID_LINK)
    return row


async def consume_token(session: AsyncSession, token: str, purpose: TokenPurpose) -> User:
    """Spend a token in one statement, so of two concurrent uses exactly one wins."""
    _refuse_garbage(token)
    now = utcnow()
    spent = (
        await session.exec(
            update(EmailToken)
            .where(
                col(EmailToken.token_hash) == hash_token(token),
                col(EmailToken.purpose) == purpose,
                col(EmailToken.used_at).is_(None),
                col(EmailToken.expires_at) > now,
            )
            .values(used_at=now)
            .returning(col(EmailToken.user_id))
        )
    ).first()
    user = await session.get(User, spent[0]) if spent is not None else None
    if user is None:
        raise AccountError("token", INVALID_LINK)
    return user


@dataclass(frozen=True)
class Verification:
    """A verification link's account, and whether its address was verified already."""

    user: User
    already_verified: bool


async def check_verification_link(session: AsyncSession, token: str) -> Verification:
    """What opening the link shows, verifying nothing (mail scanners open links): the button,
    or, once the address is verified, that it is (a spent or expired link proves the mailbox
    too). Any other link is refused (AccountError)."""
    record, user = await _issued_token(session, token, TokenPurpose.VERIFY_EMAIL)
    if not user.is_verified and not record.is_usable():
        raise AccountError("token", INVALID_LINK)
    return Verification(user, already_verified=user.is_verified)


async def verify_email(session: AsyncSession, token: str) -> Verification:
    """Spend the link and verify the address; pressed again, the link says it is done."""
    try:
        async with writing(session):
            user = await consume_token(session, token, TokenPurpose.VERIFY_EMAIL)
            user.email_verified_at = user.email_verified_at or utcnow()
    except AccountError:
        verification = await check_verification_link(session, token)
        if not verification.already_verified:
            raise
        return verification
    return Verification(user, already_verified=False)


async def request_password_reset(session: AsyncSession, email: str) -> None:
    """Mail a reset link if the address has an account; the caller says the same either way."""
    user = (await session.exec(select(User).where(User.email == email))).first()
    if user is None or not user.is_active:
        return
    await _mail_token(session, user, TokenPurpose.RESET_PASSWORD)


async def check_reset_token(session: AsyncSession, token: str) -> User:
    record, user = await _issued_token(session, token, TokenPurpose.RESET_PASSWORD)
    if not record.is_usable():
        raise AccountError("token", INVALID_LINK)
    return user
