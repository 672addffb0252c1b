"""The one-hop writer waits for another process's SQLite write lock on its own fine schedule
(web.db._begin_immediate), not in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from web import db


class LockedConnection:
    """A DBAPI connection whose BEGIN IMMEDIATE meets `failures` errors before it succeeds."""

    def __init__(self, failures: int, message: str = "database is locked") -> None:
        self.failures, self.message, self.statements = failures, message, list[str]()

    def execute(self, sql: str) -> None:
        self.statements.append(sql)
        if sql == "BEGIN IMMEDIATE" and self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError(self.message)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(db.time, "sleep", slept.append)
    return slept


def test_retries_on_a_doubling_schedule_from_50_microseconds_to_1_ms(sleeps: list[float]) -> None:
    connection = LockedConnection(failures=7)
    db._begin_immediate(connection)
    assert sleeps == pytest.approx([50e-6, 100e-6, 200e-6, 400e-6, 800e-6, 1e-3, 1e-3])
    # SQLite's own wait is off for the BEGIN only, and back for every later statement.
    assert connection.statements[0] == "PRAGMA busy_timeout=0"
    assert connection.statements[1:-1] == ["BEGIN IMMEDIATE"] * 8
    assert connection.statements[-1] == f"PRAGMA busy_timeout={db.BUSY_TIMEOUT_MS}"


def test_another_error_is_raised_at_once_and_the_timeout_restored(sleeps: list[float]) -> None:
    connection = LockedConnection(failures=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        db._begin_immediate(connection)
    assert sleeps == []
    assert connection.statements[-1] == f"PRAGMA busy_timeout={db.BUSY_TIMEOUT_MS}"


def test_gives_up_after_the_wait_limit(
    sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "WRITE_WAIT_LIMIT", -1.0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        db._begin_immediate(LockedConnection(failures=1))
    assert sleeps == []


def test_takes_the_lock_as_soon_as_another_connection_commits(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    waiter = sqlite3.connect(path, isolation_level=None)
    release = threading.Timer(0.05, holder.execute, ["COMMIT"])
    release.start()
    db._begin_immediate(waiter)
    waiter.execute("INSERT INTO t VALUES (2)")
    waiter.execute("COMMIT")
    release.join()
    rows = [row[0] for row in waiter.execute("SELECT n FROM t ORDER BY n")]
    timeout = waiter.execute("PRAGMA busy_timeout").fetchone()[0]
    holder.close()
    waiter.close()
    assert rows == [1, 2]
    assert timeout == db.BUSY_TIMEOUT_MS
