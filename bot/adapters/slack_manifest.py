"""A paste-ready Slack app manifest, built from the command declarations and the settings.

``briefbot slack-manifest`` prints it; in Slack, *Create New App → From an app manifest* takes it as is.
Every command of the router becomes a slash command (with the configured prefix); Socket Mode or HTTP request
URLs follow ``slack.mode``. Scopes are the fewest Briefbot needs: ``commands`` and ``chat:write`` to answer and
post, ``im:write`` to open direct messages, and the ``*:history`` scopes so a replica can find a briefing it
is unsure it posted (by the idempotency key in the message's metadata); ``files:write`` uploads /deal's chart,
and ``users:read`` gives each user's locale (``users.info``), so answers follow their language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from bot.commands import CommandSpec
from bot.config import Settings
from bot.errors import ConfigError

APP_NAME = "Briefbot"
DESCRIPTION = "Negotiation briefings: status, people, progress and daily deal briefings."
# {p} is the command prefix: the description names the commands as users of this app must type them
LONG_DESCRIPTION = (
    "Briefbot answers questions about a negotiation from a briefing store its maintainers keep in git: "
    "where a topic stands (/{p}status tariffs), who a person is (/{p}who), how far a deal has come (/{p}deal), what "
    "changed and what is coming (/{p}brief, /{p}timeline), and full-text /{p}search. Answers are private until you "
    "share them, always sourced and dated, and a channel can get a daily briefing at a time of its choosing."
)
PLACEHOLDER_HOST = "https://briefbot.example.com"
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "channels:history",
    "groups:history",
    "im:history",
    "files:write",
    "users:read",
)
MAX_DESCRIPTION = 140
MAX_USAGE_HINT = 100
MAX_COMMAND = 32


def build_manifest(specs: dict[str, CommandSpec], settings: Settings, request_url: str | None = None) -> dict[str, Any]:
    """The manifest as a dict (print it as JSON or YAML).

    ``request_url`` is the public address of Briefbot's HTTP server, with or without the events path
    (``https://bot.example.com`` or ``https://bot.example.com/slack/events``); only HTTP mode uses it. Raises
    :class:`~bot.errors.ConfigError` for one Slack cannot use: not https, or no scheme or host.
    """
    http = settings.slack.mode == "http"
    url = events_url(settings, request_url) if http else None
    commands = [_slash_command(spec, settings.slack.command_prefix, url) for spec in specs.values()]
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url:
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": APP_NAME,
            "description": DESCRIPTION,
            "long_description": LONG_DESCRIPTION.format(p=settings.slack.command_prefix),
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": not http,
            "token_rotation_enabled": False,
        },
    }


def events_url(settings: Settings, request_url: str | None) -> str:
    """Where Slack sends commands and button clicks in HTTP mode."""
    path = settings.slack.http_path
    if not request_url:
        return f"{PLACEHOLDER_HOST}{path}"
    parts = urlparse(request_url.strip())
    if parts.scheme == "http":  # Slack refuses plain-http request URLs: say so now, not after pasting
        raise ConfigError(f"Slack sends requests only over https: give https://{parts.netloc}{parts.path}")
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            f"'{request_url}' is not a full URL: give the public address with its scheme, such as "
            f"https://{request_url.removeprefix('https://').strip('/') or 'bot.example.com'}"
        )
    if parts.path in ("", "/"):
        return request_url.rstrip("/") + path
    return request_url


def _slash_command(spec: CommandSpec, prefix: str, url: str | None) -> dict[str, Any]:
    usage = spec.usage().partition(" ")[2]
    command: dict[str, Any] = {
        "command": f"/{prefix}{spec.name}"[: MAX_COMMAND + 1].lower(),
        "description": _clip(spec.description, MAX_DESCRIPTION),
        "should_escape": False,  # Briefbot escapes everything itself; raw text keeps names and dates intact
    }
    if usage:
        command["usage_hint"] = _clip(usage, MAX_USAGE_HINT)
    if url:
        command["url"] = url
    return command


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["BOT_SCOPES", "build_manifest", "events_url"]
