"""Scheduled briefings to a Teams webhook and to an e-mail address, through the real scheduler and Poster, two
replicas side by side on one post log, against a fake webhook receiver and a real SMTP server on loopback: each
briefing arrives exactly once, and one whose outcome is uncertain is not sent again but reported to the
maintainers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import pytest

from bot.adapters.email import EmailDelivery
from bot.adapters.webhooks import WebhookDelivery
from bot.config import EmailConfig, SubscriptionConfig
from bot.credentials import Secrets
from bot.delivery import Delivery
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.state import State, claims, open_state
from bot.state.claims import PostState
from bot.store import Store
from tests.fakes.smtp import Sink, smtp_server
from tests.fakes.webhooks import FakeWebhooks, Fault
from tests.scheduler.conftest import sub
from tests.scheduler.helpers import ControlledClock, RecordingDelivery, crash_at, no_kill

EIGHT = dt.datetime(2025, 5, 5, 8, 0, tzinfo=dt.UTC)  # a Monday
SUBS = [sub("teams-webhook:ops", time="08:00"), sub("email:reader@example.org", time="08:00")]
MAINTAINERS = "slack:T1:CMAINT"
OPTIONS = SchedulerOptions(grace_minutes=30, lease_seconds=120, retry_base_delay=1.0, call_timeout=0.5)


@pytest.fixture
async def receiver() -> AsyncIterator[FakeWebhooks]:
    fake = FakeWebhooks()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def mailbox() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    with smtp_server(sink) as port:
        yield sink, port


class Replicas:
    def __init__(self, url: str, clock: ControlledClock, store: Store, deliveries: dict[str, Delivery]) -> None:
        self.url, self.clock, self.store, self.deliveries = url, clock, store, deliveries
        self.states: list[State] = []
        self.schedulers: list[BriefingScheduler] = []

    async def start(self, configured: Sequence[SubscriptionConfig], kill: Any = no_kill) -> BriefingScheduler:
        state = await open_state(self.url)
        self.states.append(state)

        async def opened() -> State:
            return state

        scheduler = BriefingScheduler(
            open_state=opened,
            store=lambda: self.store,
            deliveries=self.deliveries,
            configured=configured,
            options=OPTIONS,
            maintainers=MAINTAINERS,
            now=self.clock.now,
            sleep=self.clock.sleep,
            kill=kill,
        )
        await scheduler.start()
        await scheduler.run_pending()
        self.schedulers.append(scheduler)
        return scheduler

    async def run_until(self, until: dt.datetime, *only: BriefingScheduler) -> None:
        running = list(only or self.schedulers)
        while True:
            step = min((t for t in (s.next_fire_time() for s in running) if t is not None), default=None)
            if step is None or step > until:
                break
            self.clock.set(max(step, self.clock.now()))
            await asyncio.gather(*(s.run_pending() for s in running))
        self.clock.set(max(until, self.clock.now()))
        await asyncio.gather(*(s.run_pending() for s in running))

    async def close(self) -> None:
        for scheduler in self.schedulers:
            await scheduler.stop()
        for state in self.states:
            await state.close()


@pytest.fixture
async def replicas(
    db_url: str, clock: ControlledClock, bundled: Store, receiver: FakeWebhooks, mailbox: tuple[Sink, int]
) -> AsyncIterator[Replicas]:
    secrets = Secrets.from_env({"BRIEFBOT_WEBHOOK_OPS": receiver.url("/teams/workflows/x/invoke?sig=S1GSECRET")})
    email = EmailConfig(host="127.0.0.1", port=mailbox[1], starttls=False, from_address="briefs@example.com")
    deliveries: dict[str, Delivery] = {
        "teams-webhook": WebhookDelivery("teams-webhook", secrets.webhook_url, timeout=5),
        "email": EmailDelivery(email, now=clock.now),
        "slack": RecordingDelivery(clock),  # the maintainers' channel
    }
    clock.reset(EIGHT - dt.timedelta(minutes=5))
    made = Replicas(db_url, clock, bundled, deliveries)
    yield made
    await made.close()


async def test_two_days_of_briefings_arrive_once_each_by_webhook_and_by_email(
    replicas: Replicas, receiver: FakeWebhooks, mailbox: tuple[Sink, int]
) -> None:
    sink = mailbox[0]
    await replicas.start(SUBS)
    await replicas.start(SUBS)  # a second replica, side by side

    await replicas.run_until(EIGHT + dt.timedelta(days=1, hours=1))

    cards = [r.body["attachments"][0]["content"] for r in receiver.of("teams")]
    assert len(cards) == 2
    assert [c["body"][-1]["text"].rsplit("|", 1)[-1] for c in cards] == ["2025-05-05", "2025-05-06"]
    assert [m["X-Briefbot-Key"] for m in sink.messages] == [
        "email:reader@example.org|canada-us|2025-05-05",
        "email:reader@example.org|canada-us|2025-05-06",
    ]
    assert all("Canada" in str(m["Subject"]) for m in sink.messages)
    log = await claims.history(replicas.states[0], limit=10)
    assert sorted((p.target, p.state) for p in log) == sorted(
        [(t, PostState.SENT) for t in ("teams-webhook:ops", "email:reader@example.org") for _ in range(2)]
    )


async def test_an_uncertain_webhook_post_is_not_resent_and_the_maintainers_are_told(
    replicas: Replicas, receiver: FakeWebhooks
) -> None:
    receiver.faults.append(Fault("slow", seconds=1.5))  # received, answered after the 0.5 s call timeout
    await replicas.start(SUBS[:1])
    await replicas.start(SUBS[:1])

    await replicas.run_until(EIGHT + dt.timedelta(hours=1))

    assert len(receiver.of("teams")) == 1
    maintainers = replicas.deliveries["slack"]
    assert isinstance(maintainers, RecordingDelivery)
    (notice,) = maintainers.posts
    assert notice.target == MAINTAINERS
    assert notice.reply.title == "Daily briefing may be missing in teams-webhook:ops"
    assert "does not send it again" in notice.reply.sections[0].text
    (post,) = [p for p in await claims.history(replicas.states[0], limit=10) if p.target == "teams-webhook:ops"]
    assert post.state is PostState.UNCERTAIN
    assert "S1GSECRET" not in (post.error or "")


async def test_a_replica_killed_after_claiming_leaves_each_briefing_to_the_other_which_sends_it_once(
    replicas: Replicas, receiver: FakeWebhooks, mailbox: tuple[Sink, int]
) -> None:
    kill = crash_at("after_claim")
    doomed = await replicas.start(SUBS, kill=kill)
    survivor = await replicas.start(SUBS)
    await replicas.run_until(EIGHT, doomed)  # first to the minute: claims both, dies before sending
    assert len(kill.hits) == 2 and receiver.received == [] and mailbox[0].messages == []
    await doomed.stop()

    await replicas.run_until(EIGHT + dt.timedelta(minutes=10), survivor)  # its lease runs out after 2 minutes

    assert len(receiver.of("teams")) == 1 and len(mailbox[0].messages) == 1
    assert {p.state for p in await claims.history(replicas.states[0], limit=10)} == {PostState.SENT}


async def test_a_replica_killed_after_sending_is_not_resent_by_the_other_and_the_maintainers_are_told(
    replicas: Replicas, receiver: FakeWebhooks, mailbox: tuple[Sink, int]
) -> None:
    kill = crash_at("after_deliver")
    doomed = await replicas.start(SUBS, kill=kill)
    survivor = await replicas.start(SUBS)
    await replicas.run_until(EIGHT, doomed)  # both sent, neither recorded as sent
    assert len(receiver.of("teams")) == 1 and len(mailbox[0].messages) == 1
    await doomed.stop()

    await replicas.run_until(EIGHT + dt.timedelta(minutes=10), survivor)

    assert len(receiver.of("teams")) == 1 and len(mailbox[0].messages) == 1  # cannot look, so never resent
    maintainers = replicas.deliveries["slack"]
    assert isinstance(maintainers, RecordingDelivery)
    assert sorted(p.reply.title for p in maintainers.posts) == [
        "Daily briefing may be missing in email:reader@example.org",
        "Daily briefing may be missing in teams-webhook:ops",
    ]
    briefings = [p for p in await claims.history(replicas.states[0], limit=10) if p.kind == "brief"]
    assert {p.state for p in briefings} == {PostState.UNCERTAIN}
