"""/search <words>: full-text search over people, topics, deals and events, ranked.

The full-text index ranks; this handler puts first what the words name (a topic whose id, title or alias they
are), quotes each hit's prose rather than the index's text (which holds alias lists), and gives each hit its date
and a command that opens that very thing (an event opens its topic's timeline on its day).
"""

from __future__ import annotations

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.i18n import gettext_for, human_date, labelled, ngettext_for
from bot.markup import escape
from bot.reply import Choice, Reply, Section
from bot.router import CommandDef
from bot.store import Store
from bot.store.index import EntityKind
from bot.store.localize import localize
from bot.store.model import Event
from bot.store.search import Hit, snippet
from bot.store.text import compact, fold
from handlers.language import LANG_PARAM, language_of

MAX_HITS = 8

SPEC = CommandSpec(
    name="search",
    off_loop=True,
    description="Full-text search over the whole store, best matches first.",
    params=(Param("words", ParamKind.TEXT, "What to look for", required=True, positional=True), LANG_PARAM),
    examples=("/search dairy", "/search discount oil", "/search arctic", "/search dairy lang:fr"),
)

# what the words name ranks first, a topic before a deal before a person
_NAMED_ORDER = (EntityKind.TOPIC, EntityKind.DEAL, EntityKind.PERSON)


def _kinds(language: str) -> dict[str, str]:
    _ = gettext_for(language)
    return {"topic": _("Topic"), "person": _("Person"), "deal": _("Deal"), "event": _("Event")}


async def handle(command: Command, ctx: Context) -> Reply:
    lang = language_of(command, ctx)
    _ = gettext_for(lang)
    kinds = _kinds(lang)
    store = localize(ctx.store, lang)  # the index ranks the original's words; hits are shown in the reader's
    query = command.arg
    found = (
        await ctx.store.search_index.search_async(query, viewer=ctx.viewer, limit=MAX_HITS * 2) if fold(query) else []
    )
    shown = escape(" ".join(query.split())[:80])
    if not found:
        return Reply(
            title=_("No matches"),
            sections=(
                Section(
                    text=_("Nothing in the store mentions **{words}**. Try fewer or other words.").format(words=shown)
                ),
            ),
            language=lang,
        )
    named = _named(ctx, query)
    hits = sorted(found, key=lambda h: named.index(h.key) if h.key in named else len(named))[:MAX_HITS]
    sections = []
    choices = []
    for hit in hits:
        kind = hit.key.partition(":")[0]
        prose, when, open_cmd, title = _describe(store, hit, lang)
        text = escape(snippet(prose, query)).replace("\\*\\*", "**")
        what = f"{kinds[kind]}, {when}" if kind == "event" else kinds[kind]
        dated = "" if kind == "event" else "_" + _("Updated {date}").format(date=when) + "_\n"
        sections.append(Section(heading=labelled(what, title, lang), text=f"{text}\n{dated}`{open_cmd}`".lstrip("\n")))
        choices.append(Choice(title, open_cmd, description=kinds[kind]))
    n = len(hits)
    ngettext = ngettext_for(lang)
    return Reply(
        title=labelled(_("Search"), " ".join(query.split())[:80], lang),
        subtitle=ngettext("{count} best match", "{count} best matches", n).format(count=n),
        sections=tuple(sections),
        choices=tuple(choices[:5]),
        language=lang,
    )


def _named(ctx: Context, query: str) -> list[str]:
    """Search keys of what ``query`` names exactly (an id, title, name or alias), in rank order."""
    if not compact(query):
        return []
    index = ctx.store.index  # the exact-name table: no walk over every name in the store
    keys = []
    for kind in _NAMED_ORDER:
        named = sorted(index.named(kind, query, viewer=ctx.viewer), key=lambda e: e.order)
        keys += [f"{kind.value}:{e.ref}" for e in named]
    return keys


def _describe(store: Store, hit: Hit, lang: str) -> tuple[list[str], str, str, str]:
    """A hit's prose, its date as a reader sees it, the command that opens it, and its title."""
    kind, _sep, ref = hit.key.partition(":")
    deal_id, _sep, item = ref.partition("/")
    if kind == "topic":
        t = store.deals[deal_id].topics[item].topic
        prose = [t.summary, *t.positions.values(), t.outlook or "", store.deals[deal_id].topics[item].doc.body]
        return prose, human_date(t.updated, lang), f"/status {item} deal:{deal_id}", t.title
    if kind == "event":
        event = next(e for e in store.deals[deal_id].events if e.id == item)
        return [event.detail or ""], human_date(event.date, lang), _event_command(deal_id, event), event.title
    if kind == "person":
        entry = store.people[ref]
        p = entry.person
        prose = [p.role, p.stance or "", *(q.text for q in p.quotes), entry.doc.body]
        return prose, human_date(p.updated, lang), f"/who {ref}", p.name
    d = store.deals[ref].deal
    tracks = [" ".join([t.question or "", *t.open_questions]) for t in d.tracks]
    return [d.summary, d.goal or "", *tracks], human_date(d.updated, lang), f"/deal {ref}", d.title


def _event_command(deal_id: str, event: Event) -> str:
    """The timeline of the event's first topic (else its deal) as of its day: the event heads the list."""
    subject = f"{event.topics[0]} deal:{deal_id}" if event.topics else deal_id
    return f"/timeline {subject} date:{event.date.start.isoformat()}"


COMMAND = CommandDef(SPEC, handle)
