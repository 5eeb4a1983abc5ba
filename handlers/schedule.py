"""/schedule: each target's daily briefings, with when they last went out and when they next will."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import UserError
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef
from handlers.running import state_of
from handlers.subscription_text import describe, local_time

if TYPE_CHECKING:
    from bot.state import State
    from bot.state.subscriptions import Subscription

SPEC = CommandSpec(
    name="schedule",
    description="The daily briefings of this channel (admins: `all` for every channel), last and next post.",
    params=(Param("scope", ParamKind.CHOICE, "`all` lists every channel (admins)", positional=True, choices=("all",)),),
    examples=("/schedule", "/schedule all"),
)


async def handle(command: Command, ctx: Context) -> Reply:
    async with state_of(ctx, "/schedule") as state:
        return await _handle_with(command, ctx, state)


async def _handle_with(command: Command, ctx: Context, state: State) -> Reply:
    from bot.state import subscriptions

    everything = command.arg.strip().lower() == "all"
    if everything and not ctx.is_admin:
        raise UserError("/schedule all is for Briefbot admins; /schedule shows this channel's briefings.")
    subs = await subscriptions.effective(state, list(ctx.ports.configured_subscriptions))
    if not everything:
        subs = [s for s in subs if s.target == str(ctx.target)]
    if not subs:
        where = "any channel" if everything else "this channel"
        return Reply(
            title="No daily briefings",
            sections=(Section(text=f"Nothing is scheduled for {where}. Admins can add one with /subscribe."),),
        )
    now = ctx.ports.clock.now()
    by_target: dict[str, list[str]] = defaultdict(list)
    for sub in subs:
        by_target[sub.target].append(await _line(state, sub, now))
    sections = tuple(Section(heading=target, text="\n".join(lines)) for target, lines in by_target.items())
    if ctx.ports.clock.frozen:
        sections = (Section(text=ctx.ports.clock.frozen_note()), *sections)
    return Reply(title="Daily briefings", sections=sections)


async def _line(state: State, sub: Subscription, now: dt.datetime) -> str:
    from bot import schedule_plan as plan  # brings APScheduler: not at import, which every `briefbot ask` pays
    from bot.state import claims
    from bot.state.claims import PostState

    parts = [f"- **{escape(sub.deal)}** {escape(describe(sub))}"]
    if sub.read_only:
        parts.append("from config (read-only)")
    if sub.paused:
        parts.append(f"**paused**: {escape(sub.paused_reason or 'no reason recorded')}")
    else:
        upcoming = plan.next_occurrence(plan.trigger_for(sub), now)
        if upcoming:
            parts.append(f"next {local_time(sub, upcoming)}")
    history = await claims.history(state, target=sub.target, deal=sub.deal, limit=1)
    if history:
        last = history[0]
        when = local_time(sub, last.updated_at)
        if last.state is PostState.SENT:
            parts.append(f"last posted {when}" + (" (edited)" if last.edited_at else ""))
        else:
            parts.append(f"last run {last.local_date.isoformat()}: {last.state}")
    return " · ".join(parts)


COMMAND = CommandDef(SPEC, handle)
