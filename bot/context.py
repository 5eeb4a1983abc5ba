"""What a handler knows about the request besides the command itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.commands import Command, CommandSpec
from bot.store import Store
from bot.targets import CONSOLE, Target


@dataclass(frozen=True)
class Context:
    store: Store
    today: dt.date  # the "as of" date when the command gives none (the content is frozen at a date)
    target: Target = CONSOLE
    user: str | None = None
    default_deal: str | None = None  # the channel's default deal, from config or state
    is_admin: bool = False
    specs: dict[str, CommandSpec] = field(default_factory=dict)  # every command, for /help
    prefix: str = ""  # the configured command prefix ("trade-" makes /status into /trade-status)
    services: dict[str, Any] = field(default_factory=dict)  # later issues: state, scheduler, reloader

    def as_of(self, command: Command) -> dt.date:
        return command.date_option("date") or self.today

    @property
    def viewer(self) -> str:
        """The target string that restricted documents are checked against."""
        return str(self.target)
