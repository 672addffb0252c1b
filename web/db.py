"""Data layer: the async engine, one session per request, and serialized writes on SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from quart import Quart
from quart import current_app
from quart import g
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import Session
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import create_engine as create_sync_engine
from sqlmodel.ext.asyncio.session import AsyncSession

# A SQLite connection per thread of the one-hop pool: no thread ever waits for the pool.
ONE_HOP_THREADS = 4
# How the one-hop writer waits for another process's write lock: first retry after 50 µs,
# doubling to 1 ms, for at most 15 s (the engines' timeout).
WRITE_RETRY_FIRST = 50e-6
WRITE_RETRY_MOST = 1e-3
WRITE_WAIT_LIMIT = 15.0
# How long any other statement waits for a lock, in SQLite's own busy handler.
BUSY_TIMEOUT_MS = 5000


class Database:
    """Owns the engine of one process; each hypercorn worker builds its own."""

    def __init__(self, url: str, *, pool_timeout: float = 30) -> None:
        self.url = url
        self.engine = create_engine(url, pool_timeout=pool_timeout)
        # Sessions know their Database, so services take one argument and still find the lock.
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, info={"database": self}
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # SQLite has one writer; queueing writers here instead of in SQLite's busy loop
        # keeps p99 flat under load (perf-facts.md). PostgreSQL needs no such lock.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        # aiosqlite hops to its thread and back for every cursor call (4 or so per
        # statement); under load each hop waits behind the loop's other work, and a write
        # transaction held the lock across a dozen of them. The hot paths run their whole
        # database work in one hop instead, on a plain sqlite3 engine (Database.run).
        self._one_hop = _one_hop_engine(url, self.engine) if self.is_sqlite else None
        self._one_hop_threads = (
            ThreadPoolExecutor(ONE_HOP_THREADS, thread_name_prefix="sqlite")
            if self._one_hop is not None
            else None
        )

    async def run[T](
        self, session: AsyncSession, work: Callable[[Session], T], *, write: bool = False
    ) -> T:
        """`work(sync_session)` as one unit: a write transaction when `write` (committed on
        success, rolled back on any error), plain reads otherwise.

        On SQLite it runs in one thread hop with a session of its own (loaded objects come
        back detached, as expire_on_commit=False leaves them), holding the write lock for
        that hop only; on PostgreSQL it runs on the request's session, natively async.
        """
        if self._one_hop is None or self._one_hop_threads is None:
            if not write:
                return await session.run_sync(work)
            async with _committing(session):
                return await session.run_sync(work)
        engine, loop = self._one_hop, asyncio.get_running_loop()
        if not write:
            return await loop.run_in_executor(self._one_hop_threads, _read, engine, work)
        assert self._write_lock is not None  # noqa: S101 - SQLite always has one
        async with self._write_lock:
            return await loop.run_in_executor(self._one_hop_threads, _write, engine, work)

    @asynccontextmanager
    async def writing(self, session: AsyncSession) -> AsyncIterator[AsyncSession]:
        """One write transaction: commits on success, rolls back on any error.

        On SQLite the connection comes first and the lock second, so whoever holds the lock
        already has its connection and never waits for the pool. The other order deadlocked
        (issue 7): a lock holder waited for a connection while the requests holding every
        connection waited for the lock. BEGIN IMMEDIATE then takes SQLite's own write lock
        at the start, so a transaction that reads before it writes cannot meet SQLITE_BUSY
        half-way, even against another process.
        """
        if self._write_lock is None:
            async with _committing(session):
                yield session
            return
        connection = await session.connection()
        async with self._write_lock, _committing(session):
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    def sync_engines(self) -> list[Engine]:
        """Every engine whose pool hands out connections (for pool listeners)."""
        engines = [self.engine.sync_engine]
        return engines if self._one_hop is None else [*engines, self._one_hop]

    @property
    def pool_capacity(self) -> int:
        pool = self.engine.pool
        return pool.size() + pool._max_overflow  # type: ignore[attr-defined]

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._one_hop is not None:
            self._one_hop.dispose()


def _read[T](engine: Engine, work: Callable[[Session], T]) -> T:
    with Session(engine, expire_on_commit=False) as session:
        return work(session)


def _write[T](engine: Engine, work: Callable[[Session], T]) -> T:
    """BEGIN IMMEDIATE, as Database.writing says it, then the work and COMMIT: one hop."""
    with Session(engine, expire_on_commit=False) as session:
        _begin_immediate(session.connection().connection.dbapi_connection)
        try:
            result = work(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return result


def _begin_immediate(dbapi_connection: Any) -> None:
    """Take SQLite's write lock, retrying every few dozen microseconds while another process
    (the other hypercorn worker) holds it.

    SQLite's own busy handler sleeps 1, 2, 5, 10… ms between tries, while a hot-path write
    holds the lock for well under a millisecond: under two workers' answers, each worker's
    writes then sat in that sleep with cores idle. So the busy timeout is off for this one
    statement, and the lock is tried here on a far finer schedule.
    """
    delay, deadline = WRITE_RETRY_FIRST, time.monotonic() + WRITE_WAIT_LIMIT
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, WRITE_RETRY_MOST)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _one_hop_engine(url: str, async_engine: AsyncEngine) -> Engine | None:
    """A sync sqlite3 engine on the same file, whose statements the async engine's
    listeners hear too (statement counters, budget tests); None for an in-memory database,
    which a second engine would not share."""
    parsed = make_url(url)
    if parsed.database in (None, "", ":memory:"):
        return None
    engine = create_sync_engine(
        parsed.set(drivername="sqlite"),
        pool_size=ONE_HOP_THREADS,
        max_overflow=0,
        connect_args={"timeout": 15, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)

    def forward(*args: Any) -> None:
        async_engine.sync_engine.dispatch.before_cursor_execute(*args)

    event.listen(engine, "before_cursor_execute", forward)
    return engine


def writing(session: AsyncSession) -> AbstractAsyncContextManager[AsyncSession]:
    """The write transaction of the Database this session belongs to."""
    database: Database = session.info["database"]
    return database.writing(session)


async def release(session: AsyncSession) -> None:
    """Hand the session's connection back to the pool before slow work that needs none (an
    argon2 hash costs ~0.25 s): a pool of a few connections must not sit idle behind it.

    Call it with nothing pending. Loaded objects stay usable (expire_on_commit=False), and
    the next statement takes a connection again.
    """
    if session.in_transaction():
        await session.commit()


@asynccontextmanager
async def _committing(session: AsyncSession) -> AsyncIterator[None]:
    try:
        yield
        await session.commit()
    except BaseException:
        await session.rollback()
        await _reload_expired(session)
        raise


async def _reload_expired(session: AsyncSession) -> None:
    """A rollback expires every loaded object, and touching one later in async code fails
    (MissingGreenlet). Reload them now, so the error page can still show the signed-in user."""
    for instance in list(session.identity_map.values()):
        await session.refresh(instance)


async def run_in_one_hop[T](
    session: AsyncSession, work: Callable[[Session], T], *, write: bool = False
) -> T:
    """Database.run for the Database this session belongs to."""
    database: Database = session.info["database"]
    return await database.run(session, work, write=write)


def detached[M](model: type[M], values: dict[str, Any]) -> M:
    """A detached instance of a mapped `model` holding `values` (every column), built the
    way the ORM builds a loaded one (no __init__, no validation, a fraction of the cost):
    session.add() and changes work as on any object whose session has since closed."""
    mapper: Mapper[Any] = sa_inspect(model)
    instance: M = mapper.class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    return instance


def escape_like(text: str) -> str:
    """Make user text literal inside a LIKE pattern (used with escape="\\")."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder (instance/ on a fresh clone); migrations
    call this before they connect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, pool_timeout: float = 30) -> AsyncEngine:
    """An engine tuned per backend: SQLite gets WAL, foreign keys and a small fixed pool.

    It creates nothing on disk: a missing folder is the migration's job (and /health's 503).
    """
    if not url.startswith("sqlite"):
        return create_async_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=5, pool_timeout=pool_timeout
        )
    # A small fixed pool: the default kept opening new aiosqlite threads (perf-facts.md).
    engine = create_async_engine(
        url, pool_size=4, max_overflow=0, pool_timeout=pool_timeout, connect_args={"timeout": 15}
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # The driver would BEGIN (deferred) before its first write; Database.writing says BEGIN
    # IMMEDIATE itself, and reads outside it run in autocommit as they did before.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked on every connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def init_app(app: Quart) -> None:
    database = Database(
        app.config["DATABASE_URL"], pool_timeout=app.config.get("DATABASE_POOL_TIMEOUT", 30)
    )
    app.extensions["database"] = database
    app.teardown_appcontext(_close_session)
    app.after_serving(database.dispose)


def get_database(app: Quart | None = None) -> Database:
    return (app or current_app).extensions["database"]


def get_session() -> AsyncSession:
    """The request's session, made on first use and closed when the request ends."""
    session: AsyncSession | None = g.get("db_session")
    if session is None:
        session = get_database().sessionmaker()
        g.db_session = session
    return session


async def close_request_session() -> None:
    """Close the request's session now, giving its connection back: a response that streams
    for minutes (a live game's SSE) must not hold one."""
    session: AsyncSession | None = g.pop("db_session", None)
    if session is not None:
        await session.close()


async def _close_session(_exc: Any) -> None:
    await close_request_session()
