"""Direct messages to a Discord user (``discord:GUILD:@USER``, the target of a personal /watch), through the real
discord.py client against the fake Discord on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord import DiscordService
from bot.adapters.discord_delivery import nonce_for
from bot.app import App
from bot.errors import PermanentDeliveryError
from bot.render_text import render_text
from bot.reply import Reply
from bot.targets import Target
from handlers import ALL_COMMANDS
from tests.adapters.conftest_discord import connected, discord_app, running_fake
from tests.fakes.discord_api import CHANNEL_ID, GUILD_ID, USER_ID, FakeDiscord

NO_MENTIONS: dict[str, list[str]] = {"parse": []}
CHANNEL = Target("discord", (str(GUILD_ID), str(CHANNEL_ID)))
DM = Target("discord", (str(GUILD_ID), f"@{USER_ID}"))
OTHER_USER = USER_ID + 7


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


@pytest.fixture
def app(tmp_path: Path, fake: FakeDiscord) -> App:
    return discord_app(tmp_path, fake, commands=ALL_COMMANDS, admins=[str(USER_ID)])


@pytest.fixture
async def service(app: App, fake: FakeDiscord) -> AsyncIterator[DiscordService]:
    async with connected(app, fake) as running:
        yield running


async def test_a_briefing_reaches_the_user_in_their_dm_channel_once(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    briefing = await app.ask("/brief northwind-fisheries", DM)
    key = f"{DM}/northwind-fisheries/2030-03-10"

    first = await app.deliveries["discord"].deliver(DM, briefing, key)
    again = await app.deliveries["discord"].deliver(DM, briefing, key)  # a repeat the post log would not make

    (opened,) = fake.dm_opens()
    assert int(opened.body["recipient_id"]) == USER_ID
    dm_channel = fake.dm_channels[USER_ID]
    assert dm_channel != CHANNEL_ID
    posts = fake.message_posts()
    assert [p.path for p in posts] == [f"/channels/{dm_channel}/messages"] * 2
    body = posts[0].body
    assert body["nonce"] == nonce_for(key) and body["enforce_nonce"] is True
    assert body["allowed_mentions"] == NO_MENTIONS
    assert body["embeds"][0]["title"].startswith("Daily briefing")
    assert body["embeds"][0]["footer"]["text"].endswith(f"key {key}")
    assert again == first  # the repeated nonce returns the earlier message: the user sees it once
    assert [m["id"] for m in fake.messages.values() if m["channel_id"] == str(dm_channel)] == [first]


async def test_later_posts_finds_and_edits_reuse_the_dm_channel(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    delivery = service.delivery
    first = await delivery.deliver(DM, await app.ask("/brief northwind-fisheries", DM), "watch/cod-quota/1")
    await delivery.deliver(DM, Reply(title="Cod quota changed"), "watch/cod-quota/2")
    assert await delivery.find_post(DM, "watch/cod-quota/1") == first
    assert await delivery.update(DM, first, Reply(title="Reissued"), "watch/cod-quota/1") == first
    await delivery.check(DM)

    assert len(fake.dm_opens()) == 1  # one DM channel per user, remembered
    dm_channel = fake.dm_channels[USER_ID]
    assert [p.path for p in fake.message_posts()] == [f"/channels/{dm_channel}/messages"] * 2
    (edit,) = [r for r in fake.requests if r.method == "PATCH"]
    assert edit.path == f"/channels/{dm_channel}/messages/{first}"
    assert edit.body["allowed_mentions"] == NO_MENTIONS
    assert fake.messages[int(first)]["embeds"][0]["title"] == "Reissued"  # replaced in place in the DM


async def test_closed_dms_fail_permanently_with_the_reason_and_are_not_retried(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    fake.closed_dms.add(USER_ID)

    with pytest.raises(PermanentDeliveryError) as failed:
        await service.delivery.deliver(DM, Reply(title="Cod quota changed"), "k")

    assert failed.value.reason == "dm_closed"
    assert failed.value.target == str(DM)
    assert "does not accept direct messages" in str(failed.value)
    assert len(fake.message_posts()) == 1  # one attempt, no retry loop
    assert not fake.messages


async def test_an_unknown_user_or_a_malformed_user_target_fails_permanently(
    fake: FakeDiscord, service: DiscordService
) -> None:
    fake.unknown_users.add(OTHER_USER)
    nobody = Target("discord", (str(GUILD_ID), f"@{OTHER_USER}"))

    with pytest.raises(PermanentDeliveryError) as unknown:
        await service.delivery.deliver(nobody, Reply(title="Hello"), "k")
    assert unknown.value.reason == "unknown_user"
    with pytest.raises(PermanentDeliveryError) as checked:
        await service.delivery.check(nobody)  # asked when a subscription is made
    assert checked.value.reason == "unknown_user"
    with pytest.raises(PermanentDeliveryError) as bad:
        await service.delivery.deliver(Target("discord", (str(GUILD_ID), "@reader")), Reply(title="Hello"), "k")
    assert bad.value.reason == "bad_target"
    assert not fake.message_posts()


async def test_subscribe_explains_how_to_fix_a_deleted_channel(
    app: App, fake: FakeDiscord, service: DiscordService
) -> None:
    fake.channel_errors[402] = (404, 10003, "Unknown Channel")

    command = f"/subscribe northwind-fisheries channel:discord:{GUILD_ID}:402"
    answer = render_text(await app.ask(command, CHANNEL, user=str(USER_ID)))

    assert "Briefbot cannot post there yet" in answer
    assert "was deleted, or the id is wrong" in answer
