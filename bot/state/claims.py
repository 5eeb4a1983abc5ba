"""The post log: one row per post, claimed under a unique key before anything is sent.

Exactly once, across replicas and crashes:

- ``claim`` inserts the row with ``INSERT ... ON CONFLICT DO NOTHING RETURNING``; only the replica whose insert
  returned a row posts. Everyone else sees the row and stops, or waits for its lease.
- The row moves ``claimed -> sending -> sent`` (or ``failed``, ``skipped``, ``uncertain``), each move a
  conditional ``UPDATE`` that names the claimant, so a replica that lost its claim cannot overwrite the winner.
- A claimant that dies leaves a lease that expires. The next replica takes the claim over with a conditional
  ``UPDATE ... WHERE lease_until < now AND claimant = <the dead one>`` (one taker wins). A claim taken over in
  ``sending`` may already be posted: the taker must look for the post by its key before posting again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.state.db import State
from bot.state.sql import insert
from bot.state.tables import posts


class PostState(StrEnum):
    CLAIMED = "claimed"  # a replica owns it; nothing sent yet
    SENDING = "sending"  # the platform call has started: the post may exist
    SENT = "sent"
    FAILED = "failed"  # delivery failed for good (permanent error, or transient beyond the retries)
    SKIPPED = "skipped"  # not posted on purpose: missed beyond the grace window, paused
    UNCERTAIN = "uncertain"  # a crash while sending, and the platform cannot be asked whether it went out


OPEN_STATES = (PostState.CLAIMED, PostState.SENDING)


class Outcome(StrEnum):
    WON = "won"  # a fresh claim: post
    TAKEN_OVER = "taken_over"  # a dead replica's claim, taken before it sent: post
    TAKEN_OVER_SENDING = "taken_over_sending"  # it died while sending: look for the post before posting
    DONE = "done"  # already sent, failed or skipped: do nothing
    BUSY = "busy"  # another replica holds a live lease: wait for it, or leave it


@dataclass(frozen=True, slots=True)
class Post:
    key: str
    kind: str
    target: str
    deal: str
    local_date: dt.date
    state: PostState
    claimant: str | None
    lease_until: dt.datetime | None
    scheduled_for: dt.datetime | None
    message_id: str | None
    attempts: int
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    edited_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: Outcome
    post: Post

    @property
    def mine(self) -> bool:
        return self.outcome in (Outcome.WON, Outcome.TAKEN_OVER, Outcome.TAKEN_OVER_SENDING)


async def claim(
    state: State,
    key: str,
    *,
    kind: str,
    target: str,
    deal: str,
    local_date: dt.date,
    claimant: str,
    now: dt.datetime,
    lease: dt.timedelta,
    scheduled_for: dt.datetime | None = None,
) -> Claim:
    """Claim ``key`` for ``claimant``, or take over an expired claim, or say who has it."""
    values = {
        "key": key,
        "kind": kind,
        "target": target,
        "deal": deal,
        "local_date": local_date,
        "state": PostState.CLAIMED.value,
        "claimant": claimant,
        "lease_until": now + lease,
        "scheduled_for": scheduled_for,
        "attempts": 1,
        "created_at": now,
        "updated_at": now,
    }
    async with state.begin() as conn:
        stmt = insert(state, posts).values(**values).on_conflict_do_nothing().returning(posts.c.key)
        if (await conn.execute(stmt)).first() is not None:
            return Claim(Outcome.WON, await _get(conn, key))
        current = await _get(conn, key)
        if current.state not in OPEN_STATES:
            return Claim(Outcome.DONE, current)
        if current.lease_until is not None and current.lease_until > now:
            return Claim(Outcome.BUSY, current)
        taken = await conn.execute(
            posts.update()
            .where(
                posts.c.key == key,
                posts.c.state == current.state.value,
                posts.c.claimant == current.claimant,
                posts.c.lease_until < now,
            )
            .values(claimant=claimant, lease_until=now + lease, attempts=posts.c.attempts + 1, updated_at=now)
        )
        after = await _get(conn, key)
    if taken.rowcount != 1:  # another replica took it first
        return Claim(Outcome.DONE if after.state not in OPEN_STATES else Outcome.BUSY, after)
    outcome = Outcome.TAKEN_OVER if current.state is PostState.CLAIMED else Outcome.TAKEN_OVER_SENDING
    return Claim(outcome, after)


async def renew(state: State, key: str, claimant: str, *, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Extend a live claim (between delivery retries); False if it is no longer ours."""
    return await _move(state, key, claimant, OPEN_STATES, lease_until=now + lease, updated_at=now)


async def mark_sending(state: State, key: str, claimant: str, *, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Just before the platform call. False means the claim was lost (our lease ran out and someone took it)."""
    return await _move(
        state, key, claimant, OPEN_STATES, state=PostState.SENDING.value, lease_until=now + lease, updated_at=now
    )


async def finish(
    state: State,
    key: str,
    claimant: str,
    outcome: PostState,
    *,
    now: dt.datetime,
    message_id: str | None = None,
    error: str | None = None,
) -> bool:
    """Close a claim as sent, failed or uncertain (only the claimant can)."""
    assert outcome not in OPEN_STATES
    return await _move(
        state,
        key,
        claimant,
        OPEN_STATES,
        state=outcome.value,
        message_id=message_id,
        error=error[:2000] if error else None,
        lease_until=None,
        updated_at=now,
    )


async def record_skipped(
    state: State,
    key: str,
    *,
    kind: str,
    target: str,
    deal: str,
    local_date: dt.date,
    reason: str,
    now: dt.datetime,
    scheduled_for: dt.datetime | None = None,
) -> bool:
    """Record a post deliberately not made; False if the key already has a row (posted, or skipped before)."""
    values = {
        "key": key,
        "kind": kind,
        "target": target,
        "deal": deal,
        "local_date": local_date,
        "state": PostState.SKIPPED.value,
        "scheduled_for": scheduled_for,
        "attempts": 0,
        "error": reason,
        "created_at": now,
        "updated_at": now,
    }
    async with state.begin() as conn:
        stmt = insert(state, posts).values(**values).on_conflict_do_nothing().returning(posts.c.key)
        return (await conn.execute(stmt)).first() is not None


async def mark_edited(state: State, key: str, *, message_id: str, now: dt.datetime) -> None:
    """A sent post edited in place (/brief reissue)."""
    async with state.begin() as conn:
        await conn.execute(
            posts.update().where(posts.c.key == key).values(message_id=message_id, edited_at=now, updated_at=now)
        )


async def get(state: State, key: str) -> Post | None:
    async with state.engine.connect() as conn:
        row = (await conn.execute(sa.select(posts).where(posts.c.key == key))).first()
    return _post(row) if row else None


async def history(state: State, *, target: str | None = None, deal: str | None = None, limit: int = 100) -> list[Post]:
    """Posts newest first, optionally for one target and deal."""
    query = sa.select(posts).order_by(posts.c.local_date.desc(), posts.c.id.desc()).limit(limit)
    if target is not None:
        query = query.where(posts.c.target == target)
    if deal is not None:
        query = query.where(posts.c.deal == deal)
    async with state.engine.connect() as conn:
        return [_post(r) for r in (await conn.execute(query)).all()]


async def last_sent(state: State, target: str, deal: str, *, kind: str = "brief") -> Post | None:
    query = (
        sa.select(posts)
        .where(posts.c.target == target, posts.c.deal == deal, posts.c.kind == kind, posts.c.state == "sent")
        .order_by(posts.c.local_date.desc(), posts.c.id.desc())
        .limit(1)
    )
    async with state.engine.connect() as conn:
        row = (await conn.execute(query)).first()
    return _post(row) if row else None


async def _move(db: State, key: str, claimant: str, from_states: tuple[PostState, ...], **values: object) -> bool:
    async with db.begin() as conn:
        result = await conn.execute(
            posts.update()
            .where(
                posts.c.key == key,
                posts.c.claimant == claimant,
                posts.c.state.in_([s.value for s in from_states]),
            )
            .values(**values)
        )
    return bool(result.rowcount == 1)


async def _get(conn: AsyncConnection, key: str) -> Post:
    row = (await conn.execute(sa.select(posts).where(posts.c.key == key))).one()
    return _post(row)


def _post(row: sa.Row[tuple[object, ...]]) -> Post:
    m = row._mapping
    return Post(
        key=m["key"],
        kind=m["kind"],
        target=m["target"],
        deal=m["deal"],
        local_date=m["local_date"],
        state=PostState(m["state"]),
        claimant=m["claimant"],
        lease_until=m["lease_until"],
        scheduled_for=m["scheduled_for"],
        message_id=m["message_id"],
        attempts=m["attempts"],
        error=m["error"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        edited_at=m["edited_at"],
    )
