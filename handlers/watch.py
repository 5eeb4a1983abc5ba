"""/watch and /unwatch: a short alert when a topic changes (its status, a new event).

Anyone can watch a topic for themselves (alerts come by direct message); admins can set a channel to watch with
``channel:here`` or ``channel:TARGET``. ``/watch`` alone lists what you (or this channel) watch.

Both change state, so unlike the read-only commands they act only on an exact id or alias (of the topic and of
``deal:``): a prefix, a typo or a fuzzy match is answered with the candidate to pick, never acted on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import BadArgument, Clarify, UserError
from bot.markup import escape
from bot.reply import Choice, Reply, Section, Tone
from bot.router import CommandDef
from bot.store.index import Entity, EntityKind, Lookup
from bot.store.text import compact
from bot.targets import Target
from handlers.common import KIND_WORD, found, implied_deal
from handlers.running import state_of

if TYPE_CHECKING:
    from bot.state import State

CHANNEL = Param("channel", ParamKind.TARGET, "Alert a channel instead of you: `here` or a target (admins)")
SPEC = CommandSpec(
    name="watch",
    description="Get a short alert when a topic changes; /watch alone lists your watches.",
    params=(
        Param("topic", ParamKind.TOPIC, "The topic to watch", positional=True),
        Param("deal", ParamKind.DEAL, "The topic's deal, when several have it"),
        CHANNEL,
    ),
    examples=("/watch tariffs", "/watch tariffs channel:here"),
    effects=True,
)
UNWATCH_SPEC = CommandSpec(
    name="unwatch",
    description="Stop alerts for a topic.",
    params=(
        Param("topic", ParamKind.TOPIC, "The topic", positional=True, required=True),
        Param("deal", ParamKind.DEAL, "The topic's deal, when several have it"),
        CHANNEL,
    ),
    examples=("/unwatch tariffs",),
    effects=True,
)


def watcher(command: Command, ctx: Context) -> Target:
    """Who gets the alerts: the asker by direct message, or (admins) a channel."""
    raw = command.option("channel")
    if raw:
        if not ctx.is_admin:
            raise UserError(
                "Only Briefbot admins can set a channel to watch; /watch TOPIC without channel: alerts you by DM."
            )
        if raw == "here":
            return ctx.target
        try:
            return Target.parse(raw)
        except ValueError as exc:
            raise BadArgument(str(exc)) from None
    if ctx.user is None or ctx.target.platform == "console":
        return ctx.target
    return Target(ctx.target.platform, (*ctx.target.parts[:-1], f"@{ctx.user}"))


def exact_topic(command: Command, ctx: Context) -> Entity:
    """The topic named exactly (id or alias) in the exactly named, else implied, deal; anything weaker asks."""
    deal_id: str | None = None
    deal_query = command.option("deal")
    if deal_query:
        deal = _exact(ctx.store.index.lookup(EntityKind.DEAL, deal_query, viewer=ctx.viewer), command, "deal")
        deal_id = deal.id
    elif (implied := implied_deal(ctx)) is not None:
        deal_id = implied.id
    lookup = ctx.store.index.lookup(EntityKind.TOPIC, command.arg, deal_id=deal_id, viewer=ctx.viewer)
    return _exact(lookup, command, "topic")


def _exact(lookup: Lookup, command: Command, what: str) -> Entity:
    entity = found(lookup, command, what, arg=what == "topic")  # asks when several match, lists when none does
    if compact(lookup.query) in {compact(name) for name in entity.names}:
        return entity
    raise Clarify(_did_you_mean(lookup, command, entity))


def _did_you_mean(lookup: Lookup, command: Command, entity: Entity) -> Reply:
    if entity.kind is EntityKind.DEAL:
        pick = Command(command.name, command.arg, {**command.options, "deal": entity.id})
    else:
        deal = {"deal": entity.deal_id} if entity.deal_id else {}
        pick = Command(command.name, entity.id, {**command.options, **deal})
    typed = " ".join(lookup.query.split())[:60]
    return Reply(
        title=f"Did you mean {entity.label}?",
        tone=Tone.QUESTION,
        sections=(
            Section(
                text=f"/{command.name} changes what you get, so it needs an exact name or alias; "
                f"**{escape(typed)}** is closest to **{escape(entity.label)}**. Pick it to go ahead:"
            ),
        ),
        choices=(Choice(entity.label, pick.text(), description=KIND_WORD[entity.kind]),),
    )


async def handle(command: Command, ctx: Context) -> Reply:
    async with state_of(ctx, "Watching topics") as state:
        return await _handle_with(command, ctx, state)


async def _handle_with(command: Command, ctx: Context, state: State) -> Reply:
    from bot.state import watches

    who = watcher(command, ctx)
    if not command.arg:
        mine = await watches.all_watches(state, target=str(who))
        text = (
            "\n".join(f"- **{escape(w.topic)}** ({escape(w.deal)})" for w in mine) or "Nothing yet: try /watch tariffs."
        )
        return Reply(title=f"Watched by {who}", sections=(Section(text=text),))
    entity = exact_topic(command, ctx)
    assert entity.deal_id is not None
    added = await watches.add(
        state, str(who), entity.deal_id, entity.id, created_by=ctx.user, now=ctx.ports.clock.now()
    )
    where = "you, by direct message" if who != ctx.target and who.is_direct else f"`{who}`"
    verb = "Watching" if added else "Already watching"
    return Reply(
        title=f"{verb} {entity.label}",
        sections=(Section(text=f"A short alert goes to {where} when its status changes or an event is added."),),
    )


async def handle_unwatch(command: Command, ctx: Context) -> Reply:
    async with state_of(ctx, "Watching topics") as state:
        return await _handle_unwatch_with(command, ctx, state)


async def _handle_unwatch_with(command: Command, ctx: Context, state: State) -> Reply:
    from bot.state import watches

    who = watcher(command, ctx)
    entity = exact_topic(command, ctx)
    assert entity.deal_id is not None
    if not await watches.remove(state, str(who), entity.deal_id, entity.id):
        raise BadArgument(f"{who} was not watching {entity.label}.")
    return Reply(title=f"Stopped watching {entity.label}")


COMMAND = CommandDef(SPEC, handle)
UNWATCH = CommandDef(UNWATCH_SPEC, handle_unwatch)
