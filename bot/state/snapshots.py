"""Snapshots of posted briefings, one per (target, deal, local date); the latest before a date is "previous".

Only a posted briefing saves one (the scheduler, and /brief reissue which replaces that day's); on-demand
briefings read them and never write. A few are kept per channel so a reissue can still diff against the day before.
The JSON in a row is ``bot.briefing.snapshot_model``'s; a row this release cannot read counts as no snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from bot.briefing.snapshot_model import Snapshot, from_json, to_json
from bot.state.db import State
from bot.state.sql import insert
from bot.state.tables import snapshots

KEEP_PER_CHANNEL = 8


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    target: str
    deal: str
    local_date: dt.date
    post_key: str
    data: Snapshot


async def save(
    state: State, target: str, deal: str, local_date: dt.date, data: Snapshot, *, post_key: str, now: dt.datetime
) -> None:
    body = to_json(data)
    stmt = insert(state, snapshots).values(
        target=target, deal=deal, local_date=local_date, post_key=post_key, data=body, created_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["target", "deal", "local_date"],
        set_={"data": body, "post_key": post_key, "created_at": now},
    )
    async with state.begin() as conn:
        await conn.execute(stmt)
        kept = (
            sa.select(snapshots.c.local_date)
            .where(snapshots.c.target == target, snapshots.c.deal == deal)
            .order_by(snapshots.c.local_date.desc())
            .limit(KEEP_PER_CHANNEL)
        )
        oldest_kept = (await conn.execute(kept)).scalars().all()
        if len(oldest_kept) == KEEP_PER_CHANNEL:
            await conn.execute(
                snapshots.delete().where(
                    snapshots.c.target == target, snapshots.c.deal == deal, snapshots.c.local_date < oldest_kept[-1]
                )
            )


async def previous(state: State, target: str, deal: str, *, before: dt.date) -> StoredSnapshot | None:
    """The snapshot of the channel's last posted briefing before ``before`` (None when there is none, or when it
    was saved in a format this release cannot diff against: the briefing then reports recent days instead)."""
    query = (
        sa.select(snapshots)
        .where(snapshots.c.target == target, snapshots.c.deal == deal, snapshots.c.local_date < before)
        .order_by(snapshots.c.local_date.desc())
        .limit(1)
    )
    async with state.engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return None
    m = row._mapping
    data = from_json(m["data"])
    return StoredSnapshot(m["target"], m["deal"], m["local_date"], m["post_key"], data) if data is not None else None
