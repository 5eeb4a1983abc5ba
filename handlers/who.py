"""/who <person>: who someone is, where they stand, what they said, what they touch."""

from __future__ import annotations

import datetime as dt

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store.asof import AsOf, latest_record, published_by, record_notes
from bot.store.dates import human_day
from bot.store.index import EntityKind
from bot.store.model import status_label
from bot.textfmt import credit
from handlers.common import event_line, found, fuzzy_note, latest, sources

MAX_QUOTES = 4
MAX_EVENTS = 3

SPEC = CommandSpec(
    name="who",
    description="Who a person is: role, stance, recent quotes, the topics they touch.",
    params=(
        Param("person", ParamKind.PERSON, "A person, by name, surname or alias", required=True, positional=True),
        Param("date", ParamKind.DATE, "Answer as of this date (YYYY-MM-DD)"),
    ),
    examples=("/who clow", "/who o'toole", "/who lighthizer"),
    dated_store=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    store = ctx.store
    as_of = ctx.as_of(command)
    lookup = store.index.lookup(EntityKind.PERSON, command.arg, viewer=ctx.viewer)
    entity = found(lookup, command, "person")
    entry = store.people[entity.id]
    person = entry.person

    sections = []
    if person.stance:
        sections.append(Section(heading="Stance", text=escape(person.stance)))
    quotes = sorted((q for q in person.quotes if q.date.start <= as_of), key=lambda q: q.date, reverse=True)
    if quotes:
        lines = []
        for quote in quotes[:MAX_QUOTES]:
            cited = store.sources.get(quote.source)
            said = credit(cited.outlet if cited else None, quote.date.human())
            context = f"{escape(quote.context.rstrip('.'))}: " if quote.context else ""
            lines.append(f"- {context}\u201c{escape(quote.text)}\u201d{said}")
        sections.append(Section(heading="Said", text="\n".join(lines)))
    topics = [
        t
        for t in store.topics_of_person(entry.id)
        if store.index.visible(EntityKind.TOPIC, t.id, t.deal_id, ctx.viewer)
    ]
    if topics:
        several_deals = len({t.deal_id for t in topics}) > 1
        lines = []
        for topic in topics:
            where = f" ({escape(store.deals[topic.deal_id].deal.title)})" if several_deals else ""
            lines.append(f"- **{escape(topic.topic.title)}**{where}: {status_label(topic.topic.status)}")
        sections.append(Section(heading="Topics", text="\n".join(lines)))
    events = [
        e
        for deal_id, e in store.events_of_person(entry.id)
        if AsOf.of(store.deals[deal_id], as_of).happened(e.date) and e in store.visible_events(deal_id, ctx.viewer)
    ]
    events.sort(key=lambda e: e.date, reverse=True)
    if events:
        sections.append(Section(heading="Recently", text="\n".join(event_line(e, store) for e in events[:MAX_EVENTS])))
    if entry.doc.body:
        sections.append(Section(heading="Background", text=escape(entry.doc.body.split("\n\n", 1)[0])))

    return Reply(
        title=person.name,
        subtitle=f"{person.role} · {person.affiliation}",
        sections=tuple(sections),
        sources=sources(store, published_by(store, [*person.sources, *(q.source for q in quotes[:MAX_QUOTES])], as_of)),
        updated=latest([person.updated]),
        footer=(
            *fuzzy_note(lookup, entity),
            f"As of {human_day(as_of)} · {entry.doc.path}",
            *_record_note(ctx, entry.id, command, as_of),
        ),
    )


def _record_note(ctx: Context, person_id: str, command: Command, as_of: dt.date) -> tuple[str, ...]:
    """Across the person's deals, the newest record decides whether the day is before or after it."""
    record = latest_record([ctx.store.deals[d] for d in ctx.store.deals_of_person(person_id)])
    return record_notes(AsOf(as_of, record), asked=command.option("date") is not None) if record else ()


COMMAND = CommandDef(SPEC, handle)
