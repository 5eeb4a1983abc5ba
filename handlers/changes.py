"""/changes <topic, deal or person> [since:DATE]: what changed in a document, field by field, commit by commit (git)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import UserError
from bot.markup import escape
from bot.reply import Reply, Section, Tone
from bot.router import CommandDef
from bot.store.changes import diff_documents
from bot.store.dates import human_day
from bot.store.documents import Document
from bot.store.history import Commit, Revision
from bot.store.index import EntityKind, Outcome
from bot.store.model import Event, EventLog
from handlers.common import found, fuzzy_note, topic_scope

SHOWN = 15  # commits in one answer; since: reaches further back

SPEC = CommandSpec(
    name="changes",
    description="What changed in a topic or a deal, field by field, with who changed it and when (from git).",
    params=(
        Param("subject", ParamKind.TOPIC_OR_DEAL, "A topic or a deal", required=True, positional=True),
        Param("deal", ParamKind.DEAL, "Which deal, when the store follows several"),
        Param("since", ParamKind.DATE, "Only changes on or after this date (YYYY-MM-DD)"),
    ),
    examples=("/changes tariffs", "/changes dairy since:2025-03-01", "/changes canada-us"),
)


@dataclass(frozen=True, slots=True)
class Change:
    commit: Commit
    path: str
    lines: tuple[str, ...]


async def handle(command: Command, ctx: Context) -> Reply:
    title, paths, party_name, footer = _subject(command, ctx)
    history = ctx.ports.history
    if history is None:
        raise UserError("/changes reads the store's git history, and this store is not served from a git checkout.")
    since = command.date_option("since")
    index, deal_id, viewer = ctx.store.index, _deal_of(paths), ctx.viewer

    def seen(event: Event) -> bool:
        """As ``Store.visible_events``: an event about topics this viewer may not see stays out of the list."""
        return not event.topics or any(index.visible(EntityKind.TOPIC, t, deal_id, viewer) for t in event.topics)

    changes: list[Change] = []
    for path in paths:
        changes += _changes([_visible(r, seen) for r in await history.revisions(path)], party_name)
    if since:
        changes = [c for c in changes if c.commit.day >= since]
    changes = _by_commit(changes)
    if not changes:
        after = f" since {human_day(since)}" if since else ""
        return Reply(
            title=f"No recorded changes to {title}{after}",
            tone=Tone.NOT_FOUND,
            sections=(Section(text=f"No commit{after} touched {', '.join(escape(p) for p in paths)}."),),
            footer=footer,
        )
    shown = changes[:SHOWN]
    sections = tuple(_section(c) for c in shown)
    more = None
    if len(changes) > SHOWN:
        oldest = shown[-1].commit.day
        footer = (*footer, f"{len(changes) - SHOWN} older change(s) not shown; since: picks a starting date.")
        more = Command("changes", command.arg, {**command.options, "since": oldest.isoformat()}).text()
    return Reply(
        title=f"Changes to {title}",
        subtitle=", ".join(paths),
        sections=sections,
        footer=footer,
        more=more,
    )


def _subject(command: Command, ctx: Context) -> tuple[str, list[str], dict[str, str], tuple[str, ...]]:
    """The title, store paths and party names of the topic, deal or person asked about."""
    store = ctx.store
    lookup = store.index.lookup(EntityKind.TOPIC, command.arg, deal_id=topic_scope(command, ctx), viewer=ctx.viewer)
    deal_lookup = store.index.lookup(EntityKind.DEAL, command.arg, viewer=ctx.viewer)
    exact_topic = lookup.outcome is Outcome.FOUND and not lookup.fuzzy
    if lookup.outcome is not Outcome.FOUND and deal_lookup.outcome is not Outcome.FOUND:
        person = store.index.lookup(EntityKind.PERSON, command.arg, viewer=ctx.viewer)
        if person.outcome is Outcome.FOUND and person.entity is not None:  # quotes, stance, role
            entry = store.people[person.entity.id]
            return entry.person.name, [entry.doc.path], {}, fuzzy_note(person, person.entity)
    if deal_lookup.entity is not None and deal_lookup.outcome is Outcome.FOUND and not exact_topic:
        deal = store.deals[deal_lookup.entity.id]
        parties = {p.id: p.name for p in deal.deal.parties}
        events = deal.events_doc.path if deal.events_doc else f"deals/{deal.id}/events.yaml"
        return deal.deal.title, [deal.doc.path, events], parties, ()
    entity = found(lookup, command, "topic")
    assert entity.deal_id is not None
    deal = store.deals[entity.deal_id]
    topic = deal.topics[entity.id]
    parties = {p.id: p.name for p in deal.deal.parties}
    return topic.topic.title, [topic.doc.path], parties, fuzzy_note(lookup, entity)


def _deal_of(paths: list[str]) -> str | None:
    parts = paths[0].split("/")
    return parts[1] if parts[0] == "deals" and len(parts) > 2 else None


def _visible(revision: Revision, shown: Callable[[Event], bool]) -> Revision:
    """An events log as this viewer may see it."""
    doc = revision.document
    if not isinstance(doc, Document) or not isinstance(doc.model, EventLog):
        return revision
    log = doc.model
    kept = log.model_copy(update={"events": [e for e in log.events if shown(e)]})
    return replace(revision, document=replace(doc, model=kept))


def _changes(revisions: list[Revision], parties: dict[str, str]) -> list[Change]:
    """Each revision against the last one that loaded; one that did not load is reported as skipped."""
    out: list[Change] = []
    last: Document | None = None
    for rev in revisions:
        if rev.document is None:
            out.append(Change(rev.commit, rev.path, ("removed from the store",)))
            last = None
            continue
        if not isinstance(rev.document, Document):
            first = rev.document[0] if rev.document else None
            why = f": {first.path}:{first.line}: {first.message}" if first else ""
            out.append(Change(rev.commit, rev.path, (f"skipped: this revision did not load{why}",)))
            continue
        if last is None:
            lines = ["added to the store"]
        else:
            lines = diff_documents(last, rev.document, party_name=lambda p: parties.get(p, p))
            if last.path != rev.path:
                lines.insert(0, f"renamed: {last.path} → {rev.path}")
        if lines:
            out.append(Change(rev.commit, rev.path, tuple(lines)))
        last = rev.document
    return out


def _by_commit(changes: list[Change]) -> list[Change]:
    """One entry per commit, newest first (a deal's file and its events log may change in the same commit)."""
    merged: dict[str, Change] = {}
    for change in changes:
        seen = merged.get(change.commit.sha)
        if seen is None:
            merged[change.commit.sha] = change
        else:
            paths = seen.path if change.path in seen.path.split(", ") else f"{seen.path}, {change.path}"
            merged[change.commit.sha] = Change(seen.commit, paths, seen.lines + change.lines)
    return sorted(merged.values(), key=lambda c: c.commit.when, reverse=True)


def _section(change: Change) -> Section:
    c = change.commit
    heading = f"{human_day(c.day)} · {c.author} · {c.subject}"
    text = "\n".join(f"- {escape(line)}" for line in change.lines)
    return Section(heading=heading, text=f"{text}\n_{escape(change.path)} @ {c.sha[:12]}_")


COMMAND = CommandDef(SPEC, handle)
