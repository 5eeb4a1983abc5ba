"""The deal-progress briefing: progress per track, what changed, what is coming, what has gone stale.

Pure: the same store, deal, date and inputs give the same reply, so ``briefbot brief`` prints exactly what
the scheduler would post. What changed comes either from dates in the store (``since``: events and edits
after that day) or, for a channel with a previous briefing, from a snapshot diff that the caller passes in
as ready-made ``changes`` lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.briefing.progress import ahead_line, dates_ahead, track_progress
from bot.config import BriefingOptions
from bot.markup import escape
from bot.reply import Progress, Reply, Section
from bot.store import DealEntry, Store
from bot.store.asof import AsOf, published_by
from bot.store.dates import ApproxDate, human_day, shift
from bot.store.documents import Document
from bot.store.index import EntityKind
from bot.store.model import Deal, Event, EventLog, Person, Topic
from bot.store.review import Reviewed, due_documents, people_of
from bot.textfmt import event_line, source_ref

MAX_LISTED_REVISIONS = 4  # more documents revised on one day than this are summed up in one line


def compose_briefing(
    store: Store,
    deal: DealEntry,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    changes: Sequence[str] | None = None,
    previous: dict[str, Progress] | None = None,
    options: BriefingOptions = BriefingOptions(),
    viewer: str | None = None,
    commit: str | None = None,
    reviewed: Reviewed | None = None,
) -> Reply:
    """``viewer`` is the target the briefing goes to: documents restricted away from it are left out, and a deal
    restricted away from it is refused (``LookupError``), never composed, whoever asks."""
    if not store.index.visible(EntityKind.DEAL, deal.id, None, viewer):
        raise LookupError(f"deal '{deal.id}' may not be shown to {viewer}")
    events = store.visible_events(deal.id, viewer)
    documents = store.visible_documents(_documents_of(store, deal), viewer)
    since = since or shift(as_of, -options.recent_days)
    on = AsOf.of(deal, as_of, events)  # progress as it stood on the briefing's day
    progress = []
    for track in deal.deal.tracks:
        now = track_progress(track, on=on)
        before = (previous or {}).get(track.id)
        note = f"{before.done}/{before.total} → {now.done}/{now.total}" if before and before != now else ""
        progress.append(Progress(now.label, now.done, now.total, note))
    sections = [Section(heading="Progress", progress=tuple(progress))]

    cited: list[str] = []
    if changes is None:
        changes, cited = _dated_changes(store, events, documents, since, on)
    ahead = dates_ahead(deal, as_of, days=options.horizon_days, events=events)
    # scheduled when the record was written and due since: neither news nor still coming
    unconfirmed = [e for e in events if on.unconfirmed(e.date) and since < e.date.start and e.date.end < as_of]
    if not changes and not ahead and not unconfirmed:
        sections.append(
            Section(
                text=f"Quiet day: nothing has changed since {human_day(since)} and nothing is due "
                f"in the next {options.horizon_days} days."
            )
        )
    else:
        if changes:
            sections.append(Section(heading=f"Since {human_day(since)}", text="\n".join(changes)))
        else:
            sections.append(Section(text=f"No changes since {human_day(since)}."))
        if ahead:
            sections.append(
                Section(
                    heading=f"Coming up (next {options.horizon_days} days)",
                    text="\n".join(ahead_line(a, as_of) for a in ahead),
                )
            )
        if unconfirmed:
            lines = [f"- **{e.date.human()}**: {escape(e.title)}" for e in reversed(unconfirmed)]
            sections.append(
                Section(
                    heading="Due, outcome not recorded",
                    text="\n".join([*lines, f"The record ends {deal.recorded_until.human()}."]),
                )
            )
    stale = due_documents(documents, as_of, options.stale_after_days, people=people_of(store), reviewed=reviewed)
    if stale:  # owners and review dates: bot.store.review
        lines = [f"- `{due.path}`: {due.line()}" for due in stale]
        sections.append(Section(heading="Gone stale (maintainers)", text="\n".join(lines)))

    source_refs = tuple(source_ref(s) for s in store.cite(published_by(store, [*deal.deal.sources, *cited], as_of)))
    return Reply(
        title=f"Daily briefing: {deal.deal.title}",
        subtitle=human_day(as_of),
        sections=tuple(sections),
        sources=source_refs,
        updated=max((_updated(d) for d in documents), default=deal.deal.updated).human(),
        footer=(
            f"Briefing for {human_day(as_of)} · /deal deal:{deal.id} for every milestone",
            *((f"Store commit {commit[:12]}",) if commit else ()),
        ),
        more=f"/deal deal:{deal.id}",
    )


def _dated_changes(
    store: Store, events: Sequence[Event], documents: Sequence[Document], since: dt.date, on: AsOf
) -> tuple[list[str], list[str]]:
    as_of = on.day
    lines: list[str] = []
    cited: list[str] = []
    for event in reversed(events):
        # today's events are announced, not reported; one the record only has as scheduled is not reported either
        if since < event.date.start and event.date.end < as_of and on.happened(event.date):
            source = store.sources.get(event.source)
            lines.append(event_line(event.date.human(), event.title, source.outlet if source else None))
            cited.append(event.source)
    revised: dict[ApproxDate, list[Document]] = {}
    for doc in documents:
        updated = _updated(doc)
        if doc.kind != "events" and since < updated.start <= as_of:
            revised.setdefault(updated, []).append(doc)
    for day, docs in sorted(revised.items(), reverse=True):
        if len(docs) <= MAX_LISTED_REVISIONS:
            lines.extend(f"- Updated {day.human()}: {escape(_title(doc))} (`{doc.path}`)" for doc in docs)
        else:  # a wholesale revision is one line, not a wall of them
            lines.append(f"- Updated {day.human()}: {len(docs)} documents ({_count_kinds(docs)})")
    return lines, cited


def _count_kinds(docs: Sequence[Document]) -> str:
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
    words = {"deal": ("the deal", "deals"), "topic": ("1 topic", "topics"), "person": ("1 person", "people")}
    parts = []
    for kind, count in counts.items():
        one, many = words.get(kind, (f"1 {kind}", f"{kind}s"))
        parts.append(one if count == 1 else f"{count} {many}")
    return ", ".join(parts)


def stale_documents(documents: Sequence[Document], as_of: dt.date, days: int) -> list[tuple[Document, str]]:
    """Documents due for review, or not updated within ``days`` of ``as_of``."""
    cutoff = shift(as_of, -days)
    out: list[tuple[Document, str]] = []
    for doc in documents:
        review_by: ApproxDate | None = getattr(doc.model, "review_by", None)
        updated = _updated(doc)
        if review_by and review_by.start <= as_of:
            out.append((doc, f"review was due {review_by.human()}"))
        elif updated.end < cutoff:
            out.append((doc, f"last updated {updated.human()}"))
    return out


def _documents_of(store: Store, deal: DealEntry) -> list[Document]:
    docs = [deal.doc, *(t.doc for t in deal.topics.values())]
    if deal.events_doc:
        docs.append(deal.events_doc)
    docs.extend(p.doc for p in store.people_of_deal(deal.id))
    return docs


def _updated(doc: Document) -> ApproxDate:
    model = doc.model
    assert isinstance(model, (Deal, Topic, Person, EventLog))
    return model.updated


def _title(doc: Document) -> str:
    model = doc.model
    if isinstance(model, Person):
        return model.name
    if isinstance(model, (Deal, Topic)):
        return model.title
    return doc.path
