"""Services: accounts: registration, email tokens, throttled log-in, sessions, passwords."""

from __future__ import annotations

from quart import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel import delete
from sqlmodel import or_
from sqlmodel import select
from sqlmodel import update
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import release
from web.db import writing
from web.forms.accounts import INVALID_LOGIN
from web.forms.accounts import Login
from web.forms.accounts import Registration
from web.mail import send_email
from web.models import EmailToken
from web.models import TokenPurpose
from web.models import User
from web.models import UserSession
from web.models import utcnow
from web.models.user import account_subject
from web.models.user import name_subject
from web.security import burn_password_check
from web.security import hash_password
from web.security import hash_token
from web.security import needs_rehash
from web.security import new_url_token
from web.security import verify_password
from web.services import throttles

MAX_TOKEN_LENGTH = 100  # ours are 43 characters; longer is garbage, not worth a query
INVALID_LINK = "This link is invalid, has expired or was already used."


class AccountError(ValueError):
    """A domain refusal with a message fit to show, keyed by the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


async def find_conflicts(
    session: AsyncSession, *, username: str = "", email: str = ""
) -> dict[str, str]:
    """{field: message} for a taken username (in any case) or email; empty ones are not
    looked up. Checked before insert (a failed insert's rollback would expire every loaded
    object), on submit beside the other field errors, and as the user leaves the field."""
    conditions = []
    if username:
        conditions.append(col(User.username_lower) == username.lower())
    if email:
        conditions.append(col(User.email) == email)
    if not conditions:
        return {}
    conflicts = {}
    for taken_username, taken_email in await session.exec(
        select(User.username, User.email).where(or_(*conditions))
    ):
        if username and taken_username.lower() == username.lower():
            conflicts["username"] = "That username is taken."
        if email and taken_email == email:
            conflicts["email"] = "An account with that email already exists."
    return conflicts


async def _refuse_conflicts(session: AsyncSession, *, username: str, email: str) -> None:
    conflicts = await find_conflicts(session, username=username, email=email)
    if conflicts:
        field, message = next(iter(conflicts.items()))
        raise AccountError(field, message)


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    email: str,
    password: str,
    is_admin: bool = False,
    verified: bool = False,
) -> User:
    password_hash = await hash_password(password)
    try:
        async with writing(session):
            await _refuse_conflicts(session, username=username, email=email)
            user = User(
                username=username,
                email=email,
                password_hash=password_hash,
                is_admin=is_admin,
                email_verified_at=utcnow() if verified else None,
            )
            session.add(user)
    except IntegrityError:
        # A concurrent registration took the name or address between check and insert.
        await _refuse_conflicts(session, username=username, email=email)
        raise
    return user


async def register(session: AsyncSession, data: Registration) -> User:
    user = await create_user(
        session, username=data.username, email=data.email, password=data.password
    )
    await send_verification(session, user)
    return user


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


async def _usable_token(
    session: AsyncSession, token: str, purpose: TokenPurpose
) -> tuple[EmailToken, User]:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise AccountError("token", INVALID_LINK)
    row = (
        await session.exec(
            select(EmailToken, User)
            .join(User, col(User.id) == EmailToken.user_id)
            .where(col(EmailToken.token_hash) == hash_token(token), EmailToken.purpose == purpose)
        )
    ).first()
    if row is None or not row[0].is_usable():
        raise AccountError("token", INVALID_LINK)
    return row


async def _consume_token(session: AsyncSession, token: str, purpose: TokenPurpose) -> User:
    """Spend a token in one statement, so of two concurrent uses exactly one wins."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise AccountError("token", INVALID_LINK)
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


async def verify_email(session: AsyncSession, token: str) -> User:
    async with writing(session):
        user = await _consume_token(session, token, TokenPurpose.VERIFY_EMAIL)
        user.email_verified_at = user.email_verified_at or utcnow()
    return user


async def find_by_identifier(session: AsyncSession, identifier: str) -> User | None:
    """By email, or by username in any case through the index on the lowered name.

    Usernames are ASCII, and only an ASCII identifier can name one: str.lower() maps a few
    other letters onto ASCII ones (the Kelvin sign onto "k").
    """
    if "@" in identifier:
        query = select(User).where(User.email == identifier.lower())
    elif identifier.isascii():
        query = select(User).where(User.username_lower == identifier.lower())
    else:
        return None
    return (await session.exec(query)).first()


async def authenticate(
    session: AsyncSession, identifier: str, password: str, *, client: str
) -> User:
    """The account whose password this is, or one refusal for every reason.

    Failures are throttled per (account, client address), so nobody can lock an owner out
    from elsewhere; a throttled pair is refused without checking the password (a refusal
    never confirms a guess), and unknown names are throttled the same way. Unknown, paused,
    deactivated and wrong answers read the same and cost one argon2 verify each.
    """
    user = await find_by_identifier(session, identifier)
    subject = account_subject(user.id) if user and user.id else name_subject(identifier)
    throttled = await throttles.is_throttled(session, subject, client)
    await release(session)  # no pool connection waits on the hash
    if user is None or throttled:
        await burn_password_check(password)
        correct = False
    else:
        correct = await verify_password(user.password_hash, password)
    if user is None or not correct or not user.is_active:
        if not throttled:
            async with writing(session):
                await throttles.count_failure(session, subject, client)
        raise AccountError("identifier", INVALID_LOGIN)
    upgraded = await hash_password(password) if needs_rehash(user.password_hash) else None
    async with writing(session):
        await throttles.clear(session, subject, client)
        user.last_login_at = utcnow()
        if upgraded is not None:  # made with older argon2 parameters than today's
            user.password_hash = upgraded
    return user


async def sign_in(
    session: AsyncSession,
    login: Login,
    *,
    client: str,
    user_agent: str,
    replacing: str | None,
) -> tuple[User, str]:
    """Check the credentials from `client` (an address) and open a session; `replacing`
    (this browser's previous session, if any) is closed, so a re-login never leaves an old
    cookie valid."""
    user = await authenticate(session, login.identifier, login.password, client=client)
    await close_session(session, replacing)
    token = await open_session(session, user, remember=login.remember, user_agent=user_agent)
    return user, token


async def open_session(
    session: AsyncSession, user: User, *, remember: bool, user_agent: str
) -> str:
    """A new session token for the auth cookie; expired sessions of the user are swept."""
    assert user.id is not None  # noqa: S101 - a persisted user
    token, token_hash = new_url_token()
    async with writing(session):
        await session.exec(
            delete(UserSession).where(
                col(UserSession.user_id) == user.id, col(UserSession.expires_at) <= utcnow()
            )
        )
        session.add(UserSession.open(user.id, token_hash, remember=remember, user_agent=user_agent))
    return token


async def load_session_user(session: AsyncSession, token: str | None) -> User | None:
    """The account behind an auth cookie, if its session is live and the account active."""
    if not token:
        return None
    return (
        await session.exec(
            select(User)
            .join(UserSession, col(UserSession.user_id) == User.id)
            .where(
                col(UserSession.token_hash) == hash_token(token),
                col(UserSession.expires_at) > utcnow(),
                col(User.is_active).is_(True),
            )
        )
    ).first()


async def close_session(session: AsyncSession, token: str | None) -> None:
    if not token:
        return
    async with writing(session):
        await session.exec(
            delete(UserSession).where(col(UserSession.token_hash) == hash_token(token))
        )


async def _close_sessions(session: AsyncSession, user_id: int, keep: str | None = None) -> None:
    query = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep:
        query = query.where(col(UserSession.token_hash) != hash_token(keep))
    await session.exec(query)


async def request_password_reset(session: AsyncSession, email: str) -> None:
    """Mail a reset link if the address has an account; the caller says the same either way."""
    user = (await session.exec(select(User).where(User.email == email))).first()
    if user is None or not user.is_active:
        return
    await _mail_token(session, user, TokenPurpose.RESET_PASSWORD)


async def check_reset_token(session: AsyncSession, token: str) -> User:
    _record, user = await _usable_token(session, token, TokenPurpose.RESET_PASSWORD)
    return user


async def reset_password(session: AsyncSession, token: str, new_password: str) -> User:
    """Set the password, end every session of the account, and lift its log-in throttles."""
    password_hash = await hash_password(new_password)
    async with writing(session):
        user = await _consume_token(session, token, TokenPurpose.RESET_PASSWORD)
        user.password_hash = password_hash
        assert user.id is not None  # noqa: S101 - a persisted user
        await throttles.clear(session, account_subject(user.id))
        await _close_sessions(session, user.id)
    return user


async def change_password(
    session: AsyncSession,
    user: User,
    *,
    current: str,
    new: str,
    keep_session: str | None,
) -> None:
    """Other browsers are signed out; this one stays signed in."""
    if not await verify_password(user.password_hash, current):
        raise AccountError("current_password", "Your current password is not right.")
    password_hash = await hash_password(new)
    async with writing(session):
        user.password_hash = password_hash
        session.add(user)
        assert user.id is not None  # noqa: S101 - a persisted user
        await _close_sessions(session, user.id, keep=keep_session)
