"""Platform-neutral command handlers: each module declares one command (``COMMAND``) and handles it.

Handlers import nothing from Slack or Discord (a test enforces it): they take a parsed ``Command`` and a
``Context`` and return a neutral ``Reply``.
"""

from __future__ import annotations

from bot.router import CommandDef
from handlers import brief, deal, health, help, reload, schedule, search, status, subscribe, timeline, watch, who
from handlers.changes import COMMAND as CHANGES
from handlers.preview import COMMAND as PREVIEW
from handlers.verify import COMMAND as VERIFY

CORE_COMMANDS: tuple[CommandDef, ...] = (
    status.COMMAND,
    who.COMMAND,
    deal.COMMAND,
    brief.COMMAND,
    timeline.COMMAND,
    search.COMMAND,
    help.COMMAND,
    health.COMMAND,
    reload.COMMAND,
    CHANGES,
)

# The daily briefing: subscriptions (admins), the schedule, watches.
SCHEDULER_COMMANDS: tuple[CommandDef, ...] = (
    subscribe.COMMAND,
    subscribe.UNSUBSCRIBE,
    schedule.COMMAND,
    watch.COMMAND,
    watch.UNWATCH,
    VERIFY,
    PREVIEW,
)

ALL_COMMANDS: tuple[CommandDef, ...] = CORE_COMMANDS + SCHEDULER_COMMANDS

__all__ = ["ALL_COMMANDS", "CORE_COMMANDS", "SCHEDULER_COMMANDS"]
