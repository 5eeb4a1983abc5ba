"""Start-up checks for ``briefbot run``: chat credentials that cannot work are refused before anything starts,
and a failure to start is one line saying what is wrong and what to do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import BriefbotError

if TYPE_CHECKING:  # `briefbot check` uses not_a_store and must not pay for importing the settings
    from bot.config import Settings
    from bot.credentials import Secrets

DETAILS_HINT = "BRIEFBOT_LOG_LEVEL=DEBUG shows the details"


def credential_problem(settings: Settings, secrets: Secrets) -> str | None:
    """What is missing when some chat credentials are set but not enough to connect; None when all is well.

    Without this, a half-configured Slack would quietly leave the operator at a console prompt.
    """
    bot, app, signing = secrets.slack_bot_token, secrets.slack_app_token, secrets.slack_signing_secret
    if (app or signing) and not bot:
        given = " and ".join(n for n, v in (("SLACK_APP_TOKEN", app), ("SLACK_SIGNING_SECRET", signing)) if v)
        return (
            f"{given} {'are' if app and signing else 'is'} set but SLACK_BOT_TOKEN is not: set SLACK_BOT_TOKEN "
            "(the xoxb- bot token), or unset the SLACK_ variables to run without Slack"
        )
    if bot and not (app or signing):
        if settings.slack.mode == "http":
            return (
                "Slack HTTP mode (slack.mode: http) needs SLACK_SIGNING_SECRET, which is not set: copy it from the "
                "app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        return (
            "SLACK_BOT_TOKEN is set but SLACK_APP_TOKEN is not: set SLACK_APP_TOKEN (an xapp- token with "
            "connections:write) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode; unset SLACK_BOT_TOKEN "
            "to run without Slack"
        )
    return None


def startup_failure(exc: BaseException) -> str:
    """One line for an exception that stopped ``briefbot run``."""
    if isinstance(exc, BriefbotError):  # ours: the message already says what is wrong and what to do
        return str(exc)
    reason = str(exc) or type(exc).__name__
    return f"Briefbot stopped: {reason} ({type(exc).__name__}); check the network and the settings. {DETAILS_HINT}"


def not_a_store(root: Path) -> str | None:
    """Why ``root`` cannot be a store, or None: ``briefbot check /tmp`` should say so in one line, not list every
    file there as a problem. A store, even an empty new one, has a deals/ or a people/ folder."""
    if not root.exists():
        return f"{root} does not exist: give a store folder."
    if not root.is_dir():
        return f"{root} is not a folder: give a store folder."
    if not ((root / "deals").is_dir() or (root / "people").is_dir()):
        return (
            f"{root} is not a Briefbot store: it has no deals/ or people/ folder. Give the folder that holds "
            "sources.yaml, people/ and deals/ (briefings/README.md describes it)."
        )
    return None
