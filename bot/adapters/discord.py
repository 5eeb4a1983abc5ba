"""The Discord adapter: a discord.py 2.x client whose slash commands, autocomplete and buttons feed the router.

It only translates: an interaction becomes a neutral ``Command`` (``bot.commands.from_options``) and a
``Context``; the router's ``Reply`` becomes an embed (``discord_render``) with components (``discord_ui``).
Answers are ephemeral with a "Post publicly" button unless the reply is already meant for everyone; questions
offer their candidates as buttons or a select menu that answer as if the command had been typed.

Lifecycle: ``start`` logs in (``setup_hook`` builds the command tree and syncs it only when it changed) and runs
the gateway connection in a task; discord.py reconnects and resumes by itself. The connection reports to the app's
health registry: ok after READY or RESUMED, connecting while discord.py reconnects, and down for good (which stops
``briefbot run`` with a non-zero exit) when the gateway closes with a code discord.py will not retry, such as 4004
after the token was reset. ``on_ready`` fires again after a fresh session, so nothing is started there: background
work (the scheduler, watchers) is started once per process by the composition root. Intents are none at all:
interactions arrive regardless, and no privileged intent is needed.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route
from discord.utils import MISSING

from bot.adapters.discord_autocomplete import autocomplete
from bot.adapters.discord_client import FATAL_CLOSES, HEALTH_PART, BriefbotClient
from bot.adapters.discord_commands import build_commands, sync_if_changed
from bot.adapters.discord_delivery import DiscordDelivery
from bot.adapters.discord_render import render_embed
from bot.adapters.discord_ui import PICK, SHARE, CommandRefs, parse_custom_id, reply_view
from bot.adapters.parts import PlatformParts
from bot.commands import ParamKind, from_options
from bot.config import DiscordConfig
from bot.context import Context
from bot.credentials import Secrets
from bot.errors import BriefbotError, ConfigError, UserError
from bot.reply import Reply, Tone, Visibility
from bot.router import reply_for
from bot.sharing import share_command
from bot.targets import Target

log = logging.getLogger(__name__)

DEFER_AFTER = 2.0  # Discord wants a first response within 3 s: acknowledge first when an answer is slow
EXPIRED = "That button has expired. Type the command again, or use /help."
OUT_OF_DATE_BUTTON = "This button is out of date. Type the command again, or use /help."


def target_of(interaction: discord.Interaction[Any]) -> Target:
    guild = str(interaction.guild_id) if interaction.guild_id else "dm"
    return Target("discord", (guild, str(interaction.channel_id or "unknown")))


class DiscordService:
    """The Discord connection as a service (``start``/``stop``), and its ``discord`` delivery."""

    platform = "discord"

    def __init__(self, parts: PlatformParts, config: DiscordConfig, token: str) -> None:
        self.parts = parts
        self.config = config
        self.health = parts.health
        self._token = token
        self.client: BriefbotClient | None = None
        self.refs = CommandRefs()
        self.delivery = DiscordDelivery(lambda: self.client)
        self.connected = asyncio.Event()  # set while a gateway session is up
        self.ready = asyncio.Event()  # set by each on_ready (for health checks and tests; clear it to wait again)
        self.defer_after = DEFER_AFTER
        self.setups = 0  # logins (setup_hook runs)
        self.syncs = 0  # command syncs actually sent to Discord
        self.ready_count = 0
        self.resumed_count = 0
        self._task: asyncio.Task[None] | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self._resync: asyncio.Future[None] | None = None

    async def start(self) -> None:
        self._point_at_configured_servers()
        self.health.connecting(HEALTH_PART, "logging in")
        self.client = BriefbotClient(self)
        try:
            await self.client.login(self._token)
        except discord.LoginFailure as exc:
            await self.client.close()
            raise ConfigError(
                f"Discord refused DISCORD_TOKEN ({exc}): copy the bot token again from the developer portal"
            ) from exc
        except Exception:
            await self.client.close()
            raise
        self._task = asyncio.create_task(self._run(self.client), name="discord-gateway")

    async def stop(self) -> None:
        if self._task is not None:  # first the connection loop, so it cannot reconnect while the client closes
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.client is not None:
            await self.client.close()
        self.connected.clear()
        if self._saved is not None:  # the overrides are process-wide class attributes: put them back
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None

    async def _run(self, client: BriefbotClient) -> None:
        """The gateway connection until stopped; if it ends any other way, Discord is down for good."""
        try:
            await client.connect(reconnect=True)
        except discord.ConnectionClosed as exc:
            log.debug("the Discord gateway closed", exc_info=True)
            why = FATAL_CLOSES.get(exc.code, exc.reason or "not resumable")
            self.health.down(HEALTH_PART, f"the gateway closed with code {exc.code} ({why})", fatal=True)
        except Exception as exc:
            log.debug("the Discord connection ended", exc_info=True)
            self.health.down(HEALTH_PART, f"the connection ended: {exc or type(exc).__name__}", fatal=True)
        else:  # connect() returns only once the client is closed; stop() cancels this task before closing it
            self.health.down(HEALTH_PART, "the Discord client closed its connection", fatal=True)

    def _point_at_configured_servers(self) -> None:
        """Another REST base or gateway (a proxy, a test server), only when configured."""
        config = self.config
        if not (config.api_url or config.gateway_url):
            return
        self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        if config.api_url:
            Route.BASE = config.api_url.rstrip("/")
        if config.gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)

    def resync_soon(self) -> None:
        """Sync the command definitions in the background (never twice at once)."""
        if self._resync is None or self._resync.done():
            self._resync = asyncio.ensure_future(self._sync(force=True))

    async def _sync(self, *, force: bool = False) -> None:
        client = self.client
        if client is None:
            return
        state = await self.parts.state()
        if await sync_if_changed(client.tree, client.application_id, self.config.dev_guild_ids, state, force=force):
            self.syncs += 1

    async def setup(self, client: BriefbotClient) -> None:
        """Per login: the command tree from the router's specs, synced only when it changed."""
        self.setups += 1
        tree = client.tree
        tree.clear_commands(guild=None)
        for command in build_commands(self.parts.router.specs, self.run_command, self.complete):
            tree.add_command(command)
        guild_ids = self.config.dev_guild_ids
        for guild_id in guild_ids:
            tree.copy_global_to(guild=discord.Object(id=guild_id))
        await self._sync()

    def context(self, interaction: discord.Interaction[Any]) -> Context:
        """The command's context; the composition root decides who is an admin, from the user and their roles."""
        user = interaction.user
        # Role ids come with the interaction's member even without a role cache (no guilds intent).
        roles = [str(role) for role in getattr(user, "_roles", ())]
        ctx = self.parts.context(target_of(interaction), user=str(user.id), roles=roles)
        return ctx.for_reader(getattr(interaction.locale, "value", None))  # Discord sends each user's locale

    async def run_command(
        self, interaction: discord.Interaction[Any], name: str, values: dict[str, str | None]
    ) -> None:
        """A slash command: typed options -> Command -> router -> reply."""
        try:
            command = from_options(name, values, self.parts.router.specs)
        except Exception as exc:  # a bad date or a missing argument is answered like any other error
            reply = reply_for(exc)
            await self._answer(interaction, _done(reply))
            return
        await self._answer(interaction, self.parts.router.dispatch(command, self.context(interaction)))

    async def on_component(self, interaction: discord.Interaction[Any]) -> None:
        """A click on one of our buttons or select menus; anything else is not ours."""
        data: dict[str, Any] = dict(interaction.data or {})
        parsed = parse_custom_id(str(data.get("custom_id", "")))
        if parsed is None:  # a button from an older version, or not ours: every click gets an answer
            await self._answer(interaction, _done(reply_for(UserError(OUT_OF_DATE_BUTTON))))
            return
        action, ref = parsed
        if action == PICK:
            values = data.get("values") or [""]
            ref = str(values[0])
        text = self.refs.command(ref)
        if text is None:
            await self._answer(interaction, _done(reply_for(UserError(EXPIRED))))
            return
        router = self.parts.router
        if action == SHARE:  # only a read-only command is run again; one with effects is refused, never re-run
            try:
                command = share_command(text, router.specs, router.prefix)
            except BriefbotError as exc:
                await self._answer(interaction, _done(reply_for(exc)))
                return
            await self._answer(interaction, router.dispatch(command, self.context(interaction)), public=True)
            return
        message = interaction.message
        in_place = message is not None and message.flags.ephemeral
        await self._answer(interaction, router.handle_text(text, self.context(interaction)), edit=in_place)

    async def complete(
        self, interaction: discord.Interaction[Any], kind: ParamKind, current: str
    ) -> list[app_commands.Choice[str]]:
        return autocomplete(self.parts, interaction, kind, current, target_of(interaction))

    async def _answer(
        self, interaction: discord.Interaction[Any], work: Awaitable[Reply], *, public: bool = False, edit: bool = False
    ) -> None:
        """Respond within Discord's 3 s: at once when the answer is quick, else acknowledge and edit it in later."""
        budget = 0.0 if self.parts.router.saturated else self.defer_after  # queued behind others: defer at once
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=budget)
        try:
            if done:
                await self._respond(interaction, task.result(), public=public, edit=edit)
                return
            if edit:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=not public, thinking=True)
            reply = await task
            embed, view, _private = self._message(reply, public=public)
            await interaction.edit_original_response(embed=embed, view=view, attachments=_files(reply) or MISSING)
        except discord.HTTPException as exc:  # expired interaction (10062) or a refused payload: log, never raise
            log.warning("could not answer a Discord interaction: %s %s", exc.status, exc.text)
        finally:
            if not task.done():  # the interaction is dead: nobody will read this answer
                task.cancel()

    async def _respond(self, interaction: discord.Interaction[Any], reply: Reply, *, public: bool, edit: bool) -> None:
        embed, view, private = self._message(reply, public=public)
        files = _files(reply) or MISSING
        if edit:
            await interaction.response.edit_message(embed=embed, view=view, attachments=files)
        elif view is not None:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=private, files=files)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=private, files=files)

    def _message(self, reply: Reply, *, public: bool) -> tuple[discord.Embed, discord.ui.View | None, bool]:
        if public and reply.tone is Tone.ANSWER:
            reply = reply.shared()
        private = reply.visibility is Visibility.PRIVATE
        share = reply.command if private and reply.tone is Tone.ANSWER else None
        embed = render_embed(reply)
        if reply.attachments:  # a chart: shown inside the embed, from the file sent with it
            embed.set_image(url=f"attachment://{reply.attachments[0].filename}")
        return embed, reply_view(reply, self.refs, share=share, specs=self.parts.router.specs), private


def _files(reply: Reply) -> list[discord.File]:
    """The reply's attachments as files to upload with the message (new ones per send: a File is read once)."""
    return [discord.File(io.BytesIO(a.data), filename=a.filename, description=a.alt[:1024]) for a in reply.attachments]


async def _done(reply: Reply) -> Reply:
    return reply


def build_service(parts: PlatformParts, config: DiscordConfig, secrets: Secrets) -> DiscordService:
    """Called by the composition root when ``DISCORD_TOKEN`` is set; it registers ``service.delivery``."""
    token = secrets.discord_token
    if not token:
        raise ConfigError("DISCORD_TOKEN (or DISCORD_TOKEN_FILE) is not set")
    return DiscordService(parts, config, token)


__all__ = ["BriefbotClient", "DiscordService", "build_service", "target_of"]
