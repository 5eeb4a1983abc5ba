"""/status <topic>: where a topic stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.i18n import gettext_for, human_day, status_word
from bot.markup import escape
from bot.per_store import PerStore
from bot.reply import Field, Reply, Section
from bot.router import CommandDef
from bot.store import Store
from bot.store.asof import AsOf, published_by, record_notes, split_events, unconfirmed_heading
from bot.store.index import EntityKind
from bot.store.localize import localize
from bot.textfmt import clip
from handlers.common import commit_note, event_line, found, fuzzy_note, latest, sources, topic_scope
from handlers.language import LANG_PARAM, language_of, shown_path
from handlers.verify import review_note

LATEST_EVENTS = 3
BACKGROUND_CHARS = 700

SPEC = CommandSpec(
    name="status",
    off_loop=True,
    description="Where a topic stands: status, each side's position, outlook, latest events, people, sources.",
    params=(
        Param(
            "topic", ParamKind.TOPIC, "A topic, by name or alias (steel finds tariffs)", required=True, positional=True
        ),
        Param("deal", ParamKind.DEAL, "Which deal, when the store follows several"),
        Param("date", ParamKind.DATE, "Answer as of this date (YYYY-MM-DD)"),
        LANG_PARAM,
    ),
    examples=("/status tariffs", "/status steel", "/status dairy date:2025-05-02", "/status tarifs lang:fr"),
    dated_store=True,
)


@dataclass(frozen=True, slots=True)
class _Answer:
    """What /status says about a topic on a day, for a reader, in a language: all but the per-request footer."""

    reply: Reply
    as_of_line: str
    record_notes: tuple[tuple[str, ...], tuple[str, ...]]  # without, then with a ``date:`` asked for


# By (deal, topic, language, day, reader), per store: the answer reads nothing else, so it is worked out once.
_ANSWERS: PerStore[tuple[str, str, str, dt.date, str], _Answer] = PerStore()


async def handle(command: Command, ctx: Context) -> Reply:
    lang = language_of(command, ctx)
    store = localize(ctx.store, lang)
    as_of = ctx.as_of(command)
    lookup = store.index.lookup(EntityKind.TOPIC, command.arg, deal_id=topic_scope(command, ctx), viewer=ctx.viewer)
    entity = found(lookup, command, "topic", language=lang)
    assert entity.deal_id is not None
    key = (entity.deal_id, entity.id, lang, as_of, ctx.viewer)
    answer = _ANSWERS.get(store, key, lambda: _answer(store, *key))
    entry = store.topic(entity.deal_id, entity.id)
    assert entry is not None
    footer = (
        *fuzzy_note(lookup, entity, language=lang),
        answer.as_of_line,
        *answer.record_notes[command.option("date") is not None],
        *commit_note(ctx, language=lang),
        *await review_note(ctx, entry.doc),
    )
    return replace(answer.reply, footer=footer)


def _answer(store: Store, deal_id: str, topic_id: str, lang: str, as_of: dt.date, viewer: str) -> _Answer:
    """The answer from the store alone: it takes no context, so it cannot depend on anything but its key."""
    _ = gettext_for(lang)
    entry = store.topic(deal_id, topic_id)
    assert entry is not None
    deal = store.deals[deal_id]
    topic = entry.topic

    sections = [Section(text=escape(topic.summary))]
    if topic.positions:
        sections.append(
            Section(
                heading=_("Positions"),
                fields=tuple(
                    Field(deal.party_name(p), escape(text), inline=False) for p, text in topic.positions.items()
                ),
            )
        )
    if topic.outlook:
        sections.append(Section(heading=_("Outlook"), text=escape(topic.outlook)))
    on = AsOf.of(deal, as_of, store.visible_events(deal.id, viewer))
    split = split_events(store.events_of_topic(deal.id, entry.id), on)
    past = split.past[-LATEST_EVENTS:]
    coming = split.ahead[:LATEST_EVENTS]
    if past:
        sections.append(
            Section(heading=_("Latest"), text="\n".join(event_line(e, store, language=lang) for e in reversed(past)))
        )
    if split.unconfirmed:  # scheduled when the record was written, due since: not "latest", not "coming up"
        lines = "\n".join(event_line(e, store, language=lang) for e in reversed(split.unconfirmed[-LATEST_EVENTS:]))
        sections.append(Section(heading=unconfirmed_heading(as_of, language=lang), text=lines))
    if coming:
        sections.append(
            Section(heading=_("Coming up"), text="\n".join(event_line(e, store, language=lang) for e in coming))
        )
    people = store.people_of_topic(deal.id, entry.id)
    if people:
        sections.append(
            Section(
                heading=_("People"),
                text="\n".join(f"- **{escape(p.person.name)}**, {escape(p.person.role)}" for p in people),
            )
        )
    if entry.doc.body:
        background = entry.doc.body.split("\n\n", 1)[0]
        background = clip(background, BACKGROUND_CHARS, breaks=" ")  # at a word end, however far back
        sections.append(Section(heading=_("Background"), text=escape(background)))

    track = deal.track(topic.track)
    reply = Reply(
        title=topic.title,
        subtitle=_("{deal} · {track} track · {status}").format(
            deal=deal.deal.title, track=track.title if track else topic.track, status=status_word(topic.status, lang)
        ),
        status=topic.status,
        sections=tuple(sections),
        sources=sources(store, published_by(store, [*topic.sources, *(e.source for e in past)], as_of), language=lang),
        updated=latest([topic.updated], language=lang),
        language=lang,
        more=f"/timeline {entry.id} deal:{deal.id}",
    )
    as_of_line = _("As of {day}").format(day=human_day(as_of, lang)) + f" · {shown_path(store, entry.doc.path)}"
    notes = (record_notes(on, asked=False, language=lang), record_notes(on, asked=True, language=lang))
    return _Answer(reply, as_of_line, notes)


COMMAND = CommandDef(SPEC, handle)
