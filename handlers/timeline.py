"""/timeline [topic or deal]: dated events, newest first, with what is scheduled ahead."""

from __future__ import annotations

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import BadArgument
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store import DealEntry
from bot.store.asof import AsOf, published_by, record_notes, split_events, unconfirmed_heading
from bot.store.dates import human_day
from bot.store.index import EntityKind, Outcome
from handlers.common import event_line, found, fuzzy_note, resolve_deal, sources, topic_scope

PAGE_SIZE = 12

SPEC = CommandSpec(
    name="timeline",
    description="Dated events of a topic or a whole deal, newest first.",
    params=(
        Param("subject", ParamKind.TOPIC_OR_DEAL, "A topic or a deal (the whole deal when left out)", positional=True),
        Param("deal", ParamKind.DEAL, "Which deal, when the store follows several"),
        Param("date", ParamKind.DATE, "As of this date (YYYY-MM-DD)"),
        Param("page", ParamKind.TEXT, "Page of older events (2, 3, ...)"),
    ),
    examples=("/timeline", "/timeline tariffs", "/timeline canada-us date:2025-03-15"),
    dated_store=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    store = ctx.store
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
            entity = found(lookup, command, "topic")
            assert entity.deal_id is not None
            deal, topic_id = store.deals[entity.deal_id], entity.id
            footer = fuzzy_note(lookup, entity)
    else:
        deal, topic_id = resolve_deal(command, ctx), None

    visible = store.visible_events(deal.id, ctx.viewer)
    on = AsOf.of(deal, as_of, visible)
    split = split_events((e for e in visible if topic_id is None or topic_id in e.topics), on)
    past = list(reversed(split.past))
    ahead = split.ahead
    # looking back, what came later is still ahead on that day, but it was not necessarily scheduled then
    ahead_word = "still ahead" if on.looking_back else "scheduled"
    start = (page - 1) * PAGE_SIZE
    shown = past[start : start + PAGE_SIZE]
    title = deal.topics[topic_id].topic.title if topic_id else deal.deal.title
    sections = []
    if page == 1 and ahead:
        heading = f"Still ahead on {human_day(as_of)}" if on.looking_back else "Scheduled"
        sections.append(Section(heading=heading, text="\n".join(event_line(e, store) for e in ahead)))
    if page == 1 and split.unconfirmed:
        lines = "\n".join(event_line(e, store) for e in reversed(split.unconfirmed))
        sections.append(Section(heading=unconfirmed_heading(as_of), text=lines))
    if shown:
        sections.append(
            Section(
                heading="Events" if page == 1 else f"Events, page {page}",
                text="\n".join(event_line(e, store) for e in shown),
            )
        )
    elif page > 1:
        pages = max(1, -(-len(past) // PAGE_SIZE))
        verb = "makes" if len(past) == 1 else "make"
        sections.append(
            Section(text=f"There is no page {page}: {_count(len(past), 'event')} {verb} {_count(pages, 'page')}.")
        )
    elif not ahead and not split.unconfirmed:
        sections.append(Section(text="No events recorded yet."))
    more = None
    if start + PAGE_SIZE < len(past):
        options = {**command.options, "page": str(page + 1)}
        more = Command(command.name, command.arg, options).text()
    counts = [f"{_count(len(past), 'event')} up to {human_day(as_of)}"]
    if ahead:
        counts.append(f"{len(ahead)} {ahead_word}")
    if split.unconfirmed:
        counts.append(f"{len(split.unconfirmed)} with no recorded outcome")
    return Reply(
        title=f"Timeline: {title}",
        subtitle=", ".join(counts),
        sections=tuple(sections),
        sources=sources(store, published_by(store, [e.source for e in shown], as_of)),
        footer=(*footer, *record_notes(on, asked=command.option("date") is not None)),
        more=more,
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _page(value: str | None) -> int:
    if value is None:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise BadArgument("page must be a number such as 2")
    return int(value)


COMMAND = CommandDef(SPEC, handle)
