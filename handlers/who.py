"""/who <person>: who someone is, where they stand, what they said, what they touch."""

from __future__ import annotations

import datetime as dt

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.i18n import gettext_for, human_date, human_day, status_word
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store.asof import AsOf, latest_record, published_by, record_notes
from bot.store.index import EntityKind
from bot.store.localize import gloss, localize
from bot.textfmt import credit
from handlers.common import event_line, found, fuzzy_note, latest, sources
from handlers.language import LANG_PARAM, language_of, shown_path

MAX_QUOTES = 4
MAX_EVENTS = 3

SPEC = CommandSpec(
    name="who",
    off_loop=True,
    description="Who a person is: role, stance, recent quotes, the topics they touch.",
    params=(
        Param("person", ParamKind.PERSON, "A person, by name, surname or alias", required=True, positional=True),
        Param("date", ParamKind.DATE, "Answer as of this date (YYYY-MM-DD)"),
        LANG_PARAM,
    ),
    examples=("/who clow", "/who o'toole", "/who lighthizer", "/who clow lang:fr"),
    dated_store=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    lang = language_of(command, ctx)
    _ = gettext_for(lang)
    store = localize(ctx.store, lang)
    as_of = ctx.as_of(command)
    lookup = store.index.lookup(EntityKind.PERSON, command.arg, viewer=ctx.viewer)
    entity = found(lookup, command, "person", language=lang)
    entry = store.people[entity.id]
    person = entry.person

    sections = []
    if person.stance:
        sections.append(Section(heading=_("Stance"), text=escape(person.stance)))
    said_on = [(i, q) for i, q in enumerate(person.quotes) if q.date.start <= as_of]
    quotes = [q for _i, q in sorted(said_on, key=lambda iq: iq[1].date, reverse=True)]
    if quotes:
        lines = []
        for index, quote in sorted(said_on, key=lambda iq: iq[1].date, reverse=True)[:MAX_QUOTES]:
            cited = store.sources.get(quote.source)
            said = credit(cited.outlet if cited else None, human_date(quote.date, lang))
            context = _("{context}: ").format(context=escape(quote.context.rstrip("."))) if quote.context else ""
            meaning = gloss(store, entry.id, index)  # the quote stays as said; its meaning in the reader's language
            shown = f"\u201c{escape(quote.text)}\u201d" + (
                f" (\u00ab\u00a0{escape(meaning)}\u00a0\u00bb)" if meaning else ""
            )
            lines.append(f"- {context}{shown}{said}")
        sections.append(Section(heading=_("Said"), text="\n".join(lines)))
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
            lines.append(f"- **{escape(topic.topic.title)}**{where}: {status_word(topic.topic.status, lang)}")
        sections.append(Section(heading=_("Topics"), text="\n".join(lines)))
    events = [
        e
        for deal_id, e in store.events_of_person(entry.id)
        if AsOf.of(store.deals[deal_id], as_of).happened(e.date) and e in store.visible_events(deal_id, ctx.viewer)
    ]
    events.sort(key=lambda e: e.date, reverse=True)
    if events:
        recent = "\n".join(event_line(e, store, language=lang) for e in events[:MAX_EVENTS])
        sections.append(Section(heading=_("Recently"), text=recent))
    if entry.doc.body:
        sections.append(Section(heading=_("Background"), text=escape(entry.doc.body.split("\n\n", 1)[0])))

    return Reply(
        title=person.name,
        subtitle=f"{person.role} · {person.affiliation}",
        sections=tuple(sections),
        sources=sources(
            store,
            published_by(store, [*person.sources, *(q.source for q in quotes[:MAX_QUOTES])], as_of),
            language=lang,
        ),
        updated=latest([person.updated], language=lang),
        footer=(
            *fuzzy_note(lookup, entity, language=lang),
            _("As of {day}").format(day=human_day(as_of, lang)) + f" · {shown_path(store, entry.doc.path)}",
            *_record_note(ctx, entry.id, command, as_of, lang),
        ),
        language=lang,
    )


def _record_note(ctx: Context, person_id: str, command: Command, as_of: dt.date, lang: str) -> tuple[str, ...]:
    """Across the person's deals, the newest record decides whether the day is before or after it."""
    record = latest_record([ctx.store.deals[d] for d in ctx.store.deals_of_person(person_id)])
    asked = command.option("date") is not None
    return record_notes(AsOf(as_of, record), asked=asked, language=lang) if record else ()


COMMAND = CommandDef(SPEC, handle)
