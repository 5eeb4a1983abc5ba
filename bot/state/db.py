"""Opening the state database: engine, migrations at start (under a lock), and the small kv store."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.errors import ConfigError
from bot.state.sql import dialect_insert
from bot.state.tables import kv

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_ID = 0x42_52_49_45  # "BRIE": one pg advisory lock, so replicas starting together migrate once
MIGRATION_LOCK_TIMEOUT = 120.0  # seconds a replica waits for another one's SQLite migration before giving up
COMMAND_CONNECTIONS = 16  # the commands' pool (the router runs at most max_concurrent_commands at once)
BACKGROUND_CONNECTIONS = 4  # the scheduler's and alerts' own pool
# How long a SQLite write waits for another process's (a replica's) lock before failing: as long as a connection
# pool lets a caller wait for a connection, since either wait means the same thing to the caller.
SQLITE_BUSY_TIMEOUT = 30.0


class State:
    """The bot's database. Hold one per process; it is safe for concurrent use from the event loop."""

    def __init__(
        self, engine: AsyncEngine, background: AsyncEngine | None = None, *, writes: asyncio.Lock | None = None
    ) -> None:
        self.engine = engine
        # SQLite takes one writer at a time. Writers queue here, in order, rather than in SQLite's busy handler,
        # which polls: with dozens of posts at once one could lose every race and time out ("database is locked").
        # Shared with the background pool, which writes to the same file; the busy timeout is left for other
        # processes (replicas) on that file.
        if writes is None and engine.dialect.name == "sqlite":
            writes = asyncio.Lock()
        self._writes = writes
        self._background = State(background, writes=writes) if background is not None else None

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed on leaving, rolled back on an error."""
        async with self._writes or contextlib.nullcontext(), self.engine.begin() as conn:
            yield conn

    def background(self) -> State:
        """The same database through a pool of its own, for the scheduler and alerts: a burst of commands cannot
        take every connection from them, nor they from commands. (An in-memory database has one pool.)"""
        return self._background or self

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def get(self, key: str) -> str | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(sa.select(kv.c.value).where(kv.c.key == key))).scalar_one_or_none()

    async def put(self, key: str, value: str) -> None:
        now = dt.datetime.now(dt.UTC)
        # one statement, so replicas writing the same new key at once cannot both try to insert it
        upsert = dialect_insert(self.dialect, kv).values(key=key, value=value, updated_at=now)
        upsert = upsert.on_conflict_do_update(
            index_elements=[kv.c.key], set_={"value": upsert.excluded.value, "updated_at": upsert.excluded.updated_at}
        )
        async with self.begin() as conn:
            await conn.execute(upsert)

    async def close(self) -> None:
        if self._background is not None:
            await self._background.close()
        await self.engine.dispose()


async def open_state(
    url: str,
    *,
    migrate: bool = True,
    pool: int = COMMAND_CONNECTIONS,
    background: int = BACKGROUND_CONNECTIONS,
    busy_timeout: float = SQLITE_BUSY_TIMEOUT,
) -> State:
    """Connect to ``url`` (any SQLAlchemy async URL) and bring its schema up to date.

    Two pools: ``pool`` connections for commands, ``background`` for the scheduler and alerts (``State.background``).
    """
    engine = _engine(url, pool, busy_timeout)
    database = _sqlite_file(engine)
    shared = engine.dialect.name == "sqlite" and database is None  # in memory: a second engine is another database
    background_engine = None if shared else _engine(url, background, busy_timeout)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    if migrate:
        # the lock is taken first and released after the commit, so a waiting replica finds the schema at head
        async with _sqlite_migration_lock(database), engine.begin() as conn:
            await conn.run_sync(_upgrade)
    return State(engine, background_engine)


def _engine(url: str, size: int, busy_timeout: float) -> AsyncEngine:
    try:
        engine = create_async_engine(url, pool_pre_ping=True, **_pool_options(url, size))
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"state_url '{_redact(url)}' cannot be used: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, busy_timeout)
    return engine


def _pool_options(url: str, size: int) -> dict[str, int]:
    """A queue pool of ``size`` (and as many again in overflow); SQLite in memory keeps its single-connection pool."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return {}
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or parsed.database == ":memory:"):
        return {}
    return {"pool_size": size, "max_overflow": size}


def _sqlite_file(engine: AsyncEngine) -> Path | None:
    """The database file of a SQLite engine; None for PostgreSQL, in-memory and ``file:`` URI databases."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


@contextlib.asynccontextmanager
async def _sqlite_migration_lock(database: Path | None) -> AsyncIterator[None]:
    """Hold an exclusive flock on ``<database>.migrate.lock`` while migrating, so replicas started together on a new
    SQLite file migrate one at a time (PostgreSQL takes an advisory lock in ``_upgrade`` instead).

    The kernel drops the lock when its holder exits, even on SIGKILL, so a crash leaves no stale lock; the file itself
    stays (deleting a lock file that another process may have open would let two holders in). Polled rather than
    blocking, so a waiting start-up stays cancellable and the event loop keeps running.
    """
    if database is None:
        yield
        return
    fd = os.open(database.with_name(database.name + ".migrate.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + MIGRATION_LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigError(
                        f"another process has been migrating {database} for over {MIGRATION_LOCK_TIMEOUT:.0f} s"
                    ) from None
                await asyncio.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def _sqlite_pragmas(engine: AsyncEngine, busy_timeout: float) -> None:
    @sa.event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout * 1000)}")  # two replicas on one file wait, not fail
        cursor.close()


def _redact(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unparseable URL)"
