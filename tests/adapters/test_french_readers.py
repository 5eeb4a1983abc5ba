"""A French-speaking reader gets French answers on both platforms, from the locale each platform gives: Discord
sends it on every interaction; Slack gives it through ``users.info`` (asked once per user, never again once the
workspace refuses the scope). ``lang:`` on the command still wins, and a channel's configured language is the
fallback."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord import DiscordService
from bot.app import App
from bot.config import BUNDLED_STORE
from tests.adapters.conftest import socket_app, started
from tests.adapters.conftest_discord import connected, discord_app, running_fake
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import TEAM_ID, FakeSlack

FRENCH_TITLE = "Droits de douane américains sur les produits canadiens"
ENGLISH_TITLE = "U.S. tariffs on Canadian goods"

BUNDLED_AS_OF = dt.date(2025, 5, 2)  # these tests read the bundled store's French translations


@pytest.fixture
async def slack_app(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[App]:
    """The adapters' Slack app, on the bundled store (its French translations) rather than the fixture store."""
    app = socket_app(tmp_path, fake_slack, store=BUNDLED_STORE, as_of=BUNDLED_AS_OF)
    service = await started(app, fake_slack)
    yield app
    await service.stop()


def header(ack: dict[str, Any]) -> str:
    return str(ack["blocks"][0]["text"]["text"])


def shown(ack: dict[str, Any]) -> str:
    return str(ack)


# --- Slack ----------------------------------------------------------------------------------------------------


async def test_a_french_slack_user_is_answered_in_french(slack_app: App, fake_slack: FakeSlack) -> None:
    fake_slack.user_locales["U0FRENCH"] = "fr-CA"

    ack = await fake_slack.slash_command("/status", "tarifs", user="U0FRENCH")

    assert header(ack) == FRENCH_TITLE
    assert "Mise à jour : vers le 1er mai 2025" in shown(ack)
    assert "Sources : CBC News" in shown(ack)
    assert [b["text"]["text"] for b in ack["blocks"][-1]["elements"]] == ["Partager dans le canal"]
    asked = fake_slack.calls_to("users.info")
    assert [(c.args["user"], str(c.args["include_locale"]).lower() in ("1", "true")) for c in asked] == [
        ("U0FRENCH", True)
    ]

    await fake_slack.slash_command("/who", "clow", user="U0FRENCH")
    assert len(fake_slack.calls_to("users.info")) == 1  # remembered, not asked on every command


async def test_an_english_slack_user_gets_english_and_lang_overrides(slack_app: App, fake_slack: FakeSlack) -> None:
    fake_slack.user_locales["U0FRENCH"] = "fr-CA"

    assert header(await fake_slack.slash_command("/status", "tarifs", user="U0ENGLISH")) == ENGLISH_TITLE
    assert header(await fake_slack.slash_command("/status", "tariffs lang:en", user="U0FRENCH")) == ENGLISH_TITLE
    assert header(await fake_slack.slash_command("/status", "steel lang:fr", user="U0ENGLISH")) == FRENCH_TITLE


async def test_without_the_users_read_scope_the_channel_language_is_used(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    fake.scopes_missing.add("users.info")
    fake.user_locales["U0FRENCH"] = "fr-CA"
    app = socket_app(tmp_path, fake, store=BUNDLED_STORE, as_of=BUNDLED_AS_OF)
    app.settings.channel_languages[f"slack:{TEAM_ID}:C0FR"] = "fr"
    service = await started(app, fake)
    try:
        assert header(await fake.slash_command("/status", "tariffs", user="U0FRENCH")) == ENGLISH_TITLE
        assert header(await fake.slash_command("/status", "tariffs", user="U0FRENCH", channel="C0FR")) == FRENCH_TITLE
        assert len(fake.calls_to("users.info")) == 1  # refused once: not asked again
    finally:
        await service.stop()
        await fake.close()


# --- Discord --------------------------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def service(tmp_path: Path, fake: FakeDiscord) -> AsyncIterator[DiscordService]:
    async with connected(discord_app(tmp_path, fake, store=BUNDLED_STORE, as_of=BUNDLED_AS_OF), fake) as running:
        yield running


async def test_a_french_discord_interaction_is_answered_in_french(fake: FakeDiscord, service: DiscordService) -> None:
    interaction = fake.command("who", {"person": "clow"})
    interaction["locale"] = "fr"

    message = (await fake.callback(interaction))["data"]
    embed = message["embeds"][0]

    assert embed["title"] == "Brian Clow"
    assert [c["label"] for row in message["components"] for c in row["components"]] == ["Publier pour tous"]
    names = [f["name"] for f in embed["fields"]]
    assert "Déclarations" in names and "Dossiers" in names
    assert "Ancien responsable des relations canado-américaines" in embed["description"]
    assert "Mise à jour : vers le 1er mai 2025" in embed["footer"]["text"]
    assert "En date du 2 mai 2025" in embed["footer"]["text"]


async def test_an_english_discord_interaction_stays_english(fake: FakeDiscord, service: DiscordService) -> None:
    interaction = fake.command("status", {"topic": "tarifs"})  # a French alias finds the topic in English too
    assert interaction["locale"] == "en-US"

    embed = (await fake.callback(interaction))["data"]["embeds"][0]

    assert embed["title"] == ENGLISH_TITLE
