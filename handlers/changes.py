"""/changes <topic, deal or person> [since:DATE]: what changed in a document, field by field, commit by commit (git)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import UserError
from bot.markup import escape
from bot.reply import Reply, Section, Tone
from bot.router import CommandDef
from bot.store.dates import human_day
from bot.store.documents import Document
from bot.store.index import EntityKind, Outcome
from bot.store.model import Event, EventLog
from handlers.common import found, fuzzy_note, topic_scope

if TYPE_CHECKING:
    from bot.store.history import Commit, Revision

SHOWN = 15  # commits in one answer; since: reaches further back

SPEC = CommandSpec(
    name="changes",
    description="What changed in a topic or a deal, field by field, with who changed it and when (from git).",
    params=(
        Param("subject", ParamKind.TOPIC_OR_DEAL, "A topic or a deal", required=True, positional=True),
        Param("deal", ParamKind.DEAL, "Which deal, when the store follows several"),
        Param("since", ParamKind.DATE, "Only changes on or after this date (YYYY-MM-DD)"),
        Param("until", ParamKind.DATE, "Only changes on or before this date (YYYY-MM-DD), to page back"),
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
    since, until = command.date_option("since"), command.date_option("until")
    index, deal_id, viewer = ctx.store.index, _deal_of(paths), ctx.viewer

    def seen(event: Event) -> bool:
        """As ``Store.visible_events``: an event about topics this viewer may not see stays out of the list."""
        return not event.topics or any(index.visible(EntityKind.TOPIC, t, deal_id, viewer) for t in event.topics)

    steps = [step for path in paths for step in _steps(await history.revisions(path))]
    steps = [s for s in steps if (not since or s.day >= since) and (not until or s.day <= until)]
    groups: dict[str, list[Step]] = {}  # by commit, newest first (a deal's two files may change in one commit)
    for step in sorted(steps, key=lambda s: s.revision.commit.when, reverse=True):
        groups.setdefault(step.revision.commit.sha, []).append(step)
    # Only what is shown is compared: a long history costs its log and a page of comparisons, not all of them.
    changes: list[Change] = []
    read = 0
    for group in groups.values():
        if len(changes) == SHOWN:
            break
        read += 1
        lines = tuple(line for step in group for line in _lines(step, party_name, seen))
        if lines:
            where = ", ".join(dict.fromkeys(s.revision.path for s in group))
            changes.append(Change(group[0].revision.commit, where, lines))
    if not changes:
        window = "".join([f" since {human_day(since)}" if since else "", f" up to {human_day(until)}" if until else ""])
        return Reply(
            title=f"No recorded changes to {title}{window}",
            tone=Tone.NOT_FOUND,
            sections=(Section(text=f"No commit{window} changed {', '.join(escape(p) for p in paths)}."),),
            footer=footer,
        )
    more = None
    left = len(groups) - read
    if left:
        oldest = changes[-1].commit.day.isoformat()
        footer = (*footer, f"{left} older commit(s) not shown: until:{oldest} goes further back.")
        more = Command("changes", command.arg, {**command.options, "until": oldest}).text()
    return Reply(
        title=f"Changes to {title}",
        subtitle=", ".join(paths),
        sections=tuple(_section(c) for c in changes),
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


@dataclass(frozen=True, slots=True)
class Step:
    """A revision and the last revision before it that loaded: what it is compared with."""

    revision: Revision
    base: Document | None

    @property
    def day(self) -> dt.date:
        return self.revision.commit.day


def _steps(revisions: list[Revision]) -> list[Step]:
    steps: list[Step] = []
    last: Document | None = None
    for rev in revisions:
        steps.append(Step(rev, last))
        if rev.document is None or isinstance(rev.document, Document):
            last = rev.document  # a revision that did not load is skipped: the next is compared with the last good
    return steps


def _visible(doc: Document, seen: Callable[[Event], bool]) -> Document:
    """An events log as this viewer may see it."""
    if not isinstance(doc.model, EventLog):
        return doc
    kept = doc.model.model_copy(update={"events": [e for e in doc.model.events if seen(e)]})
    return replace(doc, model=kept)


def _lines(step: Step, parties: dict[str, str], seen: Callable[[Event], bool]) -> list[str]:
    """What a revision changed, field by field; a revision that did not load is reported as skipped."""
    from bot.store.changes import diff_documents  # kept out of every other command's start-up

    rev, base = step.revision, step.base
    if rev.document is None:
        return ["removed from the store"]
    if not isinstance(rev.document, Document):
        first = rev.document[0] if rev.document else None
        why = f": {first.path}:{first.line}: {first.message}" if first else ""
        return [f"skipped: this revision did not load{why}"]
    if base is None:
        return ["added to the store"]
    lines = diff_documents(_visible(base, seen), _visible(rev.document, seen), party_name=lambda p: parties.get(p, p))
    if base.path != rev.path:
        lines.insert(0, f"renamed: {base.path} → {rev.path}")
    return lines


def _section(change: Change) -> Section:
    c = change.commit
    heading = f"{human_day(c.day)} · {c.author} · {c.subject}"
    text = "\n".join(f"- {escape(line)}" for line in change.lines)
    return Section(heading=heading, text=f"{text}\n_{escape(change.path)} @ {c.sha[:12]}_")


COMMAND = CommandDef(SPEC, handle)
