"""Services: demo content for development, so a fresh `make run` has something to take."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import col
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.forms.quiz_import import parse_quiz_document
from web.models import User
from web.services.accounts import create_user
from web.services.quiz_import import import_quizzes

DEMO = Path(__file__).resolve().parent.parent / "demo"
# The general-knowledge quizzes, and a quiz of every question kind in three variants
# (immediate, exam, timed and shuffled).
DEMO_DOCUMENTS = (DEMO / "quizzes.json", DEMO / "question_kinds.json")
# Published in README and printed by `make run`; seed-demo refuses to run in production.
DEMO_ACCOUNTS = (
    {"username": "demo", "email": "demo@example.com", "password": "Demo12345", "is_admin": False},
    {"username": "admin", "email": "admin@example.com", "password": "Admin12345", "is_admin": True},
)


DEMO_AUTHOR = "admin"


async def seed(session: AsyncSession) -> str:
    """Idempotent: accounts and quizzes that exist already are left as they are."""
    existing = set(
        (
            await session.exec(
                select(User.username).where(
                    col(User.username).in_([a["username"] for a in DEMO_ACCOUNTS])
                )
            )
        ).all()
    )
    created_accounts = []
    for account in DEMO_ACCOUNTS:
        if account["username"] in existing:
            continue
        await create_user(
            session,
            username=str(account["username"]),
            email=str(account["email"]),
            password=str(account["password"]),
            is_admin=bool(account["is_admin"]),
            verified=True,
        )
        created_accounts.append(str(account["username"]))
    # The admin wrote the demo quizzes: they can edit them and host them live.
    author_id = (await session.exec(select(User.id).where(User.username == DEMO_AUTHOR))).first()
    summaries = []
    for document in DEMO_DOCUMENTS:
        parsed = parse_quiz_document(json.loads(document.read_text(encoding="utf-8")))
        if parsed.data is None:  # the shipped files are checked by tests; this guards edits
            raise ValueError(f"Demo content in {document.name} is invalid: {parsed.errors}")
        imported = await import_quizzes(session, parsed.data, author_id=author_id)
        summaries.append(imported.summary())
    accounts = ", ".join(created_accounts) or "none new"
    return f"Demo accounts: {accounts}. {' '.join(summaries)}"
