"""Targeted faults on a post, through the real slack_sdk client against a fake Slack on loopback, with two
replicas (posters with their own claimant and engine) on one post log, on real SQLite and real PostgreSQL.

Each fault once made a second post:
- the connection drops after Slack recorded the post (slack_sdk's connection-error handler re-sent it);
- a 429 whose Retry-After outlasts the lease, or a slow answer, let the other replica take over and post too;
- Slack records the post after the client gave up, so a look right after the timeout missed it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import pytest
from aiohttp import web

from bot.adapters.slack_delivery import SlackDelivery, make_web_client
from bot.posting import Poster, PostKind, PostOutcome, PostRequest, PostResult, RetryPolicy
from bot.reply import Reply, Section
from bot.state import State, claims, open_state
from bot.state.claims import PostState
from bot.targets import Target
from tests.adapters.conftest import BOT_TOKEN
from tests.fakes.slack_api import TEAM_ID, FakeSlack, _arguments

CHANNEL = "C0FAULT"
TARGET = Target("slack", (TEAM_ID, CHANNEL))
KEY = f"{TARGET}|canada-us|2025-05-05"
LEASE = dt.timedelta(seconds=1)
POLICY = RetryPolicy(
    attempts=3,
    base_delay=0.05,
    lease=LEASE,
    call_timeout=0.4,
    late_commit=dt.timedelta(seconds=2),
    look_interval=0.1,
    heartbeat=0.1,
    busy_poll=0.05,
)


@dataclass
class FaultySlack(FakeSlack):
    """The fake Slack, with faults a network and a busy Slack produce on ``chat.postMessage``."""

    faults: list[tuple[str, float]] = field(default_factory=list)  # (kind, seconds), used in order

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "chat.postMessage" or not self.faults:
            return await super()._api(request)
        kind, seconds = self.faults.pop(0)
        if kind == "drop":  # recorded, then the connection is cut before the answer
            await super()._api(request)
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if kind == "slow":  # recorded at once, answered late
            answer = await super()._api(request)
            await asyncio.sleep(seconds)
            return answer
        if kind == "late":  # recorded only after the caller has given up
            args = await _arguments(request)
            asyncio.get_running_loop().call_later(seconds, self._dispatch, "chat.postMessage", args)
            await asyncio.sleep(seconds * 2)
            return web.json_response({"ok": False, "error": "request_timeout"}, status=504)
        raise AssertionError(kind)


@pytest.fixture
async def slack() -> AsyncIterator[FaultySlack]:
    fake = FaultySlack()
    await fake.start()
    yield fake
    await fake.close()


@dataclass
class Replica:
    state: State
    poster: Poster

    async def post(self) -> PostResult:
        now = dt.datetime.now(dt.UTC)
        request = PostRequest(
            kind=PostKind.BRIEFING,
            key=KEY,
            target=TARGET,
            deal="canada-us",
            local_date=dt.date(2025, 5, 5),
            deadline=now + dt.timedelta(minutes=5),
            reply=Reply(title="Daily briefing", sections=(Section(text="Quiet day."),)),
        )
        return await self.poster.post(request)


@pytest.fixture
async def replicas(db_url: str, slack: FaultySlack) -> AsyncIterator[list[Replica]]:
    """Two replicas, each with its own engine, web client and claimant, on one post log and one Slack."""
    made: list[Replica] = []
    for name in ("a", "b"):
        state = await open_state(db_url)
        delivery = SlackDelivery(make_web_client(BOT_TOKEN, slack.api_url, timeout=5))
        poster = Poster(
            state=state,
            deliveries={"slack": delivery},
            claimant=name,
            now=lambda: dt.datetime.now(dt.UTC),
            policy=POLICY,
        )
        made.append(Replica(state, poster))
    yield made
    for replica in made:
        await replica.state.close()


async def logged(replica: Replica) -> claims.Post:
    post = await claims.get(replica.state, KEY)
    assert post is not None
    return post


async def test_a_connection_dropped_after_slack_recorded_the_post_is_not_posted_again(
    replicas: list[Replica], slack: FaultySlack
) -> None:
    slack.faults.append(("drop", 0))
    # a call timeout long enough for the SDK's own retry (after its ~0.5 s back-off) to happen, if it were allowed
    replicas[0].poster.policy = replace(POLICY, lease=dt.timedelta(seconds=10), call_timeout=5.0)

    result = await replicas[0].post()

    assert len(slack.posts(CHANNEL)) == 1
    assert result.outcome is PostOutcome.FOUND and result.message_id == slack.posts(CHANNEL)[0]["ts"]
    assert len(slack.calls_to("chat.postMessage")) == 1  # the SDK never re-sent it; we looked instead
    assert (await logged(replicas[0])).state is PostState.SENT


async def test_a_retry_after_longer_than_the_lease_keeps_the_claim(replicas: list[Replica], slack: FaultySlack) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=2)  # twice the lease
    first = asyncio.create_task(replicas[0].post())
    await asyncio.sleep(LEASE.total_seconds() * 1.3)  # past the lease A took: without renewal, B would take over

    second = await replicas[1].post()

    assert (await first).outcome is PostOutcome.SENT
    assert second.outcome is PostOutcome.DONE
    assert len(slack.posts(CHANNEL)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2  # refused once, accepted once; the SDK waited out nothing


async def test_a_slow_platform_cannot_outlive_the_claim(replicas: list[Replica], slack: FaultySlack) -> None:
    slack.faults.append(("slow", 3 * LEASE.total_seconds()))
    first = asyncio.create_task(replicas[0].post())
    await asyncio.sleep(LEASE.total_seconds() * 1.3)

    second = await replicas[1].post()

    assert (await first).outcome is PostOutcome.FOUND  # given up at the call timeout, then found by its key
    assert second.outcome is PostOutcome.DONE
    assert len(slack.posts(CHANNEL)) == 1


async def test_a_post_slack_records_after_the_timeout_is_found_by_looking_again(
    replicas: list[Replica], slack: FaultySlack
) -> None:
    slack.faults.append(("late", 1.0))  # recorded 1 s in; the client gives up at 0.4 s

    result = await replicas[0].post()

    assert result.outcome is PostOutcome.FOUND
    assert len(slack.posts(CHANNEL)) == 1
    assert len(slack.calls_to("conversations.history")) >= 2  # not found at first; found on a later look
