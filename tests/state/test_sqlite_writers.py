"""Many posts written at once on one SQLite file: every one lands, none fails with "database is locked".

SQLite lets one writer in at a time. A write transaction here spans several awaits (claim inserts, reads the row
back, commits), so with dozens of posts at once on a busy event loop a waiter polling in SQLite's busy handler could
starve past its timeout: the fan-out benchmark at post_concurrency 64 lost runs that way. A short busy timeout makes
that contention show at once in a test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.state import State, claims, open_state
from bot.state.tables import posts

NOW = dt.datetime(2025, 5, 5, 12, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=2)


async def _post_once(state: State, n: int) -> None:
    key = f"slack:T1:C{n:03}|canada-us|2025-05-05"
    claim = await claims.claim(
        state,
        key,
        kind="brief",
        target=f"slack:T1:C{n:03}",
        deal="canada-us",
        local_date=NOW.date(),
        claimant="replica-a",
        now=NOW,
        lease=LEASE,
    )
    assert claim.mine
    await asyncio.sleep(0)  # the platform call would be here
    assert await claims.mark_sending(state, key, "replica-a", now=NOW, lease=LEASE)
    await asyncio.sleep(0)
    assert await claims.finish(state, key, "replica-a", claims.PostState.SENT, now=NOW, message_id=f"m{n}")


async def test_sixty_four_posts_at_once_through_both_pools_all_land(tmp_path: Path) -> None:
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db", pool=32, background=32, busy_timeout=0.05)
    try:
        # half through the commands' pool, half through the scheduler's: two engines on one file
        await asyncio.gather(*(_post_once(state if n % 2 else state.background(), n) for n in range(64)))
        async with state.engine.connect() as conn:
            states = (await conn.execute(sa.select(posts.c.state, sa.func.count()).group_by(posts.c.state))).all()
        assert dict(states) == {"sent": 64}
    finally:
        await state.close()


async def test_the_busy_timeout_still_bounds_a_wait_on_another_process(tmp_path: Path) -> None:
    """A lock held outside this process (another replica) is waited for up to the busy timeout, then reported."""
    import sqlite3

    database = tmp_path / "state.db"
    state = await open_state(f"sqlite+aiosqlite:///{database}", busy_timeout=0.2)
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the other replica holds the write lock and does not let go
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            await state.put("k", "v")
        other.execute("COMMIT")
        await state.put("k", "v")
        assert await state.get("k") == "v"
    finally:
        other.close()
        await state.close()
