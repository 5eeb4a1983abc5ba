"""/subscribe to an e-mail address or an incoming webhook, through the real App (which registers those deliveries
from config and secrets), then the scheduled briefing arriving at a real SMTP server and a fake webhook receiver."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import Clock
from bot.config import BUNDLED_STORE, EmailConfig, HttpConfig, Settings
from bot.credentials import Secrets
from bot.render_text import render_text
from bot.reply import Tone
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.targets import Target
from tests.fakes.smtp import Sink, smtp_server
from tests.fakes.webhooks import FakeWebhooks
from tests.scheduler.helpers import ControlledClock, RecordingDelivery

ADMIN = "UADMIN"
HERE = Target.parse("slack:T1:C1")
MONDAY_0755 = dt.datetime(2025, 5, 5, 7, 55, tzinfo=dt.UTC)


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


def settings(tmp_path: Path, email: EmailConfig | None = None) -> Settings:
    return Settings(
        store=BUNDLED_STORE,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        admins=[ADMIN],
        http=HttpConfig(enabled=False),
        email=email or EmailConfig(),
    )


@pytest.fixture
async def app(
    tmp_path: Path, clock: ControlledClock, receiver: FakeWebhooks, mailbox: tuple[Sink, int]
) -> AsyncIterator[App]:
    clock.reset(MONDAY_0755)
    email = EmailConfig(host="127.0.0.1", port=mailbox[1], starttls=False, from_address="briefs@example.com")
    secrets = Secrets.from_env({"BRIEFBOT_WEBHOOK_OPS": receiver.url("/teams/workflows/x/invoke?sig=S1G")})
    made = App(settings(tmp_path, email), secrets, clock=Clock(now=clock.now))
    made.deliveries["slack"] = RecordingDelivery(clock)
    yield made
    scheduler = made.ports.scheduler
    if isinstance(scheduler, BriefingScheduler):
        await scheduler.stop()
    if made.state is not None:
        await made.state.close()


async def ask(app: App, text: str, user: str = ADMIN) -> str:
    return render_text(await app.ask(text, HERE, user=user))


async def test_an_admin_subscribes_an_address_and_a_webhook_and_each_gets_the_briefing_once(
    app: App, clock: ControlledClock, receiver: FakeWebhooks, mailbox: tuple[Sink, int]
) -> None:
    scheduler = app.build_scheduler(sleep=clock.sleep, options=SchedulerOptions())
    await scheduler.start()

    mail = await ask(app, "/subscribe canada-us channel:email:Reader@Example.org time:08:00 timezone:UTC")
    hook = await ask(app, "/subscribe canada-us channel:teams-webhook:ops time:08:00 timezone:UTC")
    while (step := scheduler.next_fire_time()) is not None and step <= MONDAY_0755 + dt.timedelta(minutes=10):
        clock.set(max(step, clock.now()))
        await scheduler.run_pending()

    assert "posted in email:Reader@example.org at 08:00 UTC" in mail
    assert "posted in teams-webhook:ops at 08:00 UTC" in hook
    (message,) = mailbox[0].messages
    assert message["To"] == "Reader@example.org"
    assert message["X-Briefbot-Key"] == "email:Reader@example.org|canada-us|2025-05-05"
    assert len(receiver.of("teams")) == 1
    schedule = (await ask(app, "/schedule all")).replace("\\", "")
    assert "email:Reader@example.org" in schedule and "teams-webhook:ops" in schedule


async def test_subscribing_elsewhere_is_for_admins_and_a_missing_webhook_says_what_to_set(app: App) -> None:
    assert "is for Briefbot admins" in await ask(app, "/subscribe channel:email:x@example.org", user="UREADER")

    missing = await app.ask("/subscribe canada-us channel:teams-webhook:board", HERE, user=ADMIN)

    assert missing.tone is Tone.ERROR
    assert "BRIEFBOT_WEBHOOK_BOARD" in render_text(missing)
    assert "is not a target" in await ask(app, "/subscribe channel:email:not-an-address")


async def test_without_an_email_section_an_email_target_says_how_to_set_it_up(tmp_path: Path) -> None:
    bare = App(settings(tmp_path), Secrets())
    try:
        answer = render_text(await bare.ask("/subscribe canada-us channel:email:x@example.org"))
    finally:
        if bare.state is not None:
            await bare.state.close()

    assert "E-mail is not set up" in answer and "email" in answer
    assert "email" not in bare.deliveries and "teams-webhook" not in bare.deliveries


async def test_help_says_which_targets_subscribe_takes(app: App) -> None:
    help_text = await ask(app, "/help subscribe", user="UREADER")

    assert "email:you@example.org" in help_text.replace("\\", "") and "teams-webhook:NAME" in help_text
