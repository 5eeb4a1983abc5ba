"""/deal [deal] [chart]: progress per track, milestone statuses, and the next dates (with a chart, on request)."""

from __future__ import annotations

from dataclasses import replace

from bot.briefing.progress import ahead_line, dates_ahead, milestone_lines, track_progress
from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.i18n import gettext_for, human_day, labelled
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store.asof import AsOf, published_by, record_notes
from bot.store.localize import localize
from handlers.common import latest, resolve_deal, sources
from handlers.deal_chart import wants_chart, with_chart
from handlers.language import LANG_PARAM, language_of, shown_path

NEXT_DATES = 5

SPEC = CommandSpec(
    name="deal",
    description="How far a deal has come: progress per track, milestones, open questions and the next dates.",
    params=(
        Param("deal", ParamKind.DEAL, "Which deal (optional when there is one, or a channel default)", positional=True),
        Param("date", ParamKind.DATE, "Answer as of this date (YYYY-MM-DD)"),
        LANG_PARAM,
    ),
    examples=("/deal", "/deal canada-us", "/deal chart", "/deal lang:fr"),
    dated_store=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    arg, chart = wants_chart(command.arg)
    plain = replace(command, arg=arg)
    reply = await _handle(plain, ctx)
    if not chart:
        return reply
    return await with_chart(reply, resolve_deal(plain, ctx, arg or None), ctx, ctx.as_of(command))


async def _handle(command: Command, ctx: Context) -> Reply:
    lang = language_of(command, ctx)
    _ = gettext_for(lang)
    store = localize(ctx.store, lang)
    deal = store.deals[resolve_deal(command, ctx, command.arg or None).id]
    as_of = ctx.as_of(command)
    events = store.visible_events(deal.id, ctx.viewer)
    on = AsOf.of(deal, as_of, events)  # milestones and bars as they stood on that day
    d = deal.deal
    parties = " · ".join(p.name for p in d.parties)
    goal_word, questions_word = _("Goal"), _("Open questions")
    goal = "\n\n" + labelled(f"**{goal_word}**", escape(d.goal), lang) if d.goal else ""
    sections = [Section(text=escape(d.summary) + goal)]
    sections.append(Section(heading=_("Progress"), progress=tuple(track_progress(t, on=on) for t in d.tracks)))
    for track in d.tracks:
        text = milestone_lines(track, on, lang)
        if track.open_questions:
            text += f"\n\n**{questions_word}**\n" + "\n".join(f"- {escape(q)}" for q in track.open_questions)
        heading = labelled(track.title, track.question, lang) if track.question else track.title
        sections.append(Section(heading=heading, text=text))
    upcoming = dates_ahead(deal, as_of, limit=NEXT_DATES, events=events, language=lang)
    if upcoming:
        sections.append(Section(heading=_("Next dates"), text="\n".join(ahead_line(a, as_of, lang) for a in upcoming)))
    cited = [*d.sources, *(m.source for t in d.tracks for m in t.milestones if m.source)]
    return Reply(
        title=d.title,
        subtitle=parties,
        sections=tuple(sections),
        sources=sources(store, published_by(store, cited, as_of), language=lang),
        updated=latest([d.updated], language=lang),
        footer=(
            _("As of {day}").format(day=human_day(as_of, lang)) + f" · {shown_path(store, deal.doc.path)}",
            *record_notes(on, asked=command.option("date") is not None, language=lang),
        ),
        language=lang,
        more=f"/timeline deal:{deal.id}",
    )


COMMAND = CommandDef(SPEC, handle)
