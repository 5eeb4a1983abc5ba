"""Posting replies (daily briefings, alerts) to Discord channel ids: the :class:`~bot.delivery.Delivery` port.

A target is ``discord:GUILD:CHANNEL_ID``, or ``discord:GUILD:@USER_ID`` for a direct message to a user (a personal
/watch): the DM channel is opened with ``POST /users/@me/channels`` (no cache or intents needed) and remembered per
user, since Discord keeps one DM channel per user and bot.

A post is one embed with the idempotency key in its footer, sent with a nonce derived from the key and
``enforce_nonce``, so Discord itself returns the earlier message when the same post is repeated within minutes.
Errors are translated, never retried here (:mod:`bot.posting` owns retries; discord.py's own retries are made
safe by that nonce): a channel the bot cannot see or post to, or one that is gone, is a permanent error with a
reason; a 5xx, a timeout or a dropped connection is transient and uncertain (the post is looked for by its key).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import NoReturn

import aiohttp
import discord

from bot.adapters.discord_render import render_embed
from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.reply import Reply
from bot.targets import Target

NONCE_MAX = 25  # Discord's limit for a string nonce
HISTORY_LIMIT = 50  # messages searched by ``find``
NO_MENTIONS = discord.AllowedMentions.none()

# Discord JSON error codes worth a precise reason
_REASONS = {
    10003: "unknown_channel",
    10008: "unknown_message",
    50001: "missing_access",
    10013: "unknown_user",
    50007: "dm_closed",  # the user blocks DMs from server members, or shares no server with the bot
    50013: "missing_permissions",
    50033: "unknown_user",  # "Invalid Recipient(s)" when opening a DM
}


# What a human does about each refusal, in Discord's own terms (shown by /subscribe and in pause notices).
FIXES = {
    "missing_permissions": "Give Briefbot the View Channel, Send Messages and Embed Links permissions there.",
    "missing_access": "Give Briefbot the View Channel, Send Messages and Embed Links permissions there.",
    "unknown_channel": (
        "That Discord channel was deleted, or the id is wrong: copy the channel's id again (Developer Mode on, "
        "right-click the channel, Copy Channel ID) and run /subscribe again."
    ),
    "dm_closed": (
        "That user does not accept direct messages from Briefbot: they can allow direct messages from members of "
        "a server they share with it (the server's Privacy Settings), then run the command again."
    ),
    "unknown_user": "Discord knows no user with that id: copy it again (right-click the user, Copy User ID).",
}


def nonce_for(key: str) -> str:
    """Deterministic per idempotency key: a repeat of the same post carries the same nonce."""
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_MAX]


class DiscordDelivery:
    platform = "discord"

    def __init__(self, client: Callable[[], discord.Client | None]) -> None:
        self._client = client  # the service's current client (a new one per start)
        self._dm_channels: dict[int, int] = {}  # user id -> DM channel id; stable, so it outlives a client

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        channel = await self._channel(target)
        try:
            message = await channel.send(
                embed=render_embed(reply, key=key), nonce=nonce_for(key), allowed_mentions=NO_MENTIONS
            )
        except Exception as exc:
            _raise_delivery_error(exc, target)
        return str(message.id)

    async def update(self, target: Target, message_id: str, reply: Reply, key: str) -> str:
        """Replace an earlier post (a reissued briefing) in place."""
        channel = await self._channel(target)
        try:
            message = await channel.get_partial_message(int(message_id)).edit(
                embed=render_embed(reply, key=key), allowed_mentions=NO_MENTIONS
            )
        except ValueError:
            raise PermanentDeliveryError(
                f"'{message_id}' is not a Discord message id", target=str(target), reason="bad_message_id"
            ) from None
        except Exception as exc:
            _raise_delivery_error(exc, target)
        return str(message.id)

    async def find_post(self, target: Target, key: str) -> str | None:
        """A recent post of ours carrying ``key`` in its footer (needs Read Message History in the channel)."""
        channel = await self._channel(target)
        client = self._client()
        me = client.user.id if client and client.user else None
        try:
            async for message in channel.history(limit=HISTORY_LIMIT):
                if message.author.id != me:
                    continue
                if any(e.footer.text and e.footer.text.endswith(f"key {key}") for e in message.embeds):
                    return str(message.id)
        except Exception as exc:
            _raise_delivery_error(exc, target)
        return None

    async def check(self, target: Target) -> None:
        """Raise PermanentDeliveryError if the channel is gone or hidden from the bot, or the user of a DM target
        is unknown (when a subscription is made). Whether it may also *send* there (channel permissions, a
        user's DM settings) is only known when it posts."""
        channel = await self._channel(target)
        if target.is_direct:
            return  # opening the DM channel was the check
        try:
            await self._connected(target).http.get_channel(channel.id)
        except Exception as exc:
            _raise_delivery_error(exc, target)

    async def _channel(self, target: Target) -> discord.PartialMessageable:
        client = self._connected(target)
        if target.platform != "discord" or len(target.parts) != 2 or not target.channel.removeprefix("@").isdigit():
            raise PermanentDeliveryError(
                f"{target} is not a Discord channel target: write it as discord:GUILD_ID:CHANNEL_ID "
                "(or discord:dm:CHANNEL_ID, or discord:GUILD_ID:@USER_ID for a direct message)",
                target=str(target),
                reason="bad_target",
            )
        if not target.is_direct:
            return client.get_partial_messageable(int(target.channel))
        user = int(target.channel[1:])
        if user not in self._dm_channels:
            try:
                dm = await client.create_dm(discord.Object(id=user))
            except Exception as exc:
                _raise_delivery_error(exc, target)
            self._dm_channels[user] = dm.id
        return client.get_partial_messageable(self._dm_channels[user], type=discord.ChannelType.private)

    def _connected(self, target: Target) -> discord.Client:
        client = self._client()
        if client is None or client.user is None or client.is_closed():
            raise TransientDeliveryError("Discord is not connected yet", target=str(target))
        return client


def _raise_delivery_error(exc: BaseException, target: Target) -> NoReturn:
    where = str(target)
    if isinstance(exc, discord.RateLimited):
        raise TransientDeliveryError(
            f"Discord rate limit for {where}", target=where, retry_after=exc.retry_after
        ) from exc
    if target.is_direct and isinstance(exc, discord.HTTPException) and exc.code in (10013, 50007, 50033):
        user, reason = target.channel[1:], _REASONS[exc.code]
        message = (
            f"User {user} does not accept direct messages from Briefbot ({exc.text or reason}): they can allow "
            "direct messages from members of a server they share with it (Privacy Settings), or remove the watch"
            if reason == "dm_closed"
            else f"Discord knows no user {user} ({exc.text or reason}): check the user id in {where}"
        )
        raise PermanentDeliveryError(message, target=where, reason=reason, fix=FIXES.get(reason, "")) from exc
    if isinstance(exc, discord.Forbidden):
        reason = _REASONS.get(exc.code, "forbidden")
        raise PermanentDeliveryError(
            f"Briefbot may not post in {where} ({exc.text or reason}): give it View Channel, Send Messages and "
            "Embed Links there, or remove the subscription",
            target=where,
            reason=reason,
            fix=FIXES.get(reason, ""),
        ) from exc
    if isinstance(exc, discord.NotFound):
        reason = _REASONS.get(exc.code, "not_found")
        raise PermanentDeliveryError(
            f"{where} does not exist any more, or the bot is not in that server ({exc.text or reason})",
            target=where,
            reason=reason,
            fix=FIXES.get(reason, ""),
        ) from exc
    if isinstance(exc, discord.DiscordServerError):  # the post may have landed: look for its nonce before reposting
        raise TransientDeliveryError(
            f"Discord server error {exc.status} for {where}", target=where, uncertain=True
        ) from exc
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            raise TransientDeliveryError(f"Discord rate limit for {where}", target=where) from exc
        raise PermanentDeliveryError(
            f"Discord refused the post to {where}: {exc.status} {exc.text}",
            target=where,
            reason=_REASONS.get(exc.code, f"http_{exc.status}"),
        ) from exc
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        raise TransientDeliveryError(
            f"could not reach Discord for {where}: {exc!r}", target=where, uncertain=True
        ) from exc
    raise exc


__all__ = ["DiscordDelivery", "nonce_for"]
