"""Discord shows the slash commands in French to French readers: the synced payload carries French names (for the
read-only commands) and French descriptions of every command and option, each within Discord's 100 characters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord_commands import DESCRIPTION_MAX, FRENCH_NAMES
from handlers import ALL_COMMANDS
from tests.adapters.conftest_discord import connected, discord_app, running_fake
from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as running:
        yield running


def _synced(fake: FakeDiscord) -> dict[str, dict[str, Any]]:
    (sync,) = fake.syncs()
    return {c["name"]: c for c in sync.body}


async def test_the_synced_commands_carry_french_names_and_descriptions(tmp_path: Path, fake: FakeDiscord) -> None:
    async with connected(discord_app(tmp_path, fake, commands=ALL_COMMANDS), fake):
        pass
    commands = _synced(fake)

    status = commands["status"]
    assert status["name_localizations"] == {"fr": "statut"}
    assert status["description_localizations"]["fr"].startswith("Où en est un dossier")
    topic = next(o for o in status["options"] if o["name"] == "topic")
    assert topic["description_localizations"]["fr"] and not topic.get("name_localizations")  # typed as named
    assert commands["brief"]["name_localizations"] == {"fr": "bulletin"}
    for command in commands.values():  # every command and option speaks French, within Discord's limit
        french = command["description_localizations"]["fr"]
        assert french != command["description"] and len(french) <= DESCRIPTION_MAX
        for option in command.get("options", []):
            assert 0 < len(option["description_localizations"]["fr"]) <= DESCRIPTION_MAX
    names = [c["name_localizations"].get("fr", c["name"]) for c in commands.values()]
    assert len(set(names)) == len(names)  # no two commands share a French name
    assert set(FRENCH_NAMES) <= set(commands)


async def test_a_change_of_translation_alone_syncs_again(
    tmp_path: Path, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with connected(discord_app(tmp_path, fake), fake):
        pass
    async with connected(discord_app(tmp_path, fake), fake):
        pass
    assert len(fake.syncs()) == 1
    monkeypatch.setitem(FRENCH_NAMES, "status", "etat")
    async with connected(discord_app(tmp_path, fake), fake):
        pass
    assert len(fake.syncs()) == 2
    (status,) = [c for c in fake.syncs()[-1].body if c["name"] == "status"]
    assert status["name_localizations"] == {"fr": "etat"}
