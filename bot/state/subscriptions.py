"""Subscriptions to the daily briefing: those declared in config (read-only) and those made from chat.

Chat subscriptions live only here. Config ones are mirrored here too, but only so their pause (after a permanent
delivery failure) and its reason are shared by every replica and survive restarts; their schedule always comes
from the config file itself. One subscription per (target, deal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa

from bot.config import SubscriptionConfig
from bot.state.db import State
from bot.state.sql import insert
from bot.state.tables import subscriptions

CONFIG = "config"
CHAT = "chat"


@dataclass(frozen=True, slots=True)
class Subscription:
    target: str
    deal: str
    time: str  # HH:MM, local wall-clock time
    timezone: str
    days: tuple[str, ...]  # mon..sun
    skip_dates: tuple[dt.date, ...] = ()
    source: str = CHAT
    paused: bool = False
    paused_reason: str | None = None
    created_by: str | None = None
    created_at: dt.datetime | None = None
    language: str | None = None  # the briefing's language; None: the channel's (config), else the bot's

    @property
    def key(self) -> str:
        return f"{self.target}|{self.deal}"

    @property
    def read_only(self) -> bool:
        return self.source == CONFIG

    @classmethod
    def from_config(cls, sub: SubscriptionConfig) -> Subscription:
        return cls(
            sub.target,
            sub.deal,
            sub.time,
            sub.timezone,
            tuple(sub.days),
            tuple(sub.skip_dates),
            CONFIG,
            language=sub.language,
        )


async def effective(state: State, configured: Iterable[SubscriptionConfig]) -> list[Subscription]:
    """Every subscription this replica should run: config ones (with their shared pause state), then chat ones
    whose (target, deal) config does not already declare. Sorted by target and deal."""
    rows = {s.key: s for s in await _all(state)}
    result: dict[str, Subscription] = {}
    for conf in configured:
        sub = Subscription.from_config(conf)
        mirror = rows.get(sub.key)
        if mirror is not None:
            sub = replace(sub, paused=mirror.paused, paused_reason=mirror.paused_reason, created_at=mirror.created_at)
        result[sub.key] = sub
    for key, row in rows.items():
        if row.source == CHAT and key not in result:
            result[key] = row
    return sorted(result.values(), key=lambda s: (s.target, s.deal))


async def mirror_config(state: State, configured: Sequence[SubscriptionConfig], *, now: dt.datetime) -> None:
    """Make sure each config subscription has its row (for pauses); never touches an existing row's pause."""
    if not configured:
        return
    async with state.begin() as conn:
        for conf in configured:
            sub = Subscription.from_config(conf)
            values = _values(sub, now) | {"created_at": now}
            stmt = insert(state, subscriptions).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["target", "deal"],
                set_={
                    k: values[k] for k in ("time", "timezone", "days", "skip_dates", "source", "language", "updated_at")
                },
                where=_differs(sub),
            )
            await conn.execute(stmt)


async def upsert(state: State, sub: Subscription, *, now: dt.datetime) -> None:
    """Create or change a chat subscription (and lift any pause: the admin has just checked the channel)."""
    values = _values(sub, now) | {"created_at": now, "created_by": sub.created_by}
    stmt = insert(state, subscriptions).values(**values)
    changed = {k: values[k] for k in ("time", "timezone", "days", "skip_dates", "language", "updated_at", "created_by")}
    stmt = stmt.on_conflict_do_update(
        index_elements=["target", "deal"],
        set_=changed | {"paused": False, "paused_reason": None, "paused_at": None},
        where=subscriptions.c.source == CHAT,
    )
    async with state.begin() as conn:
        await conn.execute(stmt)


async def delete(state: State, target: str, deal: str) -> bool:
    async with state.begin() as conn:
        result = await conn.execute(
            subscriptions.delete().where(
                subscriptions.c.target == target, subscriptions.c.deal == deal, subscriptions.c.source == CHAT
            )
        )
    return bool(result.rowcount)


async def pause(state: State, target: str, deal: str, reason: str, *, now: dt.datetime) -> bool:
    """Pause a subscription; True only for the one caller that paused it (so the maintainers hear once)."""
    async with state.begin() as conn:
        result = await conn.execute(
            subscriptions.update()
            .where(subscriptions.c.target == target, subscriptions.c.deal == deal, subscriptions.c.paused.is_(False))
            .values(paused=True, paused_reason=reason[:2000], paused_at=now, updated_at=now)
        )
    return bool(result.rowcount == 1)


async def resume(state: State, target: str, deal: str, *, now: dt.datetime) -> bool:
    async with state.begin() as conn:
        result = await conn.execute(
            subscriptions.update()
            .where(subscriptions.c.target == target, subscriptions.c.deal == deal, subscriptions.c.paused.is_(True))
            .values(paused=False, paused_reason=None, paused_at=None, updated_at=now)
        )
    return bool(result.rowcount == 1)


async def _all(state: State) -> list[Subscription]:
    async with state.engine.connect() as conn:
        rows = (await conn.execute(sa.select(subscriptions))).all()
    return [_from_row(r._mapping) for r in rows]


def _from_row(m: sa.RowMapping) -> Subscription:
    skip = tuple(dt.date.fromisoformat(d) for d in m["skip_dates"].split(",") if d)
    return Subscription(
        target=m["target"],
        deal=m["deal"],
        time=m["time"],
        timezone=m["timezone"],
        days=tuple(d for d in m["days"].split(",") if d),
        skip_dates=skip,
        source=m["source"],
        paused=bool(m["paused"]),
        paused_reason=m["paused_reason"],
        created_by=m["created_by"],
        created_at=m["created_at"],
        language=m["language"],
    )


def _values(sub: Subscription, now: dt.datetime) -> dict[str, object]:
    return {
        "target": sub.target,
        "deal": sub.deal,
        "time": sub.time,
        "timezone": sub.timezone,
        "days": ",".join(sub.days),
        "skip_dates": ",".join(d.isoformat() for d in sorted(sub.skip_dates)),
        "source": sub.source,
        "language": sub.language,
        "updated_at": now,
    }


def _differs(sub: Subscription) -> sa.ColumnElement[bool]:
    return sa.or_(
        subscriptions.c.time != sub.time,
        subscriptions.c.timezone != sub.timezone,
        subscriptions.c.days != ",".join(sub.days),
        subscriptions.c.skip_dates != ",".join(d.isoformat() for d in sorted(sub.skip_dates)),
        subscriptions.c.source != CONFIG,
        subscriptions.c.language.is_distinct_from(sub.language),
    )
