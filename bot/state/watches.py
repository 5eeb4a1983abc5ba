"""/watch: targets alerted when a topic changes. ``seen`` is the topic as last alerted (JSON), shared by replicas."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.state.db import State
from bot.state.sql import insert
from bot.state.tables import watches


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    target: str
    deal: str
    topic: str
    seen: dict[str, Any] | None
    created_by: str | None


async def add(state: State, target: str, deal: str, topic: str, *, created_by: str | None, now: dt.datetime) -> bool:
    """False if that target already watches that topic."""
    stmt = (
        insert(state, watches)
        .values(target=target, deal=deal, topic=topic, created_by=created_by, created_at=now)
        .on_conflict_do_nothing()
        .returning(watches.c.id)
    )
    async with state.begin() as conn:
        return (await conn.execute(stmt)).first() is not None


async def remove(state: State, target: str, deal: str, topic: str) -> bool:
    async with state.begin() as conn:
        result = await conn.execute(
            watches.delete().where(watches.c.target == target, watches.c.deal == deal, watches.c.topic == topic)
        )
    return bool(result.rowcount)


async def all_watches(state: State, *, target: str | None = None) -> list[Watch]:
    query = sa.select(watches).order_by(watches.c.target, watches.c.deal, watches.c.topic)
    if target is not None:
        query = query.where(watches.c.target == target)
    async with state.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [Watch(r.id, r.target, r.deal, r.topic, json.loads(r.seen) if r.seen else None, r.created_by) for r in rows]


async def mark_seen(state: State, watch_id: int, seen: dict[str, Any]) -> None:
    async with state.begin() as conn:
        await conn.execute(
            watches.update().where(watches.c.id == watch_id).values(seen=json.dumps(seen, sort_keys=True))
        )
