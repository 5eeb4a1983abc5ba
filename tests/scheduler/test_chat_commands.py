"""/subscribe, /unsubscribe, /schedule, /brief reissue and /watch, through the real App and router, with the
scheduler and the watch alerts running on a controlled clock against a recording platform."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.alerts import WatchAlerts
from bot.alerts.review_due import ReviewReminders
from bot.app import App
from bot.clock import Clock
from bot.config import BUNDLED_STORE, HttpConfig, Settings, SubscriptionConfig
from bot.errors import TransientDeliveryError
from bot.render_text import render_text
from bot.reply import Reply, Tone
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.state import claims, snapshots
from bot.state.claims import PostState
from bot.targets import Target
from tests.scheduler.edits import NEW_EVENT, replace_in
from tests.scheduler.helpers import ControlledClock, RecordingDelivery

UTC = dt.UTC
ADMIN = "UADMIN"
HERE = Target.parse("slack:T1:C1")
MAINTAINERS = "slack:T1:CMAINT"
MONDAY_0755 = dt.datetime(2025, 5, 5, 11, 55, tzinfo=UTC)


@dataclass
class Bot:
    app: App
    clock: ControlledClock
    delivery: RecordingDelivery
    store_dir: Path
    scheduler: BriefingScheduler | None = None

    async def ask(self, text: str, *, user: str = ADMIN, target: Target = HERE) -> str:
        return render_text(await self.app.ask(text, target, user=user))

    async def start_scheduler(self) -> BriefingScheduler:
        options = SchedulerOptions(lease_seconds=120)
        # built by the app, so /subscribe finds it (the scheduler port) to apply a change at once
        self.scheduler = self.app.build_scheduler(sleep=self.clock.sleep, options=options)
        await self.scheduler.start()
        await self.scheduler.run_pending()
        return self.scheduler

    async def run_until(self, when: dt.datetime) -> None:
        assert self.scheduler is not None
        while (step := self.scheduler.next_fire_time()) is not None and step <= when:
            self.clock.set(max(step, self.clock.now()))
            await self.scheduler.run_pending()
        self.clock.set(when)
        await self.scheduler.run_pending()


def make_bot(tmp_path: Path, clock: ControlledClock, *subscriptions: SubscriptionConfig) -> Bot:
    store_dir = tmp_path / "briefings"
    if not store_dir.exists():
        shutil.copytree(BUNDLED_STORE, store_dir, ignore=shutil.ignore_patterns("README.md"))
    settings = Settings(
        store=store_dir,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        admins=[ADMIN],
        maintainers_channel=MAINTAINERS,
        subscriptions=list(subscriptions),
        timezone="America/Toronto",
        http=HttpConfig(enabled=False),
    )
    app = App(settings, clock=Clock(timezone=settings.timezone, now=clock.now))
    delivery = RecordingDelivery(clock)
    app.deliveries["slack"] = delivery
    return Bot(app, clock, delivery, store_dir)


@pytest.fixture
async def bot(tmp_path: Path, clock: ControlledClock) -> AsyncIterator[Bot]:
    clock.reset(MONDAY_0755)
    made = make_bot(tmp_path, clock)
    yield made
    if made.scheduler is not None:
        await made.scheduler.stop()
    if made.app.state is not None:
        await made.app.state.close()


async def test_subscribe_then_the_schedule_shows_it_and_it_is_posted(bot: Bot) -> None:
    await bot.start_scheduler()
    answer = await bot.ask("/subscribe time:08:00 timezone:America/Toronto days:mon-fri skip:2025-05-07")
    assert "Subscribed" in answer
    assert "posted in slack:T1:C1 at 08:00 America/Toronto, Monday to Friday, except 2025-05-07" in answer
    assert "Next: Mon 5 May 2025 08:00." in answer
    schedule = await bot.ask("/schedule", user="UREADER")
    assert "canada-us" in schedule and "next Mon 5 May 2025 08:00" in schedule
    await bot.run_until(dt.datetime(2025, 5, 7, 13, 0, tzinfo=UTC))
    assert bot.delivery.keys() == ["slack:T1:C1|canada-us|2025-05-05", "slack:T1:C1|canada-us|2025-05-06"]
    sent = bot.app.metrics.registry.get_sample_value("briefbot_posts_total", {"kind": "brief", "outcome": "sent"})
    assert sent == 2  # the scheduler's posts reach the app's metrics
    schedule = await bot.ask("/schedule")
    assert "last run 2025-05-07: skipped" in schedule and "next Thu 8 May 2025 08:00" in schedule

    assert "Unsubscribed" in await bot.ask("/unsubscribe")
    await bot.run_until(dt.datetime(2025, 5, 8, 13, 0, tzinfo=UTC))
    assert len(bot.delivery.posts) == 2
    assert "No daily briefings" in await bot.ask("/schedule")


async def test_another_replica_picks_up_a_chat_subscription_within_a_minute(bot: Bot, tmp_path: Path) -> None:
    other = make_bot(tmp_path, bot.clock)  # same database, a second process in all but name
    replica = other.app.build_scheduler(sleep=bot.clock.sleep)
    await replica.start()
    try:
        assert replica.next_fire_time() is None
        await bot.ask("/subscribe time:08:00")
        bot.clock.advance(seconds=31)  # its reload runs every 30 s
        await replica.run_pending()
        assert replica.next_fire_time() == dt.datetime(2025, 5, 5, 12, 0, tzinfo=UTC)
    finally:
        await replica.stop()
        assert other.app.state is not None
        await other.app.state.close()


async def test_subscribe_is_for_admins_checks_the_channel_and_validates(bot: Bot) -> None:
    assert "is for Briefbot admins" in await bot.ask("/subscribe", user="UREADER")
    bot.delivery.refuse[str(HERE)] = "not_in_channel"
    refused = await bot.app.ask("/subscribe", HERE, user=ADMIN)
    assert refused.tone is Tone.ERROR and "Invite Briefbot to the channel" in render_text(refused)
    del bot.delivery.refuse[str(HERE)]
    assert "time: '8am' is not a time: use HH:MM, such as 08:00" in await bot.ask("/subscribe time:8am")
    assert "is not a time zone" in await bot.ask("/subscribe timezone:Mars/Olympus")
    assert "days: 'funday' is not a day or range" in await bot.ask("/subscribe days:funday")
    assert "skip: '2025-02-30' is not a date: use YYYY-MM-DD" in await bot.ask("/subscribe skip:2025-02-30")


async def test_config_subscriptions_are_read_only_from_chat(tmp_path: Path, clock: ControlledClock) -> None:
    clock.reset(MONDAY_0755)
    bot = make_bot(tmp_path, clock, SubscriptionConfig(target=str(HERE), deal="canada-us"))
    try:
        await bot.start_scheduler()
        assert "from the config file" in await bot.ask("/subscribe time:09:00")
        assert "from the config file" in await bot.ask("/unsubscribe")
        assert "from config (read-only)" in await bot.ask("/schedule")
    finally:
        assert bot.scheduler is not None
        await bot.scheduler.stop()
        assert bot.app.state is not None
        await bot.app.state.close()


async def test_permanent_failure_pauses_tells_maintainers_once_and_subscribe_resumes(bot: Bot) -> None:
    await bot.start_scheduler()
    await bot.ask("/subscribe time:08:00")
    bot.delivery.refuse[str(HERE)] = "channel_not_found"
    await bot.run_until(dt.datetime(2025, 5, 7, 13, 0, tzinfo=UTC))  # Monday fails; no retries on Tue, Wed
    notices = [p for p in bot.delivery.posts if p.target == MAINTAINERS]
    assert len(notices) == 1 and notices[0].reply.title == "Daily briefing paused for slack:T1:C1"
    assert [p for p in bot.delivery.posts if p.target == str(HERE)] == []
    assert "**paused**" not in (schedule := await bot.ask("/schedule")) and "paused: channel_not_found" in schedule
    assert bot.app.state is not None
    (post,) = await claims.history(bot.app.state, target=str(HERE))
    assert post.state is PostState.FAILED and post.error == "permanent: channel_not_found"

    del bot.delivery.refuse[str(HERE)]
    assert "Subscribed" in await bot.ask("/subscribe time:08:00")  # the admin fixed the channel
    await bot.run_until(dt.datetime(2025, 5, 8, 13, 0, tzinfo=UTC))
    assert [p.key for p in bot.delivery.posts if p.target == str(HERE)] == ["slack:T1:C1|canada-us|2025-05-08"]


async def test_reissue_edits_the_post_in_place_and_on_demand_briefs_never_move_the_snapshot(bot: Bot) -> None:
    await bot.start_scheduler()
    await bot.ask("/subscribe time:08:00")
    await bot.run_until(dt.datetime(2025, 5, 5, 12, 5, tzinfo=UTC))
    assert bot.app.state is not None
    before = await snapshots.previous(bot.app.state, str(HERE), "canada-us", before=dt.date(2025, 5, 6))
    assert before is not None

    replace_in(bot.store_dir / "deals" / "canada-us" / "topics" / "tariffs.md", "status: open", "status: in_talks")
    bot.app.live_store.reload()
    on_demand = await bot.ask("/brief date:2025-05-06", user="UREADER")  # changes since this channel's last post
    assert "U.S. tariffs on Canadian goods: open → in talks" in on_demand
    after = await snapshots.previous(bot.app.state, str(HERE), "canada-us", before=dt.date(2025, 5, 6))
    assert after == before  # an on-demand briefing never moves the snapshot

    assert "is for Briefbot admins" in await bot.ask("/brief reissue", user="UREADER")
    answer = await bot.ask("/brief reissue")
    assert "was updated in place, not posted again" in answer
    assert len(bot.delivery.posts) == 1 and len(bot.delivery.edits) == 1
    edited = bot.delivery.edits[0]
    assert (edited.message_id, edited.key) == ("m1", "slack:T1:C1|canada-us|2025-05-05")
    assert edited.reply.subtitle == "5 May 2025 · updated"
    (post,) = await claims.history(bot.app.state, target=str(HERE))
    assert post.edited_at is not None
    moved = await snapshots.previous(bot.app.state, str(HERE), "canada-us", before=dt.date(2025, 5, 6))
    assert moved is not None and moved.data["topics"]["tariffs"]["status"] == "in_talks"  # tomorrow diffs from here


async def test_watch_alerts_by_direct_message_once_across_replicas(bot: Bot) -> None:
    answer = await bot.ask("/watch tariffs", user="UREADER")
    assert "Watching U.S. tariffs on Canadian goods" in answer and "by direct message" in answer
    assert "Only Briefbot admins" in await bot.ask("/watch dairy channel:here", user="UREADER")
    assert "Watching" in await bot.ask("/watch dairy channel:here")
    alerts = [bot.app.build_watch_alerts(claimant=name, sleep=bot.clock.sleep) for name in "ab"]
    assert [await a.check() for a in alerts] == [0, 0]  # first look: remember the topics as they are

    deal = bot.store_dir / "deals" / "canada-us"
    replace_in(deal / "topics" / "tariffs.md", "status: open", "status: in_talks")
    events = deal / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8") + NEW_EVENT.replace("negotiating-process", "tariffs"))
    bot.app.live_store.reload()
    assert sorted([await a.check() for a in alerts]) == [0, 1]  # two replicas noticed; one alert went out
    (alert,) = bot.delivery.posts
    assert alert.target == "slack:T1:@UREADER" and alert.reply.title == "Change in U.S. tariffs on Canadian goods"
    assert alert.reply.sections[0].text.split("\n") == [
        "- Status: open → **in talks**",
        "- New event, **13 May 2025**: Carney's new cabinet is sworn in _(CBC News)_",
    ]
    assert "Stopped watching" in await bot.ask("/unwatch tariffs", user="UREADER")


def test_the_app_starts_one_scheduler_and_the_watch_alerts_as_background_services(tmp_path: Path) -> None:
    app = make_bot(tmp_path, ControlledClock(MONDAY_0755)).app
    services = app._background_services()
    assert [type(s) for s in services] == [BriefingScheduler, WatchAlerts, ReviewReminders]
    assert {"subscribe", "unsubscribe", "schedule", "watch", "unwatch"} <= set(app.router.specs)
    assert app.router.specs["subscribe"].admin and not app.router.specs["watch"].admin


SECRET_TITLE = "Tariff retaliation list (confidential)"


def restrict_tariffs(store_dir: Path, *, to: str, title: str = SECRET_TITLE, status: str = "in_talks") -> None:
    topic = store_dir / "deals" / "canada-us" / "topics" / "tariffs.md"
    replace_in(topic, "title: U.S. tariffs on Canadian goods", f'title: {title}\nrestricted_to: ["{to}"]')
    replace_in(topic, "status: open", f"status: {status}")


async def test_a_watch_on_a_topic_that_becomes_restricted_says_nothing_of_it_and_resumes_when_public(
    bot: Bot,
) -> None:
    assert "Watching" in await bot.ask("/watch tariffs", user="UREADER")  # public then, alerts by DM
    alerts = [bot.app.build_watch_alerts(claimant=name, sleep=bot.clock.sleep) for name in "ab"]
    assert [await a.check() for a in alerts] == [0, 0]

    restrict_tariffs(bot.store_dir, to=str(HERE))  # now only C1 may see it, under a new title and status
    bot.app.live_store.reload()
    assert [await a.check() for a in alerts] == [0, 0]  # no alert about it
    (notice,) = bot.delivery.posts  # the watcher is told once, across replicas, without a word of the topic
    assert notice.target == "slack:T1:@UREADER"
    assert notice.reply.title == "A watched topic is no longer available here"
    told = render_text(notice.reply) + notice.key
    for secret in (SECRET_TITLE, "in talks", "tariff", "U.S. tariffs on Canadian goods"):
        assert secret.casefold() not in told.casefold()

    events = bot.store_dir / "deals" / "canada-us" / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8") + NEW_EVENT.replace("negotiating-process", "tariffs"))
    bot.app.live_store.reload()
    assert [await a.check() for a in alerts] == [0, 0]
    assert len(bot.delivery.posts) == 1  # still nothing: a new restricted event is no news for the DM

    topic = bot.store_dir / "deals" / "canada-us" / "topics" / "tariffs.md"
    replace_in(topic, f'restricted_to: ["{HERE}"]\n', "")  # public again: alerts resume from what is there now
    bot.app.live_store.reload()
    assert [await a.check() for a in alerts] == [0, 0]
    replace_in(topic, "status: in_talks", "status: agreed")
    bot.app.live_store.reload()
    assert sorted([await a.check() for a in alerts]) == [0, 1]
    alert = bot.delivery.posts[-1]
    assert alert.reply.sections[0].text == "- Status: in talks → **agreed**"


async def test_a_watch_made_in_an_allowed_channel_never_alerts_a_direct_message_off_the_list(bot: Bot) -> None:
    restrict_tariffs(bot.store_dir, to=str(HERE), status="open")
    bot.app.live_store.reload()
    assert "Watching" in await bot.ask("/watch tariffs", user="UREADER")  # from C1, by DM: not on the list
    assert "Watching" in await bot.ask("/watch tariffs channel:here")  # C1 itself: on the list
    alerts = bot.app.build_watch_alerts(claimant="a", sleep=bot.clock.sleep)
    assert await alerts.check() == 0
    replace_in(bot.store_dir / "deals" / "canada-us" / "topics" / "tariffs.md", "status: open", "status: in_talks")
    bot.app.live_store.reload()
    assert await alerts.check() == 1
    to_dm = [p for p in bot.delivery.posts if p.target == "slack:T1:@UREADER"]
    to_channel = [p for p in bot.delivery.posts if p.target == str(HERE)]
    assert [p.reply.title for p in to_dm] == ["A watched topic is no longer available here"]
    assert SECRET_TITLE not in render_text(to_dm[0].reply) and "in talks" not in render_text(to_dm[0].reply)
    assert [p.reply.title for p in to_channel] == [f"Change in {SECRET_TITLE}"]
    assert to_channel[0].reply.sections[0].text == "- Status: open → **in talks**"


ELSEWHERE = Target.parse("slack:T1:C2")


def restrict_deal(store_dir: Path, to: Target) -> None:
    deal = store_dir / "deals" / "canada-us" / "deal.yaml"
    deal.write_text(deal.read_text(encoding="utf-8") + f'restricted_to: ["{to}"]\n', encoding="utf-8")


async def test_subscribe_refuses_a_channel_off_a_restricted_deals_list(bot: Bot) -> None:
    restrict_deal(bot.store_dir, HERE)
    bot.app.live_store.reload()
    await bot.start_scheduler()
    refused = await bot.app.ask(f"/subscribe canada-us channel:{ELSEWHERE}", HERE, user=ADMIN)
    assert refused.tone is Tone.ERROR
    assert "not on its `restricted_to` list" in render_text(refused)
    assert "Subscribed" in await bot.ask("/subscribe canada-us time:08:00")  # C1 is on the list
    await bot.run_until(dt.datetime(2025, 5, 5, 13, 0, tzinfo=UTC))
    assert bot.delivery.keys() == ["slack:T1:C1|canada-us|2025-05-05"]


async def test_config_subscription_off_a_restricted_deals_list_is_reported_once_and_never_posted(
    tmp_path: Path, clock: ControlledClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.reset(MONDAY_0755)
    toronto = "America/Toronto"
    configured = [SubscriptionConfig(target=str(t), deal="canada-us", timezone=toronto) for t in (HERE, ELSEWHERE)]
    bot = make_bot(tmp_path, clock, *configured)
    restrict_deal(bot.store_dir, HERE)
    bot.app.live_store.reload()
    try:
        scheduler = await bot.start_scheduler()
        assert scheduler.withheld == {
            f"{ELSEWHERE}|canada-us": f"deal 'canada-us' is restricted_to other targets, not {ELSEWHERE}"
        }
        await bot.run_until(dt.datetime(2025, 5, 6, 13, 0, tzinfo=UTC))  # two days, many reloads
        assert bot.delivery.keys() == ["slack:T1:C1|canada-us|2025-05-05", "slack:T1:C1|canada-us|2025-05-06"]
        reported = [r for r in caplog.records if "not scheduled" in r.getMessage()]
        assert len(reported) == 1 and f"{ELSEWHERE}|canada-us" in reported[0].getMessage()
    finally:
        assert bot.scheduler is not None
        await bot.scheduler.stop()
        assert bot.app.state is not None
        await bot.app.state.close()


async def test_a_deal_restricted_after_subscribing_is_never_composed_for_the_old_channel(bot: Bot) -> None:
    from bot.scheduler.runner import BriefingRunner, Result
    from bot.state.subscriptions import Subscription

    restrict_deal(bot.store_dir, HERE)  # after the subscription was made, before the run; no reload in between
    bot.app.live_store.reload()
    state = await bot.app.open_state()
    runner = BriefingRunner(
        state=state,
        store=lambda: bot.app.live_store.current,
        deliveries=bot.app.deliveries,
        claimant="test",
        now=bot.clock.now,
        sleep=bot.clock.sleep,
    )
    subscription = Subscription.from_config(SubscriptionConfig(target=str(ELSEWHERE), deal="canada-us"))
    bot.clock.set(dt.datetime(2025, 5, 5, 12, 0, tzinfo=UTC))
    assert await runner.run(subscription, dt.datetime(2025, 5, 5, 12, 0, tzinfo=UTC)) is Result.SKIPPED
    assert bot.delivery.posts == []
    (post,) = await claims.history(state, target=str(ELSEWHERE))
    assert post.state is PostState.SKIPPED
    assert post.error == f"deal 'canada-us' is restricted_to other targets, not {ELSEWHERE}"


class RateLimitedNotices(RecordingDelivery):
    """Refuses the subscribed channel for good, and rate-limits the maintainers' channel ``limited`` times."""

    def __init__(self, clock: ControlledClock, limited: int) -> None:
        super().__init__(clock)
        self.limited = limited
        self.refuse[str(HERE)] = "channel_not_found"

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        if str(target) == MAINTAINERS and self.limited:
            self.limited -= 1
            raise TransientDeliveryError("rate limited", retry_after=30.0)
        return await super().deliver(target, reply, key)


@pytest.mark.parametrize(("limited", "told"), [(2, True), (99, False)])
async def test_a_pause_notice_that_is_rate_limited_is_retried_and_never_recorded_as_told(
    tmp_path: Path, clock: ControlledClock, limited: int, told: bool
) -> None:
    clock.reset(MONDAY_0755)
    toronto = SubscriptionConfig(target=str(HERE), deal="canada-us", timezone="America/Toronto")
    bot = make_bot(tmp_path, clock, toronto)
    bot.delivery = RateLimitedNotices(clock, limited)
    bot.app.deliveries["slack"] = bot.delivery
    try:
        await bot.start_scheduler()
        await bot.run_until(dt.datetime(2025, 5, 5, 13, 0, tzinfo=UTC))
        notices = [p for p in bot.delivery.posts if p.target == MAINTAINERS]
        assert len(notices) == (1 if told else 0)
        assert bot.app.state is not None
        (notice,) = await claims.history(bot.app.state, target=MAINTAINERS)
        assert notice.kind == "notice"
        if told:
            assert notice.state is PostState.SENT  # after the Retry-After waits, within the window
        else:
            assert notice.state is PostState.FAILED and "rate limited" in (notice.error or "")
    finally:
        assert bot.scheduler is not None
        await bot.scheduler.stop()
        assert bot.app.state is not None
        await bot.app.state.close()


async def test_a_store_frozen_at_a_date_posts_no_daily_briefing_and_says_so(
    tmp_path: Path, clock: ControlledClock
) -> None:
    clock.reset(MONDAY_0755)
    toronto = SubscriptionConfig(target=str(HERE), deal="canada-us", timezone="America/Toronto")
    bot = make_bot(tmp_path, clock, toronto)
    frozen = bot.app.settings.model_copy(update={"as_of": dt.date(2025, 5, 2)})
    bot.app = App(frozen, clock=Clock(as_of=frozen.as_of, timezone=frozen.timezone, now=clock.now))
    bot.app.deliveries["slack"] = bot.delivery
    try:
        await bot.start_scheduler()
        assert bot.scheduler is not None and bot.scheduler.next_fire_time() is None  # nothing scheduled
        await bot.run_until(dt.datetime(2025, 5, 9, 13, 0, tzinfo=UTC))
        assert bot.delivery.posts == []  # not a "2 Dec 2026 ... Quiet day" nor a 2 May briefing dated today
        schedule = await bot.ask("/schedule")
        assert "frozen at 2025-05-02" in schedule and "no daily briefings are posted" in schedule
        brief = await bot.ask("/brief")  # what a reader asks for is still the briefing as of the frozen date
        assert "2 May 2025" in brief
    finally:
        assert bot.scheduler is not None
        await bot.scheduler.stop()
        assert bot.app.state is not None
        await bot.app.state.close()
