"""Discord autocomplete: choices from the store's index (prefixes, aliases, fuzzy matches), visible to the channel,
at most 25, labelled with their deal when the store follows several."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.parts import PlatformParts
from bot.commands import ParamKind
from bot.store.index import Entity, EntityKind, Outcome
from bot.targets import Target
from bot.textfmt import clip


def autocomplete(
    parts: PlatformParts, interaction: discord.Interaction[Any], kind: ParamKind, current: str, target: Target
) -> list[app_commands.Choice[str]]:
    """Autocomplete from the store's index: prefixes, aliases and fuzzy matches, visible to this channel."""
    store = parts.store()
    index = store.index
    viewer = str(target)
    found: list[Entity] = []
    if kind in (ParamKind.DEAL, ParamKind.TOPIC_OR_DEAL):
        found.extend(index.suggest(EntityKind.DEAL, current, viewer=viewer))
    if kind in (ParamKind.TOPIC, ParamKind.TOPIC_OR_DEAL):
        deal_id = _deal_scope(parts, interaction, target)
        found.extend(index.suggest(EntityKind.TOPIC, current, deal_id=deal_id, viewer=viewer))
    if kind is ParamKind.PERSON:
        found.extend(index.suggest(EntityKind.PERSON, current, viewer=viewer))
    several_deals = len(index.entities(EntityKind.DEAL, viewer=viewer)) > 1
    choices = []
    for entity in found[:25]:
        label = entity.label
        if entity.kind is EntityKind.TOPIC and several_deals and entity.deal_id:
            deal = index.get(EntityKind.DEAL, entity.deal_id)
            label = f"{label} · {deal.label if deal else entity.deal_id}"
        choices.append(app_commands.Choice(name=clip(label, 100), value=entity.id[:100]))
    return choices


def _deal_scope(parts: PlatformParts, interaction: discord.Interaction[Any], target: Target) -> str | None:
    """Topics of the deal typed in ``deal:``, else of the channel's default deal, else of every deal."""
    index = parts.store().index
    typed = getattr(interaction.namespace, "deal", None)
    if typed:
        lookup = index.lookup(EntityKind.DEAL, str(typed), viewer=str(target))
        if lookup.outcome is Outcome.FOUND and lookup.entity is not None:
            return lookup.entity.id
    default = parts.context(target).default_deal
    return default if default and index.get(EntityKind.DEAL, default) else None
