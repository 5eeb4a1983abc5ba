"""Discord slash commands built from the command declarations (``bot.commands.CommandSpec``), and their sync.

Every spec becomes an ``app_commands.Command`` whose parameters are the spec's, typed and described: store
lookups (topic, person, deal) are strings with autocomplete, ``CHOICE`` parameters carry their choices, dates are
strings checked by the command parser (so every platform reports a bad date the same way).

Names and descriptions are localised for Discord's French locale by :class:`CatalogTranslator`: descriptions
through the gettext catalogs (the ones /help speaks), the read-only commands' names from :data:`FRENCH_NAMES`.
Discord still sends the English name with each interaction, so the router needs to know nothing of them.

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
from bot.i18n import DEFAULT, gettext_for, normalize
from bot.state import State

log = logging.getLogger(__name__)

HASH_KEY = "discord.commands_hash"
DESCRIPTION_MAX = 100  # command and option descriptions
MAX_CHOICES = 25  # autocomplete results and static choices
AUTOCOMPLETED = frozenset({ParamKind.TOPIC, ParamKind.PERSON, ParamKind.DEAL, ParamKind.TOPIC_OR_DEAL})

# Discord shows a French reader these names (and still sends the English one): lowercase, one word, unique.
FRENCH_NAMES = {
    "status": "statut",
    "who": "qui",
    "deal": "négociation",
    "brief": "bulletin",
    "timeline": "chronologie",
    "search": "recherche",
    "help": "aide",
    "changes": "changements",
}
LOCALISED_NAMES = {"fr": FRENCH_NAMES}


class CatalogTranslator(app_commands.Translator):
    """Command names and descriptions, and option descriptions, in each language Briefbot speaks."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = normalize(locale.value)
        if language is None or language == DEFAULT:
            return None
        where = context.location
        if where is app_commands.TranslationContextLocation.command_name:
            return LOCALISED_NAMES.get(language, {}).get(string.message)
        if where not in (
            app_commands.TranslationContextLocation.command_description,
            app_commands.TranslationContextLocation.parameter_description,
        ):
            return None  # option names and choices stay as typed in every language
        message = string.extras.get("message_id", string.message)
        translated = gettext_for(language)(message)
        return clip(translated, DESCRIPTION_MAX) if translated != message else None


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
    callback = app_commands.describe(**{p.name: _described(p.description) for p in spec.params})(callback)
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
    return app_commands.Command(name=spec.name, description=_described(spec.description), callback=callback)


def _described(text: str) -> app_commands.locale_str:
    """A description within Discord's limit that still knows its whole text, the catalogs' message id."""
    return app_commands.locale_str(clip(text, DESCRIPTION_MAX), message_id=text)


def _completer(
    kind: ParamKind, complete: Complete
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return (await complete(interaction, kind, current))[:MAX_CHOICES]

    return autocomplete


def commands_hash(
    tree: app_commands.CommandTree[Any],
    application_id: int | None,
    guild_ids: Sequence[int],
    translated: Sequence[dict[str, Any]] = (),
) -> str:
    """A digest of what a sync would send, and where: a change of command, option, application or scope, and of
    the ``translated`` payloads (names and descriptions in other languages) when given."""
    payload: dict[str, Any] = {
        "application": application_id,
        "scope": sorted(guild_ids) or "global",
        "commands": [command.to_dict(tree) for command in tree.get_commands()],
    }
    if translated:
        payload["translated"] = list(translated)
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
    if tree.translator is None:
        await tree.set_translator(CatalogTranslator())
    translator = tree.translator
    assert translator is not None
    translated = [await command.get_translated_payload(tree, translator) for command in tree.get_commands()]
    digest = commands_hash(tree, application_id, guild_ids, translated)
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


__all__ = ["HASH_KEY", "CatalogTranslator", "build_commands", "clip", "commands_hash", "sync_if_changed"]
