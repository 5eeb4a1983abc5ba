"""Many briefings due the same minute, through the real scheduler, Poster and Slack adapter (slack_sdk) to a fake
Slack on loopback that rate-limits chat.postMessage per channel and for the whole workspace, as Slack does: every
channel gets its briefing exactly once, the 429s are waited out (not counted as failed attempts), and no more
posts are in flight at once than ``post_concurrency`` allows. (How long it takes is measured by bench/fanout.py.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.adapters.slack_delivery import SlackDelivery, make_web_client
from bot.posting.turns import Turns
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.state import State
from bot.state.claims import PostState
from tests.adapters.conftest import BOT_TOKEN
from tests.fakes.slack_api import TEAM_ID
from tests.fakes.slack_limits import RateLimitedSlack
from tests.scheduler.conftest import Harness, sub

CHANNELS = [f"C{n:04d}" for n in range(30)]
BUSY = CHANNELS[:3]  # the app posted there a moment ago: the first try gets a per-channel 429
EIGHT = dt.datetime(2025, 5, 5, 8, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
async def slack() -> AsyncIterator[RateLimitedSlack]:
    # Real seconds: Slack's Retry-After is whole seconds, so a small workspace tier keeps the test to a few. The
    # workspace has just been busy (an empty bucket), so the first post is refused whatever the machine's speed.
    fake = RateLimitedSlack(workspace_rate=10.0, workspace_burst=3.0, workspace_start=0.0, latency=0.02)
    await fake.start()
    yield fake
    await fake.close()


async def fan_out(harness: Harness, slack: RateLimitedSlack, options: SchedulerOptions) -> None:
    """Start a scheduler a minute before the batch is due, then let the batch run: the scheduler's clock (and
    APScheduler's) is the test's, stopped at 08:00; the Retry-After waits are real, as the fake's buckets are."""
    harness.clock.reset(EIGHT - dt.timedelta(minutes=1))
    state = await harness.state()

    async def opened() -> State:
        return state

    delivery = SlackDelivery(make_web_client(BOT_TOKEN, slack.api_url, timeout=5))
    scheduler = BriefingScheduler(
        open_state=opened,
        store=lambda: harness.store,
        deliveries={"slack": delivery},
        configured=[sub(f"slack:{TEAM_ID}:{channel}", time="08:00") for channel in CHANNELS],
        options=options,
        now=harness.clock.now,
        sleep=asyncio.sleep,
    )
    harness.schedulers.append(scheduler)
    await scheduler.start()
    await scheduler.run_pending()
    for channel in BUSY:
        slack.busy(channel)
    harness.clock.set(EIGHT)
    await scheduler.run_pending()


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_batch_due_the_same_minute_posts_once_per_channel_within_the_rate_limits(
    harness: Harness, slack: RateLimitedSlack, concurrency: int
) -> None:
    await fan_out(harness, slack, SchedulerOptions(grace_minutes=30, post_concurrency=concurrency))

    assert {channel: len(slack.posts(channel)) for channel in CHANNELS} == dict.fromkeys(CHANNELS, 1)
    assert slack.limited["workspace"] > 0 and slack.limited["channel"] == len(BUSY)  # Slack did push back
    assert slack.max_in_flight <= concurrency
    log = await harness.log()
    assert [post.state for post in log] == [PostState.SENT] * len(CHANNELS)


async def test_rate_limits_do_not_use_up_the_delivery_attempts(harness: Harness, slack: RateLimitedSlack) -> None:
    """A 429 says the post was not taken and when to come back: waiting it out is not a failed attempt, so a
    channel is not left without its briefing because the workspace was busy."""
    await fan_out(harness, slack, SchedulerOptions(grace_minutes=30, delivery_attempts=1, post_concurrency=4))

    assert sum(len(slack.posts(channel)) for channel in CHANNELS) == len(CHANNELS)
    assert slack.limited["workspace"] > 0


async def test_a_post_back_from_a_wait_gets_the_next_turn_before_a_new_one() -> None:
    turns = Turns(1)
    await turns.take()  # a post at work
    order: list[str] = []

    async def wait_for_turn(name: str, resuming: bool) -> None:
        await turns.take(resuming=resuming)
        order.append(name)
        turns.give()

    new = asyncio.create_task(wait_for_turn("new", resuming=False))
    await asyncio.sleep(0)
    back = asyncio.create_task(wait_for_turn("back from a Retry-After", resuming=True))
    await asyncio.sleep(0)
    turns.give()
    await asyncio.gather(new, back)
    assert order == ["back from a Retry-After", "new"]
