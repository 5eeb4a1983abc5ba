"""End to end through the real discord.py client against a fake Discord (REST and gateway) on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.adapters.discord import DiscordService
from bot.adapters.discord_client import BriefbotClient
from bot.adapters.discord_delivery import nonce_for
from bot.app import App
from bot.commands import CommandSpec
from bot.context import Context
from bot.credentials import Secrets
from bot.errors import ConfigError, PermanentDeliveryError
from bot.posting import PostOutcome, RetryPolicy
from bot.reply import Choice, Reply, Tone
from bot.router import CommandDef
from bot.targets import Target
from handlers import CORE_COMMANDS
from tests.adapters.conftest import PostOnce
from tests.adapters.conftest_discord import connected, discord_app, running_fake
from tests.fakes.discord_api import APP_ID, CHANNEL_ID, GUILD_ID, FakeDiscord

EPHEMERAL = 64
NO_MENTIONS: dict[str, list[str]] = {"parse": []}
TARGET = Target("discord", (str(GUILD_ID), str(CHANNEL_ID)))


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


@pytest.fixture
def app(tmp_path: Path, fake: FakeDiscord) -> App:
    return discord_app(tmp_path, fake)


@pytest.fixture
async def service(app: App, fake: FakeDiscord) -> AsyncIterator[DiscordService]:
    async with connected(app, fake) as running:
        yield running


def _components(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components", []) for c in row["components"]]


def _custom_id(message: dict[str, Any], label: str) -> str:
    return str(next(c["custom_id"] for c in _components(message) if c.get("label") == label))


async def test_logs_in_and_answers_status_with_an_embed(app: App, fake: FakeDiscord, service: DiscordService) -> None:
    assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    log = fake.gateway_log
    assert log.index(("send", 10, None)) < log.index(("recv", 2, None)) < log.index(("send", 0, "READY"))
    assert fake.identify_payloads[0]["intents"] == 0  # no intents at all, certainly no privileged ones
    assert app.deliveries["discord"] is service.delivery

    body = await fake.callback(fake.command("status", {"topic": "cod"}))

    assert body["type"] == 4
    message = body["data"]
    assert message["flags"] & EPHEMERAL
    embed = message["embeds"][0]
    assert embed["title"] == "Cod quota"
    assert "two-season cut in the cod catch" in embed["description"]
    assert "funds part of the patrol fleet" in str(embed["fields"])
    assert "Sources: Northwind Ministry of Fisheries and Forestry" in embed["footer"]["text"]
    assert [c["label"] for c in _components(message)] == ["Post publicly"]
    assert message["allowed_mentions"] == NO_MENTIONS


async def test_a_wrong_token_is_a_clear_configuration_error(tmp_path: Path, fake: FakeDiscord) -> None:
    app = discord_app(tmp_path, fake)
    service = app.__class__(app.settings, Secrets(discord_token="not-the-token")).platform_service("discord")
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        await service.start()
    await service.stop()
    assert fake.identifies == 0


async def test_autocomplete_offers_people_topics_and_aliases(fake: FakeDiscord, service: DiscordService) -> None:
    body = await fake.callback(fake.command("who", {"person": "lind"}, focused="person"))
    assert body["type"] == 8
    choices = body["data"]["choices"]
    assert {"name": "Ada Lindqvist", "value": "ada-lindqvist"} in choices
    assert len(choices) <= 25

    stumpage = await fake.callback(fake.command("status", {"topic": "stumpage"}, focused="topic"))
    assert stumpage["data"]["choices"][0]["value"] == "log-prices"  # "stumpage" is an alias of log prices
    deals = await fake.callback(fake.command("timeline", {"subject": ""}, focused="subject"))
    assert {"northwind-fisheries", "northwind-timber"} <= {c["value"] for c in deals["data"]["choices"]}


async def test_post_publicly_answers_again_for_the_whole_channel(fake: FakeDiscord, service: DiscordService) -> None:
    private = (await fake.callback(fake.command("status", {"topic": "cod"})))["data"]

    public = await fake.callback(fake.click(private, _custom_id(private, "Post publicly")))

    assert public["type"] == 4
    assert not public["data"].get("flags", 0) & EPHEMERAL
    assert public["data"]["embeds"][0]["title"] == "Cod quota"
    assert not _components(public["data"])  # nothing left to share


async def test_ambiguous_answers_offer_buttons_or_a_menu_that_answer_when_picked(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    async def every_topic(command: Any, ctx: Context) -> Reply:  # more candidates than a row of buttons holds
        topics = sorted((t for d in ctx.store.deals.values() for t in d.topics.values()), key=lambda t: t.topic.title)
        choices = tuple(Choice(t.topic.title, f"/status {t.id} deal:{t.deal_id}") for t in topics)
        return Reply(title="Which topic?", tone=Tone.QUESTION, choices=choices)

    commands = (*CORE_COMMANDS, CommandDef(CommandSpec("pick", "Pick a topic"), every_topic))
    async with connected(discord_app(tmp_path, fake, commands=commands), fake):
        question = (await fake.callback(fake.command("status", {"topic": "port"})))["data"]
        labels = [c["label"] for c in _components(question)]
        assert len(labels) == 2 and all(label.startswith("Port access") for label in labels)
        timber = next(label for label in labels if "timber" in label.lower())
        picked = await fake.callback(fake.click(question, _custom_id(question, timber)))
        assert picked["type"] == 7  # the question is replaced in place by the answer
        assert picked["data"]["embeds"][0]["title"] == "Port access for timber shipments"
        assert [c["label"] for c in _components(picked["data"])] == ["Post publicly"]

        many = (await fake.callback(fake.command("pick")))["data"]
        (menu,) = _components(many)
        assert menu["type"] == 3 and len(menu["options"]) > 5
        levy = next(o["value"] for o in menu["options"] if o["label"].startswith("Log prices"))
        chosen = await fake.callback(fake.click(many, menu["custom_id"], values=[levy]))
        assert chosen["data"]["embeds"][0]["title"] == "Log prices"


async def test_bad_input_is_answered_privately_with_how_to_fix_it(fake: FakeDiscord, service: DiscordService) -> None:
    body = await fake.callback(fake.command("status", {"topic": "cod", "date": "2030-13-45"}))
    message = body["data"]
    assert message["flags"] & EPHEMERAL
    assert message["embeds"][0]["title"] == "That did not work"
    assert "date" in message["embeds"][0]["description"]
    assert not _components(message)  # errors get no share button


async def test_direct_messages_work(fake: FakeDiscord, service: DiscordService) -> None:
    dm = await fake.callback(fake.command("who", {"person": "lindqvist"}, guild_id=None))
    assert dm["data"]["embeds"][0]["title"] == "Ada Lindqvist"


async def test_a_slow_answer_is_acknowledged_first_then_edited_in(tmp_path: Path, fake: FakeDiscord) -> None:
    gate = asyncio.Event()

    async def slow(command: Any, ctx: Context) -> Reply:
        await gate.wait()  # held until the test has seen the acknowledgement
        return Reply(title="Worth the wait")

    app = discord_app(tmp_path, fake, commands=(*CORE_COMMANDS, CommandDef(CommandSpec("slow", "Slow"), slow)))
    async with connected(app, fake) as service:
        service.defer_after = 0.05
        thinking = await fake.callback(fake.command("slow"))
        assert thinking["type"] == 5 and thinking["data"]["flags"] & EPHEMERAL
        gate.set()
        edit = await fake.wait_for_request("PATCH", rf"/webhooks/{APP_ID}/[^/]+/messages/@original")
    assert edit.body["embeds"][0]["title"] == "Worth the wait"
    assert edit.body["allowed_mentions"] == NO_MENTIONS


async def test_admins_by_role_or_user_id(tmp_path: Path, fake: FakeDiscord) -> None:
    async def secret(command: Any, ctx: Context) -> Reply:
        return Reply(title="Admin answer")

    commands = (*CORE_COMMANDS, CommandDef(CommandSpec("secret", "Admins only", admin=True), secret))
    app = discord_app(tmp_path, fake, commands=commands, admins=["777", "888"])
    async with connected(app, fake):
        refused = await fake.callback(fake.command("secret", roles=(123,)))
        by_role = await fake.callback(fake.command("secret", roles=(777,)))
        by_user = await fake.callback(fake.command("secret", user_id=888))
    assert "for Briefbot admins" in refused["data"]["embeds"][0]["description"]
    assert by_role["data"]["embeds"][0]["title"] == "Admin answer"
    assert by_user["data"]["embeds"][0]["title"] == "Admin answer"


async def test_a_briefing_arrives_at_the_channel_once_per_key(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    briefing = await app.ask("/brief northwind-fisheries", TARGET)
    key = f"{TARGET}/northwind-fisheries/2030-03-10"

    first = await app.deliveries["discord"].deliver(TARGET, briefing, key)
    again = await app.deliveries["discord"].deliver(TARGET, briefing, key)  # a repeat the post log would not make

    posts = fake.message_posts()
    assert [p.path for p in posts] == [f"/channels/{CHANNEL_ID}/messages"] * 2
    body = posts[0].body
    assert body["nonce"] == nonce_for(key) and body["enforce_nonce"] is True
    assert body["embeds"][0]["title"].startswith("Daily briefing")
    assert body["embeds"][0]["footer"]["text"].endswith(f"key {key}")
    assert body["allowed_mentions"] == NO_MENTIONS
    assert again == first  # Discord (and the fake) return the earlier message for a repeated nonce

    assert await service.delivery.find_post(TARGET, key) == first
    reissued = await service.delivery.update(TARGET, first, await app.ask("/deal northwind-fisheries", TARGET), key)
    assert reissued == first
    edit = fake.requests[-1]
    assert edit.method == "PATCH" and edit.path == f"/channels/{CHANNEL_ID}/messages/{first}"
    assert edit.body["embeds"][0]["title"] == "Northwind–Southland fisheries accord"
    assert edit.body["allowed_mentions"] == NO_MENTIONS


async def test_unpostable_channels_fail_permanently_and_server_errors_are_never_reposted_blindly(
    app: App, fake: FakeDiscord, service: DiscordService, post_once: PostOnce
) -> None:
    reply = Reply(title="Briefing")
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    fake.channel_errors[401] = (403, 50013, "Missing Permissions")
    fake.channel_errors[402] = (404, 10003, "Unknown Channel")
    fake.channel_errors[403] = (503, 0, "Service Unavailable")
    for channel, reason in ((401, "missing_permissions"), (402, "unknown_channel")):
        failed = await post_once(
            service.delivery, Target("discord", ("1", str(channel))), reply, f"k-{channel}", sleep=no_sleep
        )
        assert failed.outcome is PostOutcome.REFUSED and failed.refusal is not None
        assert failed.refusal.reason == reason
    assert slept == []  # no retry loop for a channel that cannot be posted to
    with pytest.raises(PermanentDeliveryError) as gone:
        await service.delivery.check(Target("discord", ("1", "402")))  # asked when a subscription is made
    assert gone.value.reason == "unknown_channel"
    await service.delivery.check(TARGET)
    with pytest.raises(PermanentDeliveryError) as bad:
        await service.delivery.deliver(Target("discord", ("1", "general")), reply, "k")
    assert bad.value.reason == "bad_target"

    # A 503 may hide a post that landed, and this channel answers 503 to the search too: the post is recorded as
    # uncertain, not posted again blindly (a gap is better than a duplicate).
    policy = RetryPolicy(attempts=3, late_commit=dt.timedelta(0))
    failed = await post_once(
        service.delivery, Target("discord", ("1", "403")), reply, "k-503", sleep=no_sleep, policy=policy
    )
    assert failed.outcome is PostOutcome.UNCERTAIN
    assert "503" in (failed.error or "")
    assert slept == []
    assert [p.path for p in fake.message_posts()].count("/channels/403/messages") == 1


async def test_every_message_sent_allows_no_mentions(app: App, fake: FakeDiscord, service: DiscordService) -> None:
    await fake.callback(fake.command("search", {"words": "@everyone <@123> cod"}))
    private = (await fake.callback(fake.command("status", {"topic": "cod"})))["data"]
    await fake.callback(fake.click(private, _custom_id(private, "Post publicly")))
    question = (await fake.callback(fake.command("status", {"topic": "port"})))["data"]
    await fake.callback(fake.click(question, _custom_id(question, _components(question)[0]["label"])))
    await service.delivery.deliver(TARGET, await app.ask("/brief northwind-fisheries", TARGET), "key-1")

    payloads = fake.message_payloads()
    assert len(payloads) == 6
    assert all(p["allowed_mentions"] == NO_MENTIONS for p in payloads)
    assert all("@everyone" not in str(p["embeds"]) for p in payloads)


async def test_commands_sync_once_and_not_again_on_restart(tmp_path: Path, fake: FakeDiscord) -> None:
    async with connected(discord_app(tmp_path, fake), fake) as first:
        assert first.syncs == 1
    (sync,) = fake.syncs()
    assert sync.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"  # dev guild: instant
    assert sorted(c["name"] for c in sync.body) == sorted(c.spec.name for c in CORE_COMMANDS)
    status = next(c for c in sync.body if c["name"] == "status")
    topic = next(o for o in status["options"] if o["name"] == "topic")
    assert topic["required"] is True and topic["autocomplete"] is True and topic["description"]

    async with connected(discord_app(tmp_path, fake), fake) as restarted:
        assert restarted.syncs == 0 and restarted.setups == 1
    assert len(fake.syncs()) == 1  # unchanged definitions: no call at all

    async with connected(discord_app(tmp_path, fake, commands=CORE_COMMANDS[:-1]), fake):
        pass
    assert len(fake.syncs()) == 2  # a changed definition syncs again


async def test_without_dev_guilds_commands_sync_globally(tmp_path: Path, fake: FakeDiscord) -> None:
    async with connected(discord_app(tmp_path, fake, guilds=()), fake):
        pass
    assert [s.path for s in fake.syncs()] == [f"/applications/{APP_ID}/commands"]


async def test_after_disconnect_and_resume_exactly_one_scheduler_runs(
    tmp_path: Path, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[AsyncIOScheduler] = []
    scheduler_started = asyncio.Event()
    original = AsyncIOScheduler.start

    def spy(self: AsyncIOScheduler, *args: Any, **kwargs: Any) -> Any:
        started.append(self)
        scheduler_started.set()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AsyncIOScheduler, "start", spy)

    async def no_identify_wait(self: BriefbotClient, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before identifying again (Discord's identify rate limit); not against the fake."""

    monkeypatch.setattr(BriefbotClient, "before_identify_hook", no_identify_wait)
    app = discord_app(tmp_path, fake)
    run = asyncio.create_task(app.run(console=False))  # the real App: platforms, then background services
    try:
        await fake.wait_until(lambda: fake.identifies == 1)
        service = next(s for s in app.services if isinstance(s, DiscordService))
        async with asyncio.timeout(5):
            await service.ready.wait()
            await scheduler_started.wait()
        assert service.client is not None
        resumed = asyncio.ensure_future(service.client.wait_for("resumed"))

        await fake.drop()  # a network blip: the client reconnects and resumes the session
        async with asyncio.timeout(5):
            await resumed
        assert (fake.connections, fake.resumes, fake.identifies) == (2, 1, 1)

        service.ready.clear()
        await fake.invalidate()  # a new session: READY again, so on_ready fires a second time
        async with asyncio.timeout(5):
            await service.ready.wait()
        assert fake.identifies == 2 and service.ready_count == 2

        answer = await fake.callback(fake.command("who", {"person": "lindqvist"}))
        assert answer["data"]["embeds"][0]["title"] == "Ada Lindqvist"
        assert len([s for s in started if s.running]) == 1  # exactly one scheduler, not merely "not two"
        assert len(started) == 1 and service.setups == 1
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
    assert not any(s.running for s in started)


async def test_a_button_from_an_older_version_is_answered_not_ignored(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    stale = fake.click({"content": "an old answer", "components": []}, "briefbot:v0:gone")

    answer = await fake.callback(stale)

    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "out of date" in answer["data"]["embeds"][0]["description"]


async def test_a_command_missing_a_required_option_says_it_is_out_of_date_and_resyncs(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    syncs = len(fake.syncs())

    answer = await fake.callback(fake.command("status", {}))  # Discord's copy predates the required topic option

    assert answer["data"]["flags"] & EPHEMERAL
    shown = answer["data"]["embeds"][0]
    assert "out of date" in shown.get("description", "") + shown.get("title", "")
    assert "went wrong" not in str(shown)
    await fake.wait_until(lambda: len(fake.syncs()) > syncs)  # the current definitions were pushed at once
