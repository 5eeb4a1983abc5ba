"""Briefings: pure composition of the deal-progress briefing from a store (and, later, snapshots)."""

from bot.briefing.compose import compose_briefing
from bot.config import BriefingOptions  # the config section is the options: one model, validated once

__all__ = ["BriefingOptions", "compose_briefing"]
