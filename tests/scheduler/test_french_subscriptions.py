"""A subscription's language: ``language:`` on /subscribe (kept in the state database), ``language:`` on a config
subscription, else the channel's language from config. The real scheduler posts each channel its briefing in its
language, on SQLite, on the first day (dated changes) and the next (the digest against the last post)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bot.app import App
from bot.clock import Clock
from bot.config import BUNDLED_STORE, HttpConfig, Settings, SubscriptionConfig
from bot.i18n import DEFAULT
from bot.reply import Reply
from bot.scheduler import SchedulerOptions
from bot.state import subscriptions
from bot.targets import Target
from tests.scheduler.edits import replace_in
from tests.scheduler.helpers import ControlledClock, RecordingDelivery
from tests.scheduler.test_chat_commands import ADMIN, MONDAY_0755, Bot

UTC = dt.UTC
ENGLISH = "slack:T1:C1"  # no language anywhere: the bot's
CHAT_FR = "slack:T1:CCHAT"  # /subscribe ... language:fr
CHANNEL_FR = "slack:T1:CFR"  # channel_languages says fr; its config subscription says nothing
CONFIG_EN = "slack:T1:CCONF"  # channel_languages says fr, but its config subscription says language: en


def _bot(tmp_path: Path, clock: ControlledClock) -> tuple[Bot, Settings]:
    store_dir = tmp_path / "briefings"
    shutil.copytree(BUNDLED_STORE, store_dir, ignore=shutil.ignore_patterns("README.md"))
    settings = Settings(
        store=store_dir,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        admins=[ADMIN],
        timezone="America/Toronto",
        channel_languages={CHANNEL_FR: "fr", CONFIG_EN: "fr-CA"},
        subscriptions=[
            SubscriptionConfig(target=CHANNEL_FR, deal="canada-us", timezone="America/Toronto"),
            SubscriptionConfig(target=CONFIG_EN, deal="canada-us", timezone="America/Toronto", language="en"),
        ],
        http=HttpConfig(enabled=False),
    )
    app = App(settings, clock=Clock(timezone=settings.timezone, now=clock.now))
    delivery = RecordingDelivery(clock)
    app.deliveries["slack"] = delivery
    return Bot(app, clock, delivery, store_dir), settings


def _posted(bot: Bot, day: str) -> dict[str, Reply]:
    return {p.target: p.reply for p in bot.delivery.posts if p.key.endswith(day)}


def _progress(reply: Reply) -> list[tuple[int, int, str]]:
    return [(p.done, p.total, p.note) for s in reply.sections for p in s.progress]


async def test_each_channel_gets_its_briefing_in_its_language(tmp_path: Path, clock: ControlledClock) -> None:
    clock.reset(MONDAY_0755)
    bot, settings = _bot(tmp_path, clock)
    # the app passes the scheduler a channel's language from config, else the bot's
    bot.scheduler = bot.app.build_scheduler(sleep=clock.sleep, options=SchedulerOptions(lease_seconds=120))
    try:
        await bot.scheduler.start()
        answer = await bot.ask("/subscribe time:08:00 timezone:America/Toronto language:fr channel:" + CHAT_FR)
        assert "in French" in answer
        assert "Subscribed" in await bot.ask("/subscribe time:08:00 timezone:America/Toronto")
        assert bot.app.state is not None
        stored = {s.target: s.language for s in await subscriptions.effective(bot.app.state, settings.subscriptions)}
        assert stored == {CHAT_FR: "fr", ENGLISH: None, CHANNEL_FR: None, CONFIG_EN: "en"}

        await bot.run_until(dt.datetime(2025, 5, 5, 13, 0, tzinfo=UTC))
        monday = _posted(bot, "2025-05-05")
        assert {t: r.language for t, r in monday.items()} == {
            ENGLISH: DEFAULT,
            CHAT_FR: "fr",
            CHANNEL_FR: "fr",
            CONFIG_EN: "en",
        }
        assert (
            monday[CHAT_FR].title == "Bulletin quotidien : Pourparlers Canada–États-Unis sur le commerce et la sécurité"
        )
        assert monday[CHAT_FR].subtitle == "5 mai 2025" and monday[ENGLISH].subtitle == "5 May 2025"
        assert _progress(monday[CHAT_FR]) == _progress(monday[ENGLISH])

        # Tuesday's briefing is the digest against Monday's post: the same change, said in each language
        replace_in(bot.store_dir / "deals" / "canada-us" / "topics" / "tariffs.md", "status: open", "status: in_talks")
        bot.app.live_store.reload()
        await bot.run_until(dt.datetime(2025, 5, 6, 13, 0, tzinfo=UTC))
        tuesday = _posted(bot, "2025-05-06")
        assert tuesday[ENGLISH].sections[0].text.startswith("U.S. tariffs on Canadian goods moved to in talks")
        for french in (tuesday[CHAT_FR], tuesday[CHANNEL_FR]):
            top = french.sections[0].text or ""
            assert top.startswith("Droits de douane américains sur les produits canadiens : désormais en négociation")
            since = next(s for s in french.sections if s.heading == "Depuis le 5 mai 2025")
            assert "ouvert → **en négociation**" in (since.text or "")
        assert tuesday[CONFIG_EN].sections[0].text == tuesday[ENGLISH].sections[0].text

        # what an admin previews for that channel, and a reissue of its post, keep its language
        preview = await bot.ask(f"/preview channel:{CHAT_FR} date:2025-05-07")
        assert "Bulletin quotidien : " in preview
        assert "Briefing reissued" in await bot.ask("/brief reissue", target=Target.parse(CHAT_FR))
        (edit,) = bot.delivery.edits
        assert edit.reply.language == "fr" and edit.reply.subtitle == "6 mai 2025 · updated"
    finally:
        await bot.scheduler.stop()
        if bot.app.state is not None:
            await bot.app.state.close()


def test_a_config_subscription_in_a_language_briefbot_does_not_speak_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not a language Briefbot speaks"):
        SubscriptionConfig(target=ENGLISH, deal="canada-us", language="de")
