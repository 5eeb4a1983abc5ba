"""Helpers for the Discord adapter tests: a fake Discord on loopback and Briefbot apps wired to it.

Not a conftest (``tests/adapters/conftest.py`` belongs to the Slack tests): the Discord tests import these.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.adapters.discord import DiscordService
from bot.app import App
from bot.config import DiscordConfig, HttpConfig, Settings
from bot.credentials import Secrets
from bot.router import CommandDef
from handlers import CORE_COMMANDS
from tests.conftest import SECOND_STORE
from tests.fakes.discord_api import GUILD_ID, FakeDiscord

# Adapter tests run on the small fixture store, so they test the adapter, not the bundled content.
AS_OF = dt.date(2030, 3, 10)
TOKEN = "discord-test-token"


def discord_settings(
    tmp_path: Path, fake: FakeDiscord, *, guilds: Sequence[int] = (GUILD_ID,), **extra: Any
) -> Settings:
    extra.setdefault("store", SECOND_STORE)
    extra.setdefault("as_of", AS_OF)
    return Settings(
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        http=HttpConfig(enabled=False),
        watch=False,
        discord=DiscordConfig(api_url=fake.api_url, gateway_url=fake.gateway_url, dev_guild_ids=list(guilds)),
        **extra,
    )


def discord_app(
    tmp_path: Path,
    fake: FakeDiscord,
    *,
    commands: Sequence[CommandDef] = CORE_COMMANDS,
    guilds: Sequence[int] = (GUILD_ID,),
    **extra: Any,
) -> App:
    return App(
        discord_settings(tmp_path, fake, guilds=guilds, **extra), Secrets(discord_token=TOKEN), commands=commands
    )


@asynccontextmanager
async def running_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord(token=TOKEN).start()
    try:
        yield fake
    finally:
        await fake.close()


@asynccontextmanager
async def connected(app: App, fake: FakeDiscord) -> AsyncIterator[DiscordService]:
    """The app's Discord service, logged in and through READY; stopped (and its state closed) on exit."""
    service = app.platform_service("discord")
    assert isinstance(service, DiscordService)
    await service.start()
    try:
        await fake.wait_until(lambda: ("send", 0, "READY") in fake.gateway_log)
        async with asyncio.timeout(5):
            await service.connected.wait()
            # and on_ready has run: stopped before it, discord.py's scheduled handler task would be dropped with the
            # test's event loop ("coroutine 'Client._run_event' was never awaited", an error in a later test)
            await service.ready.wait()
        yield service
    finally:
        await service.stop()
        if app.state is not None:
            await app.state.close()
            app.state = None
