"""Models: helpers shared by every table."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime


def utcnow() -> datetime:
    """Timezone-aware now: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)
