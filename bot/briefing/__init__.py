"""Briefings: pure composition of the deal-progress briefing from a store (and, later, snapshots)."""

from bot.briefing.compose import BriefingOptions, compose_briefing

__all__ = ["BriefingOptions", "compose_briefing"]
