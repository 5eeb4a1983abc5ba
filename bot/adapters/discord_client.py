"""The discord.py client and command tree: every gateway event is handed to the service that owns the client;
an out-of-date command is answered and triggers a resync."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.adapters.discord_render import render_embed
from bot.errors import UserError
from bot.health import Health
from bot.router import reply_for

log = logging.getLogger(__name__)


class ClientHost(Protocol):
    """What the client reports to (``bot.adapters.discord.DiscordService``)."""

    health: Health
    connected: asyncio.Event
    ready: asyncio.Event
    ready_count: int
    resumed_count: int

    async def setup(self, client: BriefbotClient) -> None: ...

    async def on_component(self, interaction: discord.Interaction[Any]) -> None: ...

    def resync_soon(self) -> None: ...


HEALTH_PART = "discord"
# Gateway close codes after which discord.py stops for good (discord.gateway's _can_handle_close), and why.
FATAL_CLOSES = {
    4004: "authentication failed: DISCORD_TOKEN was reset or revoked; set the new token and restart",
    4010: "invalid shard",
    4011: "sharding required",
    4012: "invalid gateway API version",
    4013: "invalid intents",
    4014: "disallowed intents: enable them in the developer portal",
}
READY_WAIT = 0.2  # without the guilds intent no GUILD_CREATE follows READY, so waiting for them is pointless
OUT_OF_DATE_COMMAND = "This command is out of date; Discord will show the current ones shortly. Try again then."


class _NoGuildsIntentWarning(logging.Filter):
    """Running without the guilds intent is deliberate here; drop discord.py's warning about it at each start."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Guilds intent seems to be disabled")


logging.getLogger("discord.state").addFilter(_NoGuildsIntentWarning())
discord.VoiceClient.warn_nacl = False  # no voice here: skip the warnings about missing voice libraries
if hasattr(discord.VoiceClient, "warn_dave"):
    discord.VoiceClient.warn_dave = False


class BriefbotClient(discord.Client):
    """The discord.py client; every event is handed to the service."""

    def __init__(self, service: ClientHost) -> None:
        super().__init__(
            intents=discord.Intents.none(),
            allowed_mentions=discord.AllowedMentions.none(),  # applies to every message the client sends
            guild_ready_timeout=READY_WAIT,
        )
        self.service = service
        self.tree: app_commands.CommandTree[BriefbotClient] = _Tree(self)

    async def setup_hook(self) -> None:  # once per login: per-client setup only
        await self.service.setup(self)

    async def on_connect(self) -> None:
        self.service.connected.set()

    async def on_disconnect(self) -> None:
        self.service.connected.clear()
        self.service.health.connecting(HEALTH_PART, "gateway connection lost; reconnecting")

    async def on_ready(self) -> None:  # fires again after every new session: start nothing here
        self.service.ready_count += 1
        self.service.ready.set()
        self.service.health.ok(HEALTH_PART)
        log.info("Discord ready as %s (ready #%d)", self.user, self.service.ready_count)

    async def on_resumed(self) -> None:
        self.service.resumed_count += 1
        self.service.connected.set()
        self.service.health.ok(HEALTH_PART)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.component:
            await self.service.on_component(interaction)


class _Tree(app_commands.CommandTree[BriefbotClient]):
    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            # Discord's copy of the command is older than ours (a missing option, a removed command): say so, and
            # sync the current definitions now rather than at the next start.
            log.warning("Discord sent an out-of-date command (%s): syncing the current definitions", error)
            reply = reply_for(UserError(OUT_OF_DATE_COMMAND))
            self.client.service.resync_soon()
        else:
            log.error("Discord command failed", exc_info=error)
            reply = reply_for(error)
        if interaction.type is discord.InteractionType.application_command and not interaction.response.is_done():
            await interaction.response.send_message(embed=render_embed(reply), ephemeral=True)
