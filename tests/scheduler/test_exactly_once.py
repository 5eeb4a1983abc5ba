"""Two schedulers (replicas) on one state database, same subscriptions: every briefing posted exactly once.

Each test runs on SQLite (two schedulers in one process, each with its own engine) and on a real PostgreSQL.
The two-*process* version is in test_replica_processes.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

from bot.state import claims, open_state
from bot.state.claims import Outcome, PostState
from tests.scheduler.conftest import Harness, sub
from tests.scheduler.helpers import crash_at

UTC = dt.UTC
NOON = dt.datetime(2025, 5, 5, 12, 0, tzinfo=UTC)  # 08:00 in Toronto, 13:00 in London
SUBS = [
    sub("slack:T1:C1", time="08:00", timezone="America/Toronto"),
    sub("slack:T1:C2", time="13:00", timezone="Europe/London"),
    sub("slack:T1:@U1", time="08:00", timezone="America/Toronto"),  # a direct message
]
TARGETS = ("slack:T1:C1", "slack:T1:C2", "slack:T1:@U1")


def keys(day: str) -> set[str]:
    return {f"{t}|canada-us|{day}" for t in TARGETS}


async def test_side_by_side_for_a_week_each_briefing_exactly_once(any_harness: Harness) -> None:
    h = any_harness
    h.clock.reset(NOON - dt.timedelta(hours=1))
    await h.scheduler(SUBS)
    await h.scheduler(SUBS)
    await h.run_until(NOON + dt.timedelta(days=6, hours=1))  # Monday to Sunday; weekdays only
    counts = Counter(h.delivery.keys())
    weekdays = ("2025-05-05", "2025-05-06", "2025-05-07", "2025-05-08", "2025-05-09")
    assert counts == Counter({k: 1 for day in weekdays for k in keys(day)})
    assert {p.state for p in await h.log()} == {PostState.SENT}


async def test_replica_killed_after_claiming_the_other_posts_each_once(any_harness: Harness) -> None:
    h = any_harness
    h.clock.reset(NOON - dt.timedelta(minutes=5))
    kill = crash_at("after_claim")
    doomed = await h.scheduler(SUBS, kill=kill)
    survivor = await h.scheduler(SUBS)
    await h.run_until(NOON, doomed)  # the doomed replica is first to the minute: claims all three, then dies
    assert len(kill.hits) == 3 and h.delivery.posts == []
    await doomed.stop()
    await h.run_until(NOON + dt.timedelta(minutes=10), survivor)
    assert Counter(h.delivery.keys()) == Counter(keys("2025-05-05"))
    log = await h.log()
    assert {(p.state, p.attempts) for p in log} == {(PostState.SENT, 2)}  # each one taken over once
    assert all(p.at >= NOON + dt.timedelta(minutes=2) for p in h.delivery.posts)  # after the lease, not before


async def test_replica_killed_after_the_platform_accepted_nothing_is_posted_twice(any_harness: Harness) -> None:
    h = any_harness
    h.clock.reset(NOON - dt.timedelta(minutes=5))
    doomed = await h.scheduler(SUBS, kill=crash_at("after_deliver"))
    survivor = await h.scheduler(SUBS)
    await h.run_until(NOON, doomed)
    assert len(h.delivery.posts) == 3  # accepted by the platform, never marked sent
    await doomed.stop()
    await h.run_until(NOON + dt.timedelta(days=1, minutes=10), survivor)  # and the next day as usual
    assert Counter(h.delivery.keys()) == Counter(keys("2025-05-05") | keys("2025-05-06"))
    monday = [p for p in await h.log() if p.local_date == dt.date(2025, 5, 5)]
    assert {p.state for p in monday} == {PostState.SENT}
    assert sorted(p.message_id or "" for p in monday) == ["m1", "m2", "m3"]  # the ids of the first posts


async def test_the_scheduler_starts_once_however_often_start_is_called(harness: Harness) -> None:
    harness.clock.reset(NOON - dt.timedelta(minutes=5))
    scheduler = await harness.scheduler(SUBS[:1])
    await scheduler.start()  # a platform reconnect calling start again must not add a second set of jobs
    await scheduler.start()
    await harness.run_until(NOON + dt.timedelta(minutes=5))
    assert harness.delivery.keys() == ["slack:T1:C1|canada-us|2025-05-05"]
    assert [k for k, _ in scheduler.results] == ["slack:T1:C1|canada-us|2025-05-05"]


async def test_concurrent_claims_have_exactly_one_winner_and_takeover_needs_an_expired_lease(db_url: str) -> None:
    states = [await open_state(db_url) for _ in range(5)]
    try:
        when = NOON
        fields: dict[str, Any] = {
            "kind": "brief",
            "target": "slack:T1:C1",
            "deal": "canada-us",
            "local_date": dt.date(2025, 5, 5),
        }
        lease = dt.timedelta(minutes=2)
        results = await asyncio.gather(
            *(claims.claim(s, "k", **fields, claimant=f"r{i}", now=when, lease=lease) for i, s in enumerate(states))
        )
        assert sorted(r.outcome for r in results) == [Outcome.BUSY] * 4 + [Outcome.WON]
        winner = next(str(r.post.claimant) for r in results if r.outcome is Outcome.WON)
        later = when + dt.timedelta(minutes=1)
        assert (await claims.claim(states[0], "k", **fields, claimant="x", now=later, lease=lease)).outcome is (
            Outcome.BUSY
        )
        expired = when + dt.timedelta(minutes=3)
        takers = await asyncio.gather(
            *(claims.claim(s, "k", **fields, claimant=f"t{i}", now=expired, lease=lease) for i, s in enumerate(states))
        )
        assert sorted(t.outcome for t in takers) == [Outcome.BUSY] * 4 + [Outcome.TAKEN_OVER]
        assert not await claims.mark_sending(states[0], "k", winner, now=expired, lease=lease)  # the dead one lost it
    finally:
        for s in states:
            await s.close()
