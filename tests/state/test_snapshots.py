"""Snapshots in the state database: typed going in, typed coming out, and rows saved by older releases still read."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.briefing.snapshot import diff, take_snapshot
from bot.briefing.snapshot_model import Snapshot
from bot.config import BUNDLED_STORE
from bot.state import open_state, snapshots
from bot.state.tables import snapshots as snapshots_table
from bot.store import load_store

TARGET = "slack:T1:C1"
DAY = dt.date(2025, 5, 5)
NOW = dt.datetime(2025, 5, 5, 12, 0, tzinfo=dt.UTC)


def bundled_snapshot() -> Snapshot:
    store = load_store(BUNDLED_STORE)
    return take_snapshot(store, store.deals["canada-us"], viewer=TARGET)


async def write_row(url: str, body: str) -> snapshots.StoredSnapshot | None:
    """Write ``body`` as an older release would have (raw JSON text), then read it back the way a briefing does."""
    state = await open_state(url)
    try:
        async with state.engine.begin() as conn:
            await conn.execute(
                snapshots_table.insert().values(
                    target=TARGET, deal="canada-us", local_date=DAY, post_key="k", data=body, created_at=NOW
                )
            )
        return await snapshots.previous(state, TARGET, "canada-us", before=DAY + dt.timedelta(days=1))
    finally:
        await state.close()


async def test_a_saved_snapshot_reads_back_equal(db_url: str) -> None:
    current = bundled_snapshot()
    state = await open_state(db_url)
    try:
        await snapshots.save(state, TARGET, "canada-us", DAY, current, post_key="k", now=NOW)
        stored = await snapshots.previous(state, TARGET, "canada-us", before=DAY + dt.timedelta(days=1))
    finally:
        await state.close()
    assert stored is not None and stored.data == current and stored.post_key == "k"
    assert diff(stored.data, current).lines == ()


async def test_a_snapshot_saved_before_visible_hash_existed_still_loads_and_diffs(db_url: str) -> None:
    current = bundled_snapshot()
    old = json.loads(json.dumps(current))
    dropped = [doc.pop("visible_hash") for doc in old["documents"].values() if "visible_hash" in doc]
    assert dropped  # the event log had one: the old shape really differs
    stored = await write_row(db_url, json.dumps(old))
    assert stored is not None and stored.data == old
    assert diff(stored.data, current).lines == ()  # the event log is compared by its whole-file hash, unchanged


@pytest.mark.parametrize(
    "body",
    [
        '{"v": 2, "deal": "canada-us"}',  # a format this release does not know
        '{"v": 1, "deal": "canada-us", "tracks": []}',  # cut short
        "not json",
    ],
)
async def test_a_row_that_does_not_read_as_a_snapshot_counts_as_none(db_url: str, body: str) -> None:
    assert await write_row(db_url, body) is None
