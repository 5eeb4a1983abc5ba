"""/brief [deal]: the deal-progress briefing, on demand. It never moves a channel's snapshot.

In a channel whose briefings are posted, "what changed" is counted from that channel's last posted briefing,
exactly as the next scheduled post will (``briefbot brief --channel TARGET`` prints it). ``since:DATE`` reports
the changes since any day instead. ``/brief reissue`` (admins) edits the day's posted briefing in place after a
correction to the store; it never posts a second one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.config import BriefingOptions
from bot.context import Context
from bot.delivery import EditsPosts
from bot.errors import BadArgument, BriefbotError, DeliveryError, UserError
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store import DealEntry
from bot.store.dates import human_day
from handlers.common import resolve_deal
from handlers.language import LANG_PARAM, language_of
from handlers.running import state_of
from handlers.verify import reviewed_days

if TYPE_CHECKING:
    from bot.state import State
    from bot.state.snapshots import StoredSnapshot

log = logging.getLogger(__name__)

SPEC = CommandSpec(
    name="brief",
    description="The daily briefing on demand: what moved and why it matters, what is coming, progress, what is stale.",
    params=(
        Param("deal", ParamKind.DEAL, "Which deal (optional when there is one, or a channel default)", positional=True),
        Param("date", ParamKind.DATE, "Brief as of this date (YYYY-MM-DD)"),
        Param("since", ParamKind.DATE, "Report changes since this date, to catch up after time away"),
        LANG_PARAM,
    ),
    examples=("/brief", "/brief since:2025-04-25", "/brief canada-us date:2025-05-02", "/brief lang:fr"),
    off_loop=True,  # composing reads the store and the state database; a burst's briefings cost the main loop nothing
    on_loop_args=("reissue",),  # edits the posted message through the platform's client
)


async def handle(command: Command, ctx: Context) -> Reply:
    if command.arg.strip().lower() == "reissue":
        return await reissue(command, ctx)
    # The briefing's composition and snapshots, only now: every one-shot `briefbot ask` imports all the handlers
    # (the command table), and most answers never need them.
    from bot.briefing import compose_briefing
    from bot.briefing.snapshot import channel_briefing

    deal = resolve_deal(command, ctx, command.arg or None)
    lang = language_of(command, ctx)
    as_of = ctx.as_of(command)
    since = command.date_option("since")
    if since and since >= as_of:
        raise BadArgument(f"since must be before the briefing date ({as_of.isoformat()}).")
    options = ctx.ports.briefing or BriefingOptions()
    commit = ctx.ports.commit
    previous = await _channel_snapshot(ctx, deal, as_of) if since is None else None
    reviewed = await reviewed_days(ctx)
    if previous is not None:
        reply, _ = channel_briefing(
            ctx.store,
            deal,
            as_of,
            viewer=ctx.viewer,
            previous=previous.data,
            previous_date=previous.local_date,
            options=options,
            commit=commit,
            reviewed=reviewed,
            language=lang,
        )
        return reply  # read only: the snapshot moves when a briefing is posted, never here
    return compose_briefing(
        ctx.store,
        deal,
        as_of,
        since=since,
        options=options,
        viewer=ctx.viewer,
        commit=commit,
        reviewed=reviewed,
        language=lang,
    )


async def reissue(command: Command, ctx: Context) -> Reply:
    async with state_of(ctx, "/brief reissue") as state:
        return await _reissue_with(command, ctx, state)


async def _reissue_with(command: Command, ctx: Context, state: State) -> Reply:
    """Edit the channel's posted briefing (the latest, or the one of ``date:``) to match the corrected store."""
    if not ctx.is_admin:
        raise UserError("/brief reissue is for Briefbot admins.")
    from bot.briefing.snapshot import channel_briefing  # lazily: see handle
    from bot.schedule_plan import post_key  # brings APScheduler
    from bot.state import claims, snapshots
    from bot.state.claims import PostState

    deal = resolve_deal(command, ctx, None)
    target = str(ctx.target)
    day = command.date_option("date")
    post = (
        await claims.get(state, post_key(target, deal.id, day))
        if day
        else await claims.last_sent(state, target, deal.id)
    )
    if post is None or post.state is not PostState.SENT or not post.message_id:
        on = f" on {day.isoformat()}" if day else ""
        raise BadArgument(f"No posted {deal.id} briefing in this channel{on} to reissue.")
    delivery: object = ctx.ports.deliveries.get(ctx.target.platform)  # any Delivery; can this one edit?
    if not isinstance(delivery, EditsPosts):
        raise BadArgument(f"Briefbot cannot edit posts on {ctx.target.platform}, so it cannot reissue a briefing.")
    previous = await snapshots.previous(state, target, deal.id, before=post.local_date)
    reply, snapshot = channel_briefing(
        ctx.store,
        deal,
        post.local_date,
        viewer=ctx.viewer,
        previous=previous.data if previous else None,
        previous_date=previous.local_date if previous else None,
        options=ctx.ports.briefing or BriefingOptions(),
        commit=ctx.ports.commit,
        language=await _posted_language(state, ctx, target, deal.id, language_of(command, ctx)),
    )
    now = ctx.ports.clock.now()
    reply = replace(
        reply.shared(),
        subtitle=f"{reply.subtitle} · updated",
        footer=(*reply.footer, f"Updated {now:%d %b %H:%M} UTC after a correction"),
    )
    try:
        message_id = await delivery.update(ctx.target, post.message_id, reply, post.key)
    except DeliveryError as exc:
        raise BriefbotError(f"The briefing could not be edited: {exc}") from exc
    await claims.mark_edited(state, post.key, message_id=message_id, now=now)
    await snapshots.save(state, target, deal.id, post.local_date, snapshot, post_key=post.key, now=now)
    return Reply(
        title="Briefing reissued",
        sections=(Section(text=f"The {human_day(post.local_date)} briefing was updated in place, not posted again."),),
    )


async def _posted_language(state: State, ctx: Context, target: str, deal_id: str, fallback: str) -> str:
    """The language the channel's briefing is posted in: its subscription's, when it names one."""
    from bot.state import subscriptions

    subs = await subscriptions.effective(state, ctx.ports.configured_subscriptions)
    return next((s.language for s in subs if (s.target, s.deal) == (target, deal_id) and s.language), fallback)


async def _channel_snapshot(ctx: Context, deal: DealEntry, as_of: dt.date) -> StoredSnapshot | None:
    """The snapshot of this channel's last posted briefing before ``as_of``, if the bot has a state database."""
    if ctx.ports.state is None or ctx.target.platform == "console":
        return None
    from bot.state import snapshots

    try:
        async with ctx.ports.state() as state:
            return await snapshots.previous(state, str(ctx.target), deal.id, before=as_of)
    except Exception:  # a briefing without the digest beats no briefing
        log.warning("could not read the last briefing of %s; reporting dated changes", ctx.target, exc_info=True)
        return None


COMMAND = CommandDef(SPEC, handle)
