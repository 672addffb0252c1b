"""Load test support: verified takers made through the app's own account service.

Run as `python -m tests.load.takers N PREFIX` in the environment the server will use, so the
hashes carry the production tier's argon2 parameters and every login costs what it really does.
"""

from __future__ import annotations

import asyncio
import sys

from quart import Quart

from web.app import create_app
from web.db import get_session
from web.services.accounts import create_user

PASSWORD = "Loadtest-pass-1"
BATCH = 8  # hashes in flight at once: enough to keep both cores busy, no more


def taker_name(prefix: str, number: int) -> str:
    return f"{prefix}{number}"


async def _create_one(app: Quart, username: str) -> None:
    async with app.app_context():  # a session of its own: sessions are not shared across tasks
        await create_user(
            get_session(),
            username=username,
            email=f"{username}@loadtest.example",
            password=PASSWORD,
            verified=True,
        )


async def create_takers(count: int, prefix: str) -> None:
    app = create_app()
    async with app.test_app():
        names = [taker_name(prefix, number) for number in range(count)]
        for start in range(0, count, BATCH):
            await asyncio.gather(*(_create_one(app, name) for name in names[start : start + BATCH]))


if __name__ == "__main__":
    asyncio.run(create_takers(int(sys.argv[1]), sys.argv[2]))
