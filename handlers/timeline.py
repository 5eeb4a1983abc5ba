"""/timeline [topic or deal]: dated events, newest first, with what is scheduled ahead."""

from __future__ import annotations

from collections.abc import Iterable

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import BadArgument
from bot.i18n import gettext_for, human_day, ngettext_for
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store import DealEntry
from bot.store.asof import AsOf, published_by, record_notes, split_events, unconfirmed_heading
from bot.store.index import EntityKind, Outcome
from bot.store.localize import localize
from bot.store.model import Event
from handlers.common import event_line, found, fuzzy_note, resolve_deal, sources, topic_scope
from handlers.language import LANG_PARAM, language_of

PAGE_SIZE = 12

SPEC = CommandSpec(
    name="timeline",
    off_loop=True,
    description="Dated events of a topic or a whole deal, newest first.",
    params=(
        Param("subject", ParamKind.TOPIC_OR_DEAL, "A topic or a deal (the whole deal when left out)", positional=True),
        Param("deal", ParamKind.DEAL, "Which deal, when the store follows several"),
        Param("date", ParamKind.DATE, "As of this date (YYYY-MM-DD)"),
        Param("page", ParamKind.TEXT, "Page of older events (2, 3, ...)"),
        LANG_PARAM,
    ),
    examples=("/timeline", "/timeline tariffs", "/timeline canada-us date:2025-03-15", "/timeline tarifs lang:fr"),
    dated_store=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    lang = language_of(command, ctx)
    _ = gettext_for(lang)
    ngettext = ngettext_for(lang)
    store = localize(ctx.store, lang)
    as_of = ctx.as_of(command)
    page = _page(command.option("page"))
    footer: tuple[str, ...] = ()
    deal: DealEntry
    if command.arg:
        lookup = store.index.lookup(EntityKind.TOPIC, command.arg, deal_id=topic_scope(command, ctx), viewer=ctx.viewer)
        deal_lookup = store.index.lookup(EntityKind.DEAL, command.arg, viewer=ctx.viewer)
        exact_topic = lookup.outcome is Outcome.FOUND and not lookup.fuzzy
        if deal_lookup.entity is not None and deal_lookup.outcome is Outcome.FOUND and not exact_topic:
            deal, topic_id = store.deals[deal_lookup.entity.id], None
        else:
            entity = found(lookup, command, "topic", language=lang)
            assert entity.deal_id is not None
            deal, topic_id = store.deals[entity.deal_id], entity.id
            footer = fuzzy_note(lookup, entity, language=lang)
    else:
        deal, topic_id = store.deals[resolve_deal(command, ctx).id], None

    visible = store.visible_events(deal.id, ctx.viewer)
    on = AsOf.of(deal, as_of, visible)
    split = split_events((e for e in visible if topic_id is None or topic_id in e.topics), on)
    past = list(reversed(split.past))
    ahead = split.ahead
    # looking back, what came later is still ahead on that day, but it was not necessarily scheduled then
    start = (page - 1) * PAGE_SIZE
    shown = past[start : start + PAGE_SIZE]
    title = deal.topics[topic_id].topic.title if topic_id else deal.deal.title
    sections = []

    def lines(events: Iterable[Event]) -> str:
        return "\n".join(event_line(e, store, language=lang) for e in events)

    if page == 1 and ahead:
        heading = _("Still ahead on {day}").format(day=human_day(as_of, lang)) if on.looking_back else _("Scheduled")
        sections.append(Section(heading=heading, text=lines(ahead)))
    if page == 1 and split.unconfirmed:
        sections.append(
            Section(heading=unconfirmed_heading(as_of, language=lang), text=lines(reversed(split.unconfirmed)))
        )
    if shown:
        heading = _("Events") if page == 1 else _("Events, page {page}").format(page=page)
        sections.append(Section(heading=heading, text=lines(shown)))
    elif page > 1:
        pages = max(1, -(-len(past) // PAGE_SIZE))
        events = ngettext("{count} event makes", "{count} events make", len(past)).format(count=len(past))
        count_pages = ngettext("{count} page", "{count} pages", pages).format(count=pages)
        sections.append(
            Section(
                text=_("There is no page {page}: {events} {pages}.").format(page=page, events=events, pages=count_pages)
            )
        )
    elif not ahead and not split.unconfirmed:
        sections.append(Section(text=_("No events recorded yet.")))
    more = None
    if start + PAGE_SIZE < len(past):
        options = {**command.options, "page": str(page + 1)}
        more = Command(command.name, command.arg, options).text()
    n = len(past)
    counts = [
        ngettext("{count} event up to {day}", "{count} events up to {day}", n).format(
            count=n, day=human_day(as_of, lang)
        )
    ]
    if ahead:
        # looking back, what came later is still ahead on that day, but it was not necessarily scheduled then
        n = len(ahead)
        counts.append(
            (
                ngettext("{count} still ahead", "{count} still ahead", n)
                if on.looking_back
                else ngettext("{count} scheduled", "{count} scheduled", n)
            ).format(count=n)
        )
    if split.unconfirmed:
        n = len(split.unconfirmed)
        counts.append(
            ngettext("{count} with no recorded outcome", "{count} with no recorded outcome", n).format(count=n)
        )
    return Reply(
        title=_("Timeline: {title}").format(title=title),
        subtitle=", ".join(counts),
        sections=tuple(sections),
        sources=sources(store, published_by(store, [e.source for e in shown], as_of), language=lang),
        footer=(*footer, *record_notes(on, asked=command.option("date") is not None, language=lang)),
        language=lang,
        more=more,
    )


def _page(value: str | None) -> int:
    if value is None:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise BadArgument("page must be a number such as 2")
    return int(value)


COMMAND = CommandDef(SPEC, handle)
