"""Services: accounts: registration, throttled log-in, sessions, passwords (the mailed
links: email_links.py)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel import delete
from sqlmodel import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import release
from web.db import writing
from web.forms.accounts import INVALID_LOGIN
from web.forms.accounts import Login
from web.forms.accounts import Registration
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
from web.services.email_links import consume_token
from web.services.email_links import send_verification
from web.services.errors import AccountError


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
    await release(session)  # the request may have read already: no connection waits on the hash
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


async def reset_password(session: AsyncSession, token: str, new_password: str) -> User:
    """Set the password, end every session of the account, and lift its log-in throttles."""
    await release(session)
    password_hash = await hash_password(new_password)
    async with writing(session):
        user = await consume_token(session, token, TokenPurpose.RESET_PASSWORD)
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
    await release(session)
    if not await verify_password(user.password_hash, current):
        raise AccountError("current_password", "Your current password is not right.")
    password_hash = await hash_password(new)
    async with writing(session):
        user.password_hash = password_hash
        session.add(user)
        assert user.id is not None  # noqa: S101 - a persisted user
        await _close_sessions(session, user.id, keep=keep_session)
