"""Restarts on a controlled clock: before, during and after the posting minute (08:00 Toronto = 12:00 UTC)."""

from __future__ import annotations

import datetime as dt

from bot.errors import TransientDeliveryError
from bot.reply import Reply
from bot.state.claims import PostState
from bot.targets import Target
from tests.scheduler.conftest import Harness, sub
from tests.scheduler.helpers import BlindDelivery, ControlledClock, Posted, RecordingDelivery, crash_at

UTC = dt.UTC
MONDAY_0800 = dt.datetime(2025, 5, 5, 12, 0, tzinfo=UTC)
SUBS = [sub("slack:T1:C1", time="08:00", timezone="America/Toronto")]
KEY = "slack:T1:C1|canada-us|2025-05-05"


def at(minutes: float) -> dt.datetime:
    return MONDAY_0800 + dt.timedelta(minutes=minutes)


async def test_restart_before_the_minute_posts_once_on_time(harness: Harness) -> None:
    harness.clock.reset(at(-60))
    first = await harness.scheduler(SUBS)
    await harness.run_until(at(-10), first)
    await first.stop()
    harness.clock.set(at(-5))
    second = await harness.scheduler(SUBS)
    await harness.run_until(at(10), second)
    assert [(p.key, p.at) for p in harness.delivery.posts] == [(KEY, MONDAY_0800)]


async def test_restart_within_grace_posts_the_missed_briefing_once(harness: Harness) -> None:
    harness.clock.reset(at(-60))
    first = await harness.scheduler(SUBS)
    await harness.run_until(at(-10), first)
    await first.stop()
    harness.clock.set(at(20))  # down across 08:00, back at 08:20: still this morning's briefing
    second = await harness.scheduler(SUBS)
    await harness.run_until(at(60), second)
    assert [(p.key, p.at) for p in harness.delivery.posts] == [(KEY, at(20))]


async def test_restart_after_the_grace_window_records_skipped_and_posts_nothing_late(harness: Harness) -> None:
    harness.clock.reset(at(-60))
    first = await harness.scheduler(SUBS)
    await harness.run_until(at(-10), first)
    await first.stop()
    harness.clock.set(at(45))
    second = await harness.scheduler(SUBS)
    await harness.run_until(at(60 * 24 + 5), second)  # and the next morning goes out as usual
    assert harness.delivery.keys() == ["slack:T1:C1|canada-us|2025-05-06"]
    monday = next(p for p in await harness.log() if p.key == KEY)
    assert monday.state is PostState.SKIPPED
    assert monday.error == "missed by 45 min, beyond the 30 min grace window"


async def test_crash_after_claiming_is_taken_over_after_the_lease(harness: Harness) -> None:
    harness.clock.reset(at(-5))
    kill = crash_at("after_claim")
    first = await harness.scheduler(SUBS, kill=kill)
    await harness.run_until(at(0), first)
    assert kill.hits == ["after_claim"] and harness.delivery.posts == []
    await first.stop()  # the process is gone; its claim stays behind with a 2-minute lease
    harness.clock.set(at(1))
    await harness.scheduler(SUBS)  # restarts at 08:01, waits out the lease, takes over
    assert [(p.key, p.at) for p in harness.delivery.posts] == [(KEY, at(2) + dt.timedelta(seconds=0.05))]
    (post,) = await harness.log()
    assert post.state is PostState.SENT and post.attempts == 2


async def test_crash_after_the_platform_accepted_is_found_not_reposted(harness: Harness) -> None:
    harness.clock.reset(at(-5))
    first = await harness.scheduler(SUBS, kill=crash_at("after_deliver"))
    await harness.run_until(at(0), first)
    await first.stop()
    harness.clock.set(at(1))
    await harness.scheduler(SUBS)
    assert harness.delivery.keys() == [KEY]  # posted once, by the process that died
    (post,) = await harness.log()
    assert (post.state, post.message_id) == (PostState.SENT, "m1")


async def test_crash_while_sending_on_a_platform_that_cannot_be_searched_is_not_reposted(harness: Harness) -> None:
    blind = BlindDelivery(harness.clock)
    harness.clock.reset(at(-5))
    first = await harness.scheduler(SUBS, kill=crash_at("after_deliver"), delivery=blind)
    await harness.run_until(at(0), first)
    await first.stop()
    harness.clock.set(at(1))
    await harness.scheduler(SUBS, delivery=blind)
    assert [p.key for p in blind.posts] == [KEY]
    (post,) = await harness.log()
    assert post.state is PostState.UNCERTAIN
    assert post.error == "crashed while sending; this platform cannot be searched for the post"


class Flaky(RecordingDelivery):
    """Fails with a transient error (a 5xx, a timeout) the first ``failures`` times."""

    def __init__(self, clock: ControlledClock, failures: int) -> None:
        super().__init__(clock)
        self.failures = failures
        self.attempts: list[dt.datetime] = []

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        self.attempts.append(self.clock.now())
        if len(self.attempts) <= self.failures:
            raise TransientDeliveryError("502 from the platform")
        return await super().deliver(target, reply, key)


async def test_transient_failures_are_retried_with_backoff_within_the_grace_window(harness: Harness) -> None:
    flaky = Flaky(harness.clock, failures=2)
    harness.clock.reset(at(-5))
    await harness.scheduler(SUBS, delivery=flaky)
    await harness.run_until(at(10))
    assert flaky.attempts == [at(0), at(0) + dt.timedelta(seconds=1), at(0) + dt.timedelta(seconds=3)]
    assert [(p.key, p.at) for p in flaky.posts] == [(KEY, at(0) + dt.timedelta(seconds=3))]


async def test_transient_failures_stop_when_the_retries_run_out(harness: Harness) -> None:
    flaky = Flaky(harness.clock, failures=99)
    harness.clock.reset(at(-5))
    await harness.scheduler(SUBS, delivery=flaky)
    await harness.run_until(at(60))
    assert len(flaky.attempts) == 5 and flaky.posts == []
    (post,) = await harness.log()
    assert post.state is PostState.FAILED and post.error == "transient, retries exhausted: 502 from the platform"


class Buggy(RecordingDelivery):
    """An adapter bug: an exception that is no DeliveryError, after which the post may or may not exist."""

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        self.posts.append(Posted(str(target), key, reply, self.clock.now(), "m?"))
        raise ZeroDivisionError("adapter bug")


async def test_an_adapter_bug_closes_the_claim_and_is_never_retried_blindly(harness: Harness) -> None:
    buggy = Buggy(harness.clock)
    harness.clock.reset(at(-5))
    await harness.scheduler(SUBS, delivery=buggy)
    await harness.run_until(at(60))
    assert len(buggy.posts) == 1  # one attempt: a retry could be a duplicate
    (post,) = await harness.log()
    assert post.state is PostState.FAILED and (post.error or "").startswith("delivery raised ZeroDivisionError")


async def test_a_briefing_that_cannot_be_composed_closes_its_claim_as_failed(harness: Harness) -> None:
    harness.clock.reset(at(-5))
    await harness.scheduler([sub("slack:T1:C1", deal="no-such-deal", time="08:00", timezone="America/Toronto")])
    await harness.run_until(at(60))
    assert harness.delivery.posts == []
    (post,) = await harness.log()
    assert post.state is PostState.FAILED and "could not compose" in (post.error or "")
    assert "no-such-deal" in (post.error or "")
