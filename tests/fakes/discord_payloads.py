"""Discord JSON payloads shaped as discord.py 2.7 reads them, for the fake Discord (``discord_api``). Pure."""

from __future__ import annotations

from typing import Any

APP_ID = 1100000000000000001
BOT_ID = 1100000000000000002
GUILD_ID = 1200000000000000001
CHANNEL_ID = 1300000000000000001
USER_ID = 1400000000000000001


def user(user_id: int = USER_ID, name: str = "reader", *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def bot_user() -> dict[str, Any]:
    return {**user(BOT_ID, "briefbot", bot=True), "verified": True, "mfa_enabled": False, "flags": 0}


def application() -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "name": "Briefbot",
        "description": "",
        "icon": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": user(USER_ID, "owner"),
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
    }


def ready(session_id: str, resume_url: str) -> dict[str, Any]:
    return {
        "v": 10,
        "user": bot_user(),
        "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "application": {"id": str(APP_ID), "flags": 0},
        "private_channels": [],
        "relationships": [],
    }


def message(message_id: int, channel: int, body: dict[str, Any], *, author: dict[str, Any]) -> dict[str, Any]:
    """A message as Discord returns it, from what the bot sent (``body``)."""
    return {
        "id": str(message_id),
        "channel_id": str(channel),
        "type": 0,
        "content": body.get("content") or "",
        "author": author,
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2025-05-02T08:00:00+00:00",
        "edited_timestamp": None,
        "flags": body.get("flags") or 0,
        "nonce": body.get("nonce"),
    }


def text_channel(channel_id: int, guild_id: int) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": "trade-talks",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def interaction(
    interaction_id: int,
    kind: int,
    data: dict[str, Any],
    *,
    guild_id: int | None,
    channel_id: int,
    user_id: int,
    roles: tuple[int, ...] = (),
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: in a guild text channel (with a member), or in a DM (with a user)."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "data": data,
        "channel_id": str(channel_id),
        "token": f"token-{interaction_id}",
        "version": 1,
        "app_permissions": "0",
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": str(user_id)},
        "context": 0 if guild_id else 1,
        "attachment_size_limit": 8 * 1024 * 1024,
    }
    if guild_id:
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["channel"] = text_channel(channel_id, guild_id)
        payload["member"] = {
            "user": user(user_id),
            "roles": [str(r) for r in roles],
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "0",
        }
    else:
        payload["channel"] = {"id": str(channel_id), "type": 1, "recipients": [user(user_id)]}
        payload["user"] = user(user_id)
    return payload
