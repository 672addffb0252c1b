"""Migrations 0005 (text formats) and 0006 (authors, draft versions) on populated data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.util.exc import CommandError

from tests.databases import backends
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from tests.databases import migrate
from tests.integration.test_migration_0004 import add_content
from tests.integration.test_migration_0004 import revision
from tests.integration.test_migration_0004 import run


@pytest.fixture(params=backends())
def populated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """0004's data as the old code made it, upgraded to 0006."""
    url = create_scratch_database(request.param, tmp_path)
    migrate(url, "0003")
    add_content(url)
    migrate(url, "0006")
    yield url
    drop_scratch_database(url)


def test_existing_rows_get_the_defaults_and_come_back_down(populated: str) -> None:
    url = populated
    assert run(url, "SELECT DISTINCT text_format, version FROM revision_questions") == [
        ("plain", 1)
    ]
    assert run(url, "SELECT DISTINCT is_author FROM users") == [(False,)]
    migrate(url, "0004", down=True)
    assert revision(url) == "0004"
    migrate(url, "0006")
    assert revision(url) == "0006"


def test_downgrade_refuses_to_drop_the_format_of_rich_text(populated: str) -> None:
    url = populated
    run(url, "UPDATE revision_questions SET text_format = 'markdown' WHERE question_id = 20")
    with pytest.raises(CommandError, match=r"Markdown or HTML .* downgrade: final-exam$"):
        migrate(url, "0004", down=True)
    # 0005 refused before changing anything: PostgreSQL rolls the whole downgrade back
    # (transactional DDL), SQLite keeps the 0006 step that came before.
    assert revision(url) == ("0006" if url.startswith("postgresql") else "0005")
    assert run(url, "SELECT count(*) FROM revision_questions WHERE text_format <> 'plain'") == [
        (1,)
    ]
