"""Briefings: pure composition of the deal-progress briefing from a store (and, later, snapshots)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.config import BriefingOptions  # the config section is the options: one model, validated once

if TYPE_CHECKING:
    from bot.briefing.compose import compose_briefing

__all__ = ["BriefingOptions", "compose_briefing"]


def __getattr__(name: str) -> Any:
    # The composer on first use, not with the package: /deal imports bot.briefing.progress, and with it this
    # package, on every one-shot `briefbot ask`, but never composes a briefing.
    if name == "compose_briefing":
        from bot.briefing.compose import compose_briefing

        return compose_briefing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
