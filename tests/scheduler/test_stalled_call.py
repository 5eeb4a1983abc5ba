"""A replica that stalls between marking a post "sending" and making the call must not post on a lapsed lease.

Found by the chaos run: while one post waited out a long Retry-After, another replica's clock passed the lease of a
post that was about to be sent; the second replica took the claim over, found nothing (the first post was a late
commit, still invisible) and posted it again. A call now starts only while its lease still covers the whole call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable

import pytest

from bot.posting import Poster, PostKind, PostOutcome, PostRequest
from bot.posting.policy import RetryPolicy
from bot.reply import Reply, Section
from bot.state import State, claims, open_state
from bot.targets import Target
from tests.scheduler.helpers import ControlledClock

START = dt.datetime(2025, 5, 5, 12, 0, tzinfo=dt.UTC)
KEY = "slack:T1:C1|canada-us|2025-05-05"
TARGET = Target.parse("slack:T1:C1")
POLICY = RetryPolicy(lease=dt.timedelta(seconds=120), call_timeout=30.0, late_commit=dt.timedelta(seconds=60))


class LeaseCheckingPlatform:
    """Records each post with whether the caller's claim still held a live lease when the call went out."""

    platform = "slack"

    def __init__(self, clock: ControlledClock, state: State) -> None:
        self.clock, self.state = clock, state
        self.calls: list[tuple[str, bool]] = []

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        post = await claims.get(self.state, key)
        live = post is not None and post.lease_until is not None and post.lease_until > self.clock.now()
        self.calls.append((key, live))
        return f"m{len(self.calls)}"

    async def find_post(self, target: Target, key: str) -> str | None:
        return f"m{len(self.calls)}" if self.calls else None


@pytest.fixture
async def state(db_url: str) -> AsyncIterator[State]:
    opened = await open_state(db_url)
    yield opened
    await opened.close()


def request() -> PostRequest:
    return PostRequest(
        kind=PostKind.BRIEFING,
        key=KEY,
        target=TARGET,
        deal="canada-us",
        local_date=START.date(),
        deadline=START + dt.timedelta(minutes=30),
        reply=Reply(title="Daily briefing", sections=(Section(text="Quiet day."),)),
    )


def poster(
    state: State,
    platform: LeaseCheckingPlatform,
    clock: ControlledClock,
    claimant: str,
    kill: Callable[[str], None] = lambda point: None,
) -> Poster:
    return Poster(
        state=state,
        deliveries={"slack": platform},
        claimant=claimant,
        now=clock.now,
        policy=POLICY,
        kill=kill,
        sleep=clock.sleep,
    )


async def test_a_stall_past_the_lease_before_the_call_renews_the_claim_before_posting(state: State) -> None:
    clock = ControlledClock(START)
    platform = LeaseCheckingPlatform(clock, state)
    stalled: list[str] = []

    def stall(point: str) -> None:  # the process freezes right before the request goes out, for > a lease
        if point == "before_call" and not stalled:
            stalled.append(point)
            clock.advance(seconds=POLICY.lease.total_seconds() + 10)

    result = await poster(state, platform, clock, "a", kill=stall).post(request())
    assert stalled == ["before_call"]
    assert result.outcome is PostOutcome.SENT
    assert platform.calls == [(KEY, True)]  # one post, made under a live lease


async def test_a_replica_that_took_the_claim_over_during_the_stall_posts_it_once(state: State) -> None:
    clock = ControlledClock(START)
    platform = LeaseCheckingPlatform(clock, state)
    stalled = asyncio.Event()

    def stall(point: str) -> None:
        if point == "before_call" and not stalled.is_set():
            clock.advance(seconds=POLICY.lease.total_seconds() + 10)
            stalled.set()

    frozen = poster(state, platform, clock, "a", kill=stall)
    other = poster(state, platform, clock, "b")
    first = asyncio.ensure_future(frozen.post(request()))
    await stalled.wait()
    second = await other.post(request())  # b finds a's lease lapsed while a is frozen before its call
    outcomes = sorted([(await first).outcome.value, second.outcome.value])
    assert len(platform.calls) == 1 and platform.calls[0][1]  # one post, made under a live lease
    assert PostOutcome.SENT.value in outcomes
