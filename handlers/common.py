"""Shared pieces of the handlers: forgiving lookups, deal resolution, sources and dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot import textfmt
from bot.commands import Command
from bot.context import Context
from bot.errors import BadArgument, Clarify
from bot.i18n import DEFAULT, gettext_for, human_date, labelled
from bot.markup import escape
from bot.reply import Choice, Reply, Section, SourceRef, Tone
from bot.store import DealEntry, Store
from bot.store.dates import ApproxDate
from bot.store.index import Entity, EntityKind, Lookup, Outcome
from bot.store.model import Event
from bot.targets import Target
from handlers.lookup_text import LookupText, lookup_text

MAX_LISTED = 20
KIND_WORD = {EntityKind.TOPIC: "topic", EntityKind.PERSON: "person", EntityKind.DEAL: "deal"}
ECHO_CHARS = 60


def deal_option(command: Command, ctx: Context) -> DealEntry | None:
    """The deal named by ``deal:`` if any (a clear answer if it matches none or several)."""
    query = command.option("deal")
    if not query:
        return None
    entity = found(ctx.store.index.lookup(EntityKind.DEAL, query, viewer=ctx.viewer), command, "deal")
    return ctx.store.deals[entity.id]


def resolve_deal(command: Command, ctx: Context, query: str | None = None) -> DealEntry:
    """The deal a command is about: named, else the channel's default, else the only one, else a question."""
    if query:
        entity = found(ctx.store.index.lookup(EntityKind.DEAL, query, viewer=ctx.viewer), command, "deal", arg=True)
        return ctx.store.deals[entity.id]
    named = deal_option(command, ctx)
    if named:
        return named
    implied = implied_deal(ctx)
    if implied:
        return implied
    deals = ctx.store.index.entities(EntityKind.DEAL, viewer=ctx.viewer)
    if not deals:
        raise BadArgument("This store has no deals yet.")
    raise Clarify(
        Reply(
            title="Which deal?",
            tone=Tone.QUESTION,
            sections=(Section(text="This store follows several deals and this channel has no default one."),),
            choices=tuple(Choice(e.label, _with_option(command, "deal", e.id)) for e in deals[:25]),
        )
    )


def implied_deal(ctx: Context) -> DealEntry | None:
    """The channel's default deal, else the store's only visible deal."""
    if ctx.default_deal and ctx.default_deal in ctx.store.deals:
        return ctx.store.deals[ctx.default_deal]
    deals = ctx.store.index.entities(EntityKind.DEAL, viewer=ctx.viewer)
    return ctx.store.deals[deals[0].id] if len(deals) == 1 else None


def topic_scope(command: Command, ctx: Context) -> str | None:
    """Topics are looked up in the named or implied deal; across all deals when none applies."""
    named = deal_option(command, ctx)
    if named:
        return named.id
    implied = implied_deal(ctx)
    return implied.id if implied else None


def found(lookup: Lookup, command: Command, what: str, *, arg: bool = False, language: str = DEFAULT) -> Entity:
    """The entity a lookup settled on, or raise the right answer: a question, or "not found"."""
    if lookup.outcome is Outcome.FOUND and lookup.entity is not None:
        return lookup.entity
    known = lookup.known[:MAX_LISTED]
    says = lookup_text(what, language, unlisted=len(lookup.known) - len(known))
    if lookup.outcome is Outcome.EMPTY:
        raise BadArgument(says.empty.format(command=command.name))
    shown = escape(_clip(lookup.query))
    if lookup.outcome is Outcome.AMBIGUOUS:
        raise Clarify(
            Reply(
                title=says.which.format(query=_clip(lookup.query)),
                tone=Tone.QUESTION,
                sections=(Section(text=says.several.format(query=shown)),),
                choices=tuple(_choice(command, e, says, arg=arg or what != "deal") for e in lookup.candidates),
                language=language,
            )
        )
    listing = ", ".join(escape(e.label) for e in known) or says.none_yet
    more = says.more if len(lookup.known) > len(known) else ""
    raise Clarify(
        Reply(
            title=says.none.format(query=_clip(lookup.query)),
            tone=Tone.NOT_FOUND,
            sections=(Section(text=says.known.format(names=listing, more=more)),),
            choices=tuple(_choice(command, e, says, arg=arg or what != "deal") for e in known[:5]),
            language=language,
        )
    )


def fuzzy_note(lookup: Lookup, entity: Entity, *, language: str = DEFAULT) -> tuple[str, ...]:
    if lookup.fuzzy:
        _ = gettext_for(language)
        return (
            _("Showing {label}, the closest match to \u201c{query}\u201d.").format(
                label=entity.label, query=_clip(lookup.query)
            ),
        )
    return ()


def commit_note(ctx: Context, *, language: str = DEFAULT) -> tuple[str, ...]:
    """In git mode, the store commit an answer reflects."""
    commit = ctx.ports.commit
    _ = gettext_for(language)
    return (_("Store commit {commit}").format(commit=commit[:12]),) if commit else ()


def sources(store: Store, ids: Iterable[str], *, language: str = DEFAULT) -> tuple[SourceRef, ...]:
    refs = (textfmt.source_ref(s) for s in store.cite(ids))
    if language == DEFAULT:
        return tuple(refs)
    return tuple(replace(r, date=human_date(s.date, language)) for r, s in zip(refs, store.cite(ids), strict=True))


def latest(dates: Iterable[ApproxDate], *, language: str = DEFAULT) -> str | None:
    newest = max(dates, default=None)
    return human_date(newest, language) if newest else None


def target_option(command: Command, ctx: Context) -> Target:
    """The ``channel:`` option a command acts on: ``here`` (or none) is the asker's channel, else a target."""
    raw = command.option("channel")
    if not raw or raw == "here":
        return ctx.target
    try:
        return Target.parse(raw)
    except ValueError as exc:
        raise BadArgument(str(exc)) from None


def event_line(event: Event, store: Store, *, language: str = DEFAULT) -> str:
    cited = store.sources.get(event.source)
    outlet = cited.outlet if cited else None
    day = human_date(event.date, language)
    if language == DEFAULT:
        return textfmt.event_line(day, event.title, outlet)
    # the label-colon pattern follows the language's typography (French: « 30 avril 2025 : titre »)
    return "- " + labelled(f"**{day}**", f"{escape(event.title)}{textfmt.credit(outlet)}", language)


def _choice(command: Command, entity: Entity, says: LookupText | None = None, *, arg: bool) -> Choice:
    if entity.kind is EntityKind.DEAL and not arg:
        return Choice(entity.label, _with_option(command, "deal", entity.id))
    options = dict(command.options)
    if entity.deal_id:
        options["deal"] = entity.deal_id
    label = entity.label if not entity.deal_id else f"{entity.label} ({entity.deal_id})"
    return Choice(
        label,
        Command(command.name, entity.id, options).text(),
        description=says.kinds[entity.kind] if says else KIND_WORD[entity.kind],
    )


def _with_option(command: Command, key: str, value: str) -> str:
    return Command(command.name, command.arg, {**command.options, key: value}).text()


def _clip(text: str) -> str:
    """What someone typed, echoed on one line and short."""
    return textfmt.clip(textfmt.one_line(text), ECHO_CHARS)
