"""A chaos run: two replicas (schedulers with their own engines and claimants) on one state database, posting
daily briefings for a week to a platform that misbehaves at random, on a controlled clock.

The faults are the ones that once made a second post or lost one: the connection drops after the platform
recorded the post; the platform records it only some time after the caller gave up (a late commit); a 429 whose
Retry-After outlasts the lease; a 5xx that did not post; and a replica that dies after claiming or after the
platform accepted its post. Used by tests/scheduler/test_chaos.py (bounded) and ``python -m bench.chaos`` (longer).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from bot.config import BUNDLED_STORE, SubscriptionConfig
from bot.errors import TransientDeliveryError
from bot.reply import Reply
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.state import State, claims, open_state
from bot.store import load_store
from bot.targets import Target
from tests.scheduler.helpers import ControlledClock, SimulatedCrash, apscheduler_clock

UTC = dt.UTC
START = dt.datetime(2025, 5, 5, 11, 0, tzinfo=UTC)  # a Monday, an hour before 08:00 in Toronto
TARGETS = ("slack:T1:C1", "slack:T1:C2", "slack:T1:@U1")
SUBS = [
    SubscriptionConfig(target="slack:T1:C1", deal="canada-us", time="08:00", timezone="America/Toronto"),
    SubscriptionConfig(target="slack:T1:C2", deal="canada-us", time="13:00", timezone="Europe/London"),
    SubscriptionConfig(target="slack:T1:@U1", deal="canada-us", time="08:00", timezone="America/Toronto"),
]
OPTIONS = SchedulerOptions(grace_minutes=30, lease_seconds=120, retry_base_delay=1.0, late_commit_seconds=90)
FAULTS = ("ok", "ok", "ok", "drop", "late", "ratelimit", "server_error", "crash_after_claim", "crash_after_post")


@dataclass
class Visible:
    key: str
    target: str
    message_id: str
    visible_at: dt.datetime


@dataclass
class ChaosPlatform:
    """Records every post it accepts (some only become visible later); fails at random, by a seeded RNG."""

    clock: ControlledClock
    rng: random.Random
    platform: str = "slack"
    posts: list[Visible] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)

    def _record(self, target: Target, key: str, delay: float = 0.0) -> str:
        message_id = f"m{len(self.posts) + 1}"
        when = self.clock.now() + dt.timedelta(seconds=delay)
        self.posts.append(Visible(key, str(target), message_id, when))
        return message_id

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        fault = self.rng.choice(FAULTS)
        self.faults[fault] += 1
        if fault == "drop":  # recorded; the answer never arrives
            self._record(target, key)
            raise TransientDeliveryError("connection dropped", uncertain=True)
        if fault == "late":  # recorded a while after the caller gave up
            self._record(target, key, delay=self.rng.uniform(5, 60))
            raise TransientDeliveryError("timed out", uncertain=True)
        if fault == "ratelimit":
            raise TransientDeliveryError("rate limited", retry_after=self.rng.uniform(60, 360))
        if fault == "server_error":  # a 5xx that did not post (the poster cannot know that)
            raise TransientDeliveryError("503", uncertain=True)
        if fault == "crash_after_claim":  # the replica dies before the platform sees anything
            raise SimulatedCrash(fault)
        message_id = self._record(target, key)
        if fault == "crash_after_post":  # the replica dies after the platform accepted the post
            raise SimulatedCrash(fault)
        return message_id

    async def find_post(self, target: Target, key: str) -> str | None:
        now = self.clock.now()
        return next(
            (p.message_id for p in self.posts if p.key == key and p.target == str(target) and p.visible_at <= now),
            None,
        )


@dataclass
class ReplicaLink:
    """One replica's connection to the platform: a crash inside a call marks the replica dead (as a SIGKILL would)."""

    shared: ChaosPlatform
    platform: str = "slack"
    crashed: bool = False

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        try:
            return await self.shared.deliver(target, reply, key)
        except SimulatedCrash:
            self.crashed = True
            raise

    async def find_post(self, target: Target, key: str) -> str | None:
        return await self.shared.find_post(target, key)


@dataclass
class ChaosReport:
    expected: int  # (target, local date) pairs that were due
    posted: int  # pairs with exactly one post
    lost: int  # pairs with no post at all
    duplicated: int  # pairs with more than one post
    faults: Counter[str]


async def run_chaos(url: str, *, seed: int, days: int = 5) -> ChaosReport:
    """Two replicas, ``days`` weekdays from Monday 5 May 2025, one misbehaving platform."""
    clock = ControlledClock(START)
    store = load_store(BUNDLED_STORE)
    platform = ChaosPlatform(clock, random.Random(seed))
    states: list[State] = []
    replicas: list[tuple[BriefingScheduler, ReplicaLink]] = []

    async def start_replica() -> tuple[BriefingScheduler, ReplicaLink]:
        state = await open_state(url)
        states.append(state)

        async def opened() -> State:
            return state

        link = ReplicaLink(platform)
        scheduler = BriefingScheduler(
            open_state=opened,
            store=lambda: store,
            deliveries={"slack": link},
            configured=SUBS,
            options=OPTIONS,
            now=clock.now,
            sleep=clock.sleep,
        )
        await scheduler.start()  # catches up on today's briefing if it is still due: a restart does the same
        return scheduler, link

    async def settle() -> None:
        """Let every replica finish what it started; restart the ones that died (an orchestrator would)."""
        for _ in range(20):
            await asyncio.gather(*(s.idle() for s, _ in replicas), return_exceptions=True)
            dead = [i for i, (_, link) in enumerate(replicas) if link.crashed]
            if not dead:
                return
            for i in dead:
                await replicas[i][0].stop()
                replicas[i] = await start_replica()

    with apscheduler_clock(clock):
        try:
            replicas.extend([await start_replica(), await start_replica()])
            until = START + dt.timedelta(days=days - 1, hours=4)
            while (
                step := min(filter(None, (s.next_fire_time() for s, _ in replicas)), default=None)
            ) and step <= until:
                clock.set(max(step, clock.now()))
                await asyncio.gather(*(s.run_pending() for s, _ in replicas), return_exceptions=True)
                await settle()
            log = await claims.history(states[0], limit=10_000)
        finally:
            for scheduler, _ in replicas:
                await scheduler.stop()
            for state in states:
                await state.close()
    counts = Counter(p.key for p in platform.posts)
    due = {p.key for p in log}
    return ChaosReport(
        expected=len(due),
        posted=sum(1 for k in due if counts[k] == 1),
        lost=sum(1 for k in due if counts[k] == 0),
        duplicated=sum(1 for k in counts if counts[k] > 1),
        faults=platform.faults,
    )
