"""What Slack sends, in neutral terms: which transport to use, the text a user typed, the target, who acted and
on what."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from bot.config import SlackConfig
from bot.credentials import Secrets
from bot.errors import ConfigError
from bot.targets import Target

log = logging.getLogger("bot.adapters.slack")

Mode = Literal["socket", "http"]


def choose_mode(config: SlackConfig, secrets: Secrets) -> Mode:
    """The configured transport, or the other one when only its credentials are present."""
    if config.mode == "socket" and not secrets.slack_app_token and secrets.slack_signing_secret:
        log.info("SLACK_APP_TOKEN is not set but SLACK_SIGNING_SECRET is: using Slack HTTP mode")
        return "http"
    if config.mode == "http" and not secrets.slack_signing_secret and secrets.slack_app_token:
        log.info("SLACK_SIGNING_SECRET is not set but SLACK_APP_TOKEN is: using Slack Socket Mode")
        return "socket"
    if config.mode == "socket" and not secrets.slack_app_token:
        raise ConfigError("Slack Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write)")
    if config.mode == "http" and not secrets.slack_signing_secret:
        raise ConfigError("Slack HTTP mode needs SLACK_SIGNING_SECRET")
    return config.mode


def slack_decode(text: str) -> str:
    """Slack sends what the user typed with ``&``, ``<`` and ``>`` as entities: decode them once before parsing
    (they are escaped once again on the way out), so ``R&D`` is answered as ``R&D``."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_target(team: str | None, channel: str | None, user: str | None = None) -> Target:
    """Slack ids to the neutral target ``slack:T:C`` (``slack:T:@U`` when there is no channel)."""
    where = channel or (f"@{user}" if user else "unknown")
    return Target("slack", (team or "T0", where))


def user_id(body: Mapping[str, Any]) -> str | None:
    user = body.get("user") or {}
    return str(user.get("id")) if isinstance(user, Mapping) and user.get("id") else None


def action_value(body: Mapping[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")
