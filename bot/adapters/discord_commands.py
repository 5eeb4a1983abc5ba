"""Discord slash commands built from the command declarations (``bot.commands.CommandSpec``), and their sync.

Every spec becomes an ``app_commands.Command`` whose parameters are the spec's, typed and described: store
lookups (topic, person, deal) are strings with autocomplete, ``CHOICE`` parameters carry their choices, dates are
strings checked by the command parser (so every platform reports a bad date the same way).

Sync is expensive on Discord's side (global commands take time to spread and creates are rate-limited per day),
so the command payloads are hashed and the hash kept in the state database: a start whose commands did not change
since the last successful sync makes no call at all.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.commands import CommandSpec, ParamKind
from bot.state import State

log = logging.getLogger(__name__)

HASH_KEY = "discord.commands_hash"
DESCRIPTION_MAX = 100  # command and option descriptions
MAX_CHOICES = 25  # autocomplete results and static choices
AUTOCOMPLETED = frozenset({ParamKind.TOPIC, ParamKind.PERSON, ParamKind.DEAL, ParamKind.TOPIC_OR_DEAL})

Run = Callable[[discord.Interaction[Any], str, dict[str, str | None]], Awaitable[None]]
Complete = Callable[[discord.Interaction[Any], ParamKind, str], Awaitable[list[app_commands.Choice[str]]]]


def build_commands(
    specs: dict[str, CommandSpec], run: Run, complete: Complete
) -> list[app_commands.Command[Any, ..., None]]:
    return [_command(spec, run, complete) for spec in specs.values()]


def _command(spec: CommandSpec, run: Run, complete: Complete) -> app_commands.Command[Any, ..., None]:
    async def callback(interaction: discord.Interaction[Any], **values: str | None) -> None:
        await run(interaction, spec.name, values)

    # discord.py reads the parameters from the callback's signature (inspect's own hook): one built from the spec.
    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters.extend(
        inspect.Parameter(
            p.name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=str,
            default=inspect.Parameter.empty if p.required else None,
        )
        for p in spec.params
    )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    # Descriptions, choices and completers through discord.py's own decorators, which accept a plain function.
    callback = app_commands.describe(**{p.name: clip(p.description, DESCRIPTION_MAX) for p in spec.params})(callback)
    choices = {
        p.name: [app_commands.Choice(name=c, value=c) for c in p.choices[:MAX_CHOICES]]
        for p in spec.params
        if p.kind is ParamKind.CHOICE and p.choices
    }
    if choices:
        callback = app_commands.choices(**choices)(callback)
    completers = {p.name: _completer(p.kind, complete) for p in spec.params if p.kind in AUTOCOMPLETED}
    if completers:
        callback = app_commands.autocomplete(**completers)(callback)
    return app_commands.Command(name=spec.name, description=clip(spec.description, DESCRIPTION_MAX), callback=callback)


def _completer(
    kind: ParamKind, complete: Complete
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return (await complete(interaction, kind, current))[:MAX_CHOICES]

    return autocomplete


def commands_hash(tree: app_commands.CommandTree[Any], application_id: int | None, guild_ids: Sequence[int]) -> str:
    """A digest of what a sync would send, and where: a change of command, option, application or scope."""
    payload = {
        "application": application_id,
        "scope": sorted(guild_ids) or "global",
        "commands": [command.to_dict(tree) for command in tree.get_commands()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    application_id: int | None,
    guild_ids: Sequence[int],
    state: State,
    *,
    force: bool = False,
) -> bool:
    """Sync to the development guilds (instant) or globally, only if the commands changed (or ``force``: Discord
    showed an interaction from an older definition). True if it synced."""
    digest = commands_hash(tree, application_id, guild_ids)
    if not force and await state.get(HASH_KEY) == digest:
        log.info("Discord commands unchanged since the last sync; not syncing")
        return False
    try:
        if guild_ids:
            for guild_id in guild_ids:
                await tree.sync(guild=discord.Object(id=guild_id))
        else:
            await tree.sync()
    except discord.HTTPException as exc:
        log.error(
            "Discord refused the command sync (%s %s); slash commands may be out of date. Was the bot invited "
            "with the applications.commands scope to every guild in discord.dev_guild_ids?",
            exc.status,
            exc.text,
        )
        return False
    await state.put(HASH_KEY, digest)
    where = ", ".join(map(str, guild_ids)) if guild_ids else "globally (may take a while to appear)"
    log.info("Discord commands synced %s", where)
    return True


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["HASH_KEY", "build_commands", "clip", "commands_hash", "sync_if_changed"]
