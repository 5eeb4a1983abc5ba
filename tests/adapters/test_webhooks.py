"""Incoming webhooks (Slack, Discord, Teams Workflows) against a fake receiver on loopback, through the real httpx
client and the real post-once path, with two replicas on one post log (SQLite and PostgreSQL).

A webhook cannot be searched, so "once" means: claimed before sending; a certain failure (refused, rate limited,
unreachable) is retried; an uncertain one (no answer after sending, a 5xx, a crash between sending and recording)
is never sent again and ends ``uncertain``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from bot import logs
from bot.adapters.webhooks import WebhookDelivery
from bot.credentials import Secrets
from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.markup import escape
from bot.posting import Poster, PostKind, PostOutcome, PostRequest, PostResult, RetryPolicy
from bot.reply import Field, Reply, Section
from bot.state import State, claims, open_state
from bot.state.claims import PostState
from bot.targets import Target
from tests.fakes.webhooks import FakeWebhooks, Fault
from tests.scheduler.helpers import SimulatedCrash, crash_at

REPLY = Reply(
    title="Canada–US: daily briefing",
    sections=(
        Section(
            heading="What changed",
            text="**Dairy** moved to _in progress_. [site](https://x.org) " + escape("From the store: *x* [y](z)"),
        ),
        Section(fields=(Field("Next", "Round 3, 12 May"),)),
    ),
    footer=("as of 2 May 2025",),
).shared()
KEY = "teams-webhook:ops|canada-us|2025-05-05"
TEAMS = Target.parse("teams-webhook:ops")
LEASE = dt.timedelta(seconds=1)
POLICY = RetryPolicy(
    attempts=3,
    base_delay=0.05,
    lease=LEASE,
    call_timeout=0.4,
    late_commit=dt.timedelta(seconds=1),
    look_interval=0.1,
    heartbeat=0.1,
    busy_poll=0.05,
)


@pytest.fixture
async def receiver() -> AsyncIterator[FakeWebhooks]:
    fake = FakeWebhooks()
    await fake.start()
    yield fake
    await fake.close()


def secrets_for(receiver: FakeWebhooks) -> Secrets:
    return Secrets.from_env(
        {
            "BRIEFBOT_WEBHOOK_OPS": receiver.url("/teams/workflows/abc/triggers/manual/paths/invoke?sig=SIGSECRET123"),
            "BRIEFBOT_WEBHOOK_DEALS_ROOM": receiver.url("/slack/T000/B000/XXXXSLACKSECRET"),
            "BRIEFBOT_WEBHOOK_DISCO": receiver.url("/discord/42/DISCORDSECRETTOKEN"),
        }
    )


def delivery(receiver: FakeWebhooks, platform: str, *, timeout: float = 5.0) -> WebhookDelivery:
    return WebhookDelivery(platform, secrets_for(receiver).webhook_url, timeout=timeout)


async def test_slack_webhook_posts_blocks_without_unfurling(receiver: FakeWebhooks) -> None:
    message_id = await delivery(receiver, "slack-webhook").deliver(Target.parse("slack-webhook:deals-room"), REPLY, KEY)

    (posted,) = receiver.of("slack")
    assert posted.path == "/slack/T000/B000/XXXXSLACKSECRET"
    assert posted.body["blocks"] and "Canada" in posted.body["text"]
    assert posted.body["unfurl_links"] is False and posted.body["unfurl_media"] is False
    assert message_id == "r1"


async def test_discord_webhook_posts_an_embed_that_mentions_no_one_and_waits_for_its_id(
    receiver: FakeWebhooks,
) -> None:
    message_id = await delivery(receiver, "discord-webhook").deliver(Target.parse("discord-webhook:disco"), REPLY, KEY)

    (posted,) = receiver.of("discord")
    assert posted.query == {"wait": "true"}
    assert posted.body["allowed_mentions"] == {"parse": []}
    (embed,) = posted.body["embeds"]
    assert embed["title"].startswith("Canada")
    assert KEY in embed["footer"]["text"]
    assert message_id == "1000"  # the id of the message Discord created, as ?wait=true returns it


async def test_teams_webhook_posts_an_adaptive_card(receiver: FakeWebhooks) -> None:
    await delivery(receiver, "teams-webhook").deliver(TEAMS, REPLY, KEY)

    (posted,) = receiver.of("teams")
    assert posted.query == {"sig": "SIGSECRET123"}
    assert posted.body["type"] == "message"
    (attachment,) = posted.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block.get("text", "") for block in card["body"]]
    assert texts[0] == "Canada–US: daily briefing"
    assert "**Dairy** moved to _in progress_." in "\n".join(texts)
    assert "[site](https://x.org)" in "\n".join(texts)  # the reply's own link is a link; store text stays text:
    assert r"From the store: \*x\* \[y\](z)" in "\n".join(texts)
    assert any(block["type"] == "FactSet" for block in card["body"])
    assert KEY in texts[-1]


async def test_a_webhook_without_a_url_is_refused_with_the_variable_to_set(receiver: FakeWebhooks) -> None:
    teams = delivery(receiver, "teams-webhook")
    missing = Target.parse("teams-webhook:board-room")

    with pytest.raises(PermanentDeliveryError) as refused:
        await teams.check(missing)

    assert refused.value.reason == "no_webhook_url"
    assert "BRIEFBOT_WEBHOOK_BOARD_ROOM" in refused.value.fix
    await teams.check(TEAMS)  # the one that is set passes


async def test_failures_are_classified_and_never_quote_the_url(receiver: FakeWebhooks) -> None:
    teams = delivery(receiver, "teams-webhook")
    receiver.faults.append(Fault("status", status=404, body='{"message": "Unknown Webhook", "code": 10015}'))
    with pytest.raises(PermanentDeliveryError) as gone:
        await teams.deliver(TEAMS, REPLY, KEY)
    receiver.faults.append(Fault("status", status=429, headers={"Retry-After": "2"}))
    with pytest.raises(TransientDeliveryError) as limited:
        await teams.deliver(TEAMS, REPLY, KEY)
    receiver.faults.append(Fault("error_after", status=502))
    with pytest.raises(TransientDeliveryError) as broke:
        await teams.deliver(TEAMS, REPLY, KEY)

    assert gone.value.reason == "webhook_gone" and "Unknown Webhook" in str(gone.value)
    assert "BRIEFBOT_WEBHOOK_OPS" in gone.value.fix
    assert limited.value.retry_after == 2.0 and not limited.value.uncertain  # a rate limit: surely not posted
    assert broke.value.uncertain  # a 5xx after the receiver got it: the post may exist
    for error in (gone.value, limited.value, broke.value):
        assert "SIGSECRET123" not in str(error) and "workflows" not in str(error)


def test_webhook_urls_are_read_from_secrets_and_files(tmp_path: object) -> None:
    from pathlib import Path

    secret = Path(str(tmp_path)) / "hook"
    secret.write_text("https://hooks.example/from-file\n", encoding="utf-8")
    secrets = Secrets.from_env(
        {
            "BRIEFBOT_WEBHOOK_OPS_ROOM": "https://hooks.example/direct",
            "BRIEFBOT_WEBHOOK_FILED_FILE": str(secret),
            "BRIEFBOT_SMTP_PASSWORD": "smtp-pass-123",
        }
    )

    assert secrets.webhook_url("ops-room") == "https://hooks.example/direct"
    assert secrets.webhook_url("filed") == "https://hooks.example/from-file"
    assert secrets.webhook_url("other") is None
    assert "hooks.example" not in repr(secrets) and "smtp-pass" not in repr(secrets)
    assert {"https://hooks.example/direct", "/from-file", "smtp-pass-123"} <= set(secrets.values())  # redacted


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged at INFO (httpx logs each request's URL there), through the process's own formatter."""
    stream = io.StringIO()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.setLevel(old_level)


async def test_webhook_urls_never_reach_the_logs(receiver: FakeWebhooks, captured_logs: io.StringIO) -> None:
    secrets = secrets_for(receiver)
    handler = logs.handler(captured_logs, fmt="json", secrets=secrets.values())
    logging.getLogger().addHandler(handler)
    try:
        teams = WebhookDelivery("teams-webhook", secrets.webhook_url)
        await teams.deliver(TEAMS, REPLY, KEY)
        receiver.faults.append(Fault("status", status=410))
        with pytest.raises(PermanentDeliveryError):
            await teams.deliver(TEAMS, REPLY, KEY)
    finally:
        logging.getLogger().removeHandler(handler)

    written = captured_logs.getvalue()
    assert "HTTP Request: POST" in written  # httpx did log the request...
    assert "SIGSECRET123" not in written and "/teams/workflows" not in written  # ...without its URL
    assert logs.REDACTED in written


# --- the post-once path, with kill points -----------------------------------------------------------------------


@dataclass
class Replica:
    state: State
    poster: Poster

    async def post(self) -> PostResult:
        now = dt.datetime.now(dt.UTC)
        request = PostRequest(
            kind=PostKind.BRIEFING,
            key=KEY,
            target=TEAMS,
            deal="canada-us",
            local_date=dt.date(2025, 5, 5),
            deadline=now + dt.timedelta(minutes=5),
            reply=REPLY,
        )
        return await self.poster.post(request)


@pytest.fixture
async def replicas(db_url: str, receiver: FakeWebhooks) -> AsyncIterator[list[Replica]]:
    made: list[Replica] = []
    for name in ("a", "b"):
        state = await open_state(db_url)
        poster = Poster(
            state=state,
            deliveries={"teams-webhook": delivery(receiver, "teams-webhook")},
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


async def test_no_answer_after_sending_is_uncertain_and_never_sent_again(
    replicas: list[Replica], receiver: FakeWebhooks
) -> None:
    receiver.faults.append(Fault("slow", seconds=1.0))  # received at once, answered after the 0.4 s call timeout

    first = await replicas[0].post()
    second = await replicas[1].post()

    assert first.outcome is PostOutcome.UNCERTAIN
    assert second.outcome is PostOutcome.DONE
    assert len(receiver.of("teams")) == 1
    post = await logged(replicas[0])
    assert post.state is PostState.UNCERTAIN and "cannot be searched" in (post.error or "")


async def test_a_dropped_connection_after_sending_is_not_sent_again(
    replicas: list[Replica], receiver: FakeWebhooks
) -> None:
    receiver.faults.append(Fault("drop"))

    result = await replicas[0].post()

    assert result.outcome is PostOutcome.UNCERTAIN
    assert len(receiver.of("teams")) == 1


async def test_a_rate_limit_is_waited_out_and_posted_once(replicas: list[Replica], receiver: FakeWebhooks) -> None:
    receiver.faults.append(Fault("status", status=429, headers={"Retry-After": "0.1"}))

    result = await replicas[0].post()

    assert result.outcome is PostOutcome.SENT
    assert len(receiver.of("teams")) == 1


async def test_an_unreachable_webhook_is_certain_and_retried(replicas: list[Replica], receiver: FakeWebhooks) -> None:
    await receiver.close()  # nothing listens on the port now: the connection is refused

    result = await replicas[0].post()

    assert result.outcome is PostOutcome.FAILED  # retried to the end, never closed as uncertain
    assert "retries exhausted" in (result.error or "")


async def test_killed_after_sending_the_replica_that_takes_over_does_not_resend(
    replicas: list[Replica], receiver: FakeWebhooks
) -> None:
    replicas[0].poster.kill = crash_at("after_deliver")
    with pytest.raises(SimulatedCrash):
        await replicas[0].post()
    assert (await logged(replicas[0])).state is PostState.SENDING
    await asyncio.sleep(LEASE.total_seconds() * 1.2)  # the dead replica's lease runs out

    result = await replicas[1].post()

    assert result.outcome is PostOutcome.UNCERTAIN
    assert len(receiver.of("teams")) == 1


async def test_killed_after_claiming_the_replica_that_takes_over_posts_once(
    replicas: list[Replica], receiver: FakeWebhooks
) -> None:
    replicas[0].poster.kill = crash_at("after_claim")
    with pytest.raises(SimulatedCrash):
        await replicas[0].post()
    assert receiver.received == []
    await asyncio.sleep(LEASE.total_seconds() * 1.2)

    result = await replicas[1].post()
    again = await replicas[0].post()

    assert result.outcome is PostOutcome.SENT
    assert again.outcome is PostOutcome.DONE
    assert len(receiver.of("teams")) == 1


def test_a_card_too_big_for_teams_is_cut_with_a_note_and_stays_under_the_limit() -> None:
    import json

    from bot.adapters.teams_render import MAX_BYTES, message, render_card

    long = Reply(
        title="Everything",
        sections=tuple(Section(heading=f"Part {i}", text="word " * 400) for i in range(40)),
        more="/deal deal:canada-us",
    )

    card = render_card(long, key=KEY)

    size = len(json.dumps(message(card)).encode())
    assert size <= MAX_BYTES
    texts = [block.get("text", "") for block in card["body"]]
    assert "Part 0" in texts and "Part 39" not in texts
    assert any("The rest did not fit: /deal deal:canada-us" in t for t in texts)
    assert KEY in texts[-1]
