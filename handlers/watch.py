"""/watch and /unwatch: a short alert when a topic changes (its status, a new event).

Anyone can watch a topic for themselves (alerts come by direct message); admins can set a channel to watch with
``channel:here`` or ``channel:TARGET``. ``/watch`` alone lists what you (or this channel) watch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import BadArgument, UserError
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store.index import EntityKind
from bot.targets import Target
from handlers.common import found, topic_scope
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
    entity = found(
        ctx.store.index.lookup(EntityKind.TOPIC, command.arg, deal_id=topic_scope(command, ctx), viewer=ctx.viewer),
        command,
        "topic",
        arg=True,
    )
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
    entity = found(
        ctx.store.index.lookup(EntityKind.TOPIC, command.arg, deal_id=topic_scope(command, ctx), viewer=ctx.viewer),
        command,
        "topic",
        arg=True,
    )
    assert entity.deal_id is not None
    if not await watches.remove(state, str(who), entity.deal_id, entity.id):
        raise BadArgument(f"{who} was not watching {entity.label}.")
    return Reply(title=f"Stopped watching {entity.label}")


COMMAND = CommandDef(SPEC, handle)
UNWATCH = CommandDef(UNWATCH_SPEC, handle_unwatch)
