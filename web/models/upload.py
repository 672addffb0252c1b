"""Models: a quiz file uploaded for import, kept while its author reviews the preview."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import Column
from sqlalchemy import LargeBinary
from sqlmodel import Field
from sqlmodel import SQLModel

from web.models.base import utcnow

# An upload nobody imported is gone after this: it is a preview's scratch copy, not content.
UPLOAD_KEPT = timedelta(days=1)


class ImportUpload(SQLModel, table=True):
    """The file as uploaded, so the preview can page through it and "Import" can read it
    again on any worker or instance (they share the database, not a disk)."""

    __tablename__ = "import_uploads"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    filename: str = Field(max_length=255)
    format: str = Field(max_length=20)
    title: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)

    def is_stale(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) - self.created_at > UPLOAD_KEPT
