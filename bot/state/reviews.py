"""/verify: the last recorded review of each store document, shared by replicas (the file itself is not edited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from bot.state.db import State
from bot.state.sql import insert
from bot.state.tables import reviews


@dataclass(frozen=True, slots=True)
class Review:
    path: str
    reviewed_on: dt.date
    reviewed_by: str | None
    reviewed_at: dt.datetime


async def record(state: State, path: str, *, on: dt.date, by: str | None, now: dt.datetime) -> None:
    """Record a review of ``path`` on ``on``; a later review replaces an earlier one."""
    values = {"reviewed_on": on, "reviewed_by": by, "reviewed_at": now}
    stmt = (
        insert(state, reviews).values(path=path, **values).on_conflict_do_update(index_elements=["path"], set_=values)
    )
    async with state.begin() as conn:
        await conn.execute(stmt)


async def all_reviews(state: State) -> dict[str, Review]:
    async with state.engine.connect() as conn:
        rows = (await conn.execute(sa.select(reviews))).all()
    return {r.path: Review(r.path, r.reviewed_on, r.reviewed_by, r.reviewed_at) for r in rows}


async def reviewed_days(state: State) -> dict[str, dt.date]:
    """Document path -> the day of its last recorded review, as :mod:`bot.store.review` takes them."""
    return {path: review.reviewed_on for path, review in (await all_reviews(state)).items()}


async def review_of(state: State, path: str) -> Review | None:
    async with state.engine.connect() as conn:
        row = (await conn.execute(sa.select(reviews).where(reviews.c.path == path))).first()
    return Review(row.path, row.reviewed_on, row.reviewed_by, row.reviewed_at) if row else None
