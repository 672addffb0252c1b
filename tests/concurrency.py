"""Test support: force the race two workers can run, inside one test's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import pytest


def hold_together(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, parties: int = 2
) -> None:
    """Replace the coroutine function `owner.name` so its first `parties` calls each finish,
    then wait for one another: concurrent requests then meet the database at the same time.
    Later calls (a loser re-reading, say) pass straight through."""
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)
    barrier = asyncio.Barrier(parties)
    held = 0

    async def call_then_wait(*args: Any, **kwargs: Any) -> Any:
        nonlocal held
        result = await original(*args, **kwargs)
        if held < parties:
            held += 1
            await asyncio.wait_for(barrier.wait(), timeout=5)
        return result

    monkeypatch.setattr(owner, name, call_then_wait)
