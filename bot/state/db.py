"""Opening the state database: engine, migrations at start (under a lock), and the small kv store."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import ConfigError
from bot.state.tables import kv

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_ID = 0x42_52_49_45  # "BRIE": one pg advisory lock, so replicas starting together migrate once


class State:
    """The bot's database. Hold one per process; it is safe for concurrent use from the event loop."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def get(self, key: str) -> str | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(sa.select(kv.c.value).where(kv.c.key == key))).scalar_one_or_none()

    async def put(self, key: str, value: str) -> None:
        now = dt.datetime.now(dt.UTC)
        async with self.engine.begin() as conn:
            updated = await conn.execute(kv.update().where(kv.c.key == key).values(value=value, updated_at=now))
            if updated.rowcount == 0:
                await conn.execute(kv.insert().values(key=key, value=value, updated_at=now))

    async def close(self) -> None:
        await self.engine.dispose()


async def open_state(url: str, *, migrate: bool = True) -> State:
    """Connect to ``url`` (any SQLAlchemy async URL) and bring its schema up to date."""
    try:
        engine = create_async_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"state_url '{_redact(url)}' cannot be used: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    if migrate:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade)
    return State(engine)


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    @sa.event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA busy_timeout=5000")  # two schedulers in one file wait, not fail
        cursor.close()


def _redact(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unparseable URL)"
