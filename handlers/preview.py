"""/preview: the briefing a channel will get on a day (tomorrow unless ``date:``), for admins.

"What changed" is computed as the scheduler would: against the snapshot of that channel's last posted briefing
before that day (so a preview shows the digest the channel will actually read), else from the store's dates.
Nothing is posted and no snapshot moves. Which deal: ``deal:``, else the deals the channel is subscribed to,
else the channel's default or the store's only deal. ``briefbot preview`` is this command from a terminal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.config import BriefingOptions
from bot.context import Context
from bot.errors import BadArgument
from bot.reply import Reply
from bot.router import CommandDef
from bot.store import DealEntry
from bot.store.dates import human_day
from handlers.common import deal_option, implied_deal, resolve_deal, target_option
from handlers.running import state_of

SPEC = CommandSpec(
    name="preview",
    description="Preview the briefing a channel will get on a day (tomorrow by default), digest included.",
    params=(
        Param("channel", ParamKind.TARGET, "The channel: `here` (default) or a target such as slack:T1:C2"),
        Param("date", ParamKind.DATE, "The day to preview (YYYY-MM-DD; default tomorrow)"),
        Param("deal", ParamKind.DEAL, "Which deal, when the channel follows several"),
    ),
    examples=("/preview", "/preview channel:slack:T1:C2 date:2025-05-06"),
    admin=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    # the briefing's composition only now: every one-shot `briefbot ask` imports all the handlers
    from bot.briefing.snapshot import channel_briefing
    from bot.state import reviews, snapshots, subscriptions

    channel = target_option(command, ctx)
    day = command.date_option("date") or ctx.today + dt.timedelta(days=1)
    options = ctx.ports.briefing or BriefingOptions()
    async with state_of(ctx, "/preview") as state:
        subs = [
            s
            for s in await subscriptions.effective(state, ctx.ports.configured_subscriptions)
            if s.target == str(channel) and s.deal in ctx.store.deals
        ]
        subscribed = [s.deal for s in subs]
        deal = _deal(command, ctx, subscribed)
        # the subscription's language when it names one (else this reader's, or the channel's, as /brief)
        language = next((s.language for s in subs if s.deal == deal.id and s.language), ctx.language)
        previous = await snapshots.previous(state, str(channel), deal.id, before=day)
        reviewed = await reviews.reviewed_days(state)
    try:
        reply, _ = channel_briefing(
            ctx.store,
            deal,
            day,
            viewer=str(channel),
            previous=previous.data if previous else None,
            previous_date=previous.local_date if previous else None,
            options=options,
            commit=ctx.ports.commit,
            reviewed=reviewed,
            language=language,
        )
    except LookupError:
        raise BadArgument(f"{deal.id} may not be shown in {channel}: it is restricted away from it.") from None
    basis = (
        f"changes since its last briefing, {human_day(previous.local_date)}"
        if previous
        else "no briefing posted there yet: changes from the store's dates"
    )
    others = [d for d in subscribed if d != deal.id]
    more = (f"It also follows {', '.join(others)}: add deal: to preview those.",) if others else ()
    footer = (*reply.footer, f"Preview, not posted · {basis}", *more)
    return replace(reply, title=f"Preview for {channel}: {reply.title}", footer=footer)


def _deal(command: Command, ctx: Context, subscribed: list[str]) -> DealEntry:
    named = deal_option(command, ctx)
    if named is not None:
        return named
    if subscribed:
        return ctx.store.deals[subscribed[0]]
    return implied_deal(ctx) or resolve_deal(command, ctx)


COMMAND = CommandDef(SPEC, handle)
