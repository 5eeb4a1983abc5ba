"""Platform-neutral command handlers: each module declares one command (``COMMAND``) and handles it.

Handlers import nothing from Slack or Discord (a test enforces it): they take a parsed ``Command`` and a
``Context`` and return a neutral ``Reply``.
"""

from __future__ import annotations

from bot.router import CommandDef
from handlers import brief, deal, health, help, reload, search, status, timeline, who

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
)

__all__ = ["CORE_COMMANDS"]
