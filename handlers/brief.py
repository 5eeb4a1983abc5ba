"""/brief [deal]: the deal-progress briefing, on demand. It never moves a channel's snapshot."""

from __future__ import annotations

from bot.briefing import BriefingOptions, compose_briefing
from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import BadArgument
from bot.reply import Reply
from bot.router import CommandDef
from handlers.common import resolve_deal

SPEC = CommandSpec(
    name="brief",
    description="The deal-progress briefing on demand: progress, what changed, what is coming, what is stale.",
    params=(
        Param("deal", ParamKind.DEAL, "Which deal (optional when there is one, or a channel default)", positional=True),
        Param("date", ParamKind.DATE, "Brief as of this date (YYYY-MM-DD)"),
        Param("since", ParamKind.DATE, "Report changes since this date, to catch up after time away"),
    ),
    examples=("/brief", "/brief since:2025-04-25", "/brief canada-us date:2025-05-02"),
)


async def handle(command: Command, ctx: Context) -> Reply:
    deal = resolve_deal(command, ctx, command.arg or None)
    as_of = ctx.as_of(command)
    since = command.date_option("since")
    if since and since >= as_of:
        raise BadArgument(f"since must be before the briefing date ({as_of.isoformat()}).")
    options = ctx.services.get("briefing_options", BriefingOptions())
    live = ctx.services.get("live_store")
    return compose_briefing(
        ctx.store, deal, as_of, since=since, options=options, viewer=ctx.viewer, commit=getattr(live, "commit", None)
    )


COMMAND = CommandDef(SPEC, handle)
