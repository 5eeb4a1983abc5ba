"""What a channel was told, and what changed since: a snapshot of one deal and a pure diff of two snapshots.

A snapshot is saved when a briefing is *posted* (never for an on-demand one). The next briefing for that channel
diffs the store's current snapshot against it, so "what changed" is right however long the bot was down, and
is independent of the ``updated`` dates maintainers may forget to bump.

Snapshots are typed, JSON-ready dicts (``bot.briefing.snapshot_model``, version ``v``), built in a fixed order,
so the same store gives the same bytes; the diff is ``bot.briefing.digest``. Restricted topics and people are left
out unless the viewer (the channel's target) may see them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from bot.briefing.compose import compose_briefing
from bot.briefing.digest import Digest, diff
from bot.briefing.snapshot_model import (
    SNAPSHOT_VERSION,
    DocumentSeen,
    EventSeen,
    PersonSeen,
    QuoteSeen,
    Snapshot,
    TopicSeen,
    TrackSeen,
)
from bot.config import BriefingOptions
from bot.i18n import DEFAULT
from bot.reply import Reply
from bot.store import DealEntry, Store
from bot.store.documents import Document
from bot.store.index import EntityKind
from bot.store.localize import localize
from bot.store.model import Deal, EventLog, MilestoneStatus, Person, Topic
from bot.store.review import Reviewed

__all__ = ["SNAPSHOT_VERSION", "Digest", "Snapshot", "channel_briefing", "diff", "take_snapshot"]


def take_snapshot(store: Store, deal: DealEntry, viewer: str | None = None) -> Snapshot:
    """Everything the change digest compares, for one deal as ``viewer`` may see it."""
    index = store.index
    outlets: dict[str, str] = {}

    def cite(source_id: str | None) -> str | None:
        if source_id and source_id in store.sources:
            outlets[source_id] = store.sources[source_id].outlet
            return source_id
        return None

    tracks: list[TrackSeen] = []
    for track in deal.deal.tracks:
        live = [m for m in track.milestones if m.status is not MilestoneStatus.DROPPED]
        tracks.append(
            {
                "id": track.id,
                "title": track.title,
                "done": sum(1 for m in live if m.status is MilestoneStatus.DONE),
                "total": len(live),
                "milestones": {
                    m.id: {
                        "title": m.title,
                        "status": m.status.value,
                        "source": cite(m.source),
                        "target": m.target.iso() if m.target else None,
                    }
                    for m in track.milestones
                },
                "open_questions": list(track.open_questions),
            }
        )
    topics: dict[str, TopicSeen] = {}
    documents = {deal.doc.path: _doc_entry(deal.doc)}
    for topic_id in sorted(deal.topics):
        entry = deal.topics[topic_id]
        if not index.visible(EntityKind.TOPIC, topic_id, deal.id, viewer):
            continue
        topics[topic_id] = {
            "title": entry.topic.title,
            "status": entry.topic.status.value,
            "source": cite(_newest_source(store, entry.topic.sources)),
            "path": entry.doc.path,
            "positions": dict(sorted(entry.topic.positions.items())),
        }
        documents[entry.doc.path] = _doc_entry(entry.doc)
    visible_events = sorted(store.visible_events(deal.id, viewer), key=lambda e: (e.date, e.id))
    events: dict[str, EventSeen] = {
        e.id: {
            "date": e.date.iso(),
            "title": e.title,
            "source": cite(e.source),
            "topics": [t for t in e.topics if t in topics],
        }
        for e in visible_events
    }
    if deal.events_doc:
        # The event log is judged "edited" by the events this viewer may see, so adding a restricted event does
        # not announce itself elsewhere as an edit.
        log_entry = _doc_entry(deal.events_doc)
        shown = json.dumps([e.model_dump(mode="json") for e in visible_events], sort_keys=True)
        log_entry["visible_hash"] = hashlib.sha1(shown.encode()).hexdigest()[:16]
        documents[deal.events_doc.path] = log_entry
    people: dict[str, PersonSeen] = {}
    for person_id in sorted(store.people):
        person = store.people[person_id]
        if deal.id not in store.deals_of_person(person_id) or not index.visible(
            EntityKind.PERSON, person_id, None, viewer
        ):
            continue
        quotes: dict[str, QuoteSeen] = {
            _quote_key(q.text): {"text": q.text, "date": q.date.iso(), "source": cite(q.source)}
            for q in person.person.quotes
            if q.deal in (None, deal.id)
        }
        people[person_id] = {"name": person.person.name, "path": person.doc.path, "quotes": quotes}
        documents[person.doc.path] = _doc_entry(person.doc)
    return {
        "v": SNAPSHOT_VERSION,
        "deal": deal.id,
        "deal_path": deal.doc.path,
        "events_path": deal.events_doc.path if deal.events_doc else None,
        "tracks": tracks,
        "topics": topics,
        "events": events,
        "people": people,
        "documents": dict(sorted(documents.items())),
        "outlets": dict(sorted(outlets.items())),
        "parties": {p.id: p.name for p in deal.deal.parties},
    }


def channel_briefing(
    store: Store,
    deal: DealEntry,
    as_of: dt.date,
    *,
    viewer: str | None,
    previous: Snapshot | None = None,
    previous_date: dt.date | None = None,
    options: BriefingOptions = BriefingOptions(),
    commit: str | None = None,
    reviewed: Reviewed | None = None,
    language: str = DEFAULT,
) -> tuple[Reply, Snapshot]:
    """The briefing a channel gets on ``as_of``, and the snapshot to save if it is posted.

    With the snapshot of the channel's previous posted briefing, "what changed" is the diff against it; without
    one (the first briefing, or a snapshot from an older format), it is the store's dated changes over
    ``options.recent_days``. The briefing is in ``language``; the snapshot is the original store's whatever the
    language, so a channel that changes language is told what changed, not that every title did.
    """
    current = take_snapshot(store, deal, viewer)  # not shown to anyone: compose_briefing refuses a hidden deal
    if previous is None or previous["v"] != SNAPSHOT_VERSION or previous["deal"] != deal.id:
        reply = compose_briefing(
            store, deal, as_of, options=options, viewer=viewer, commit=commit, reviewed=reviewed, language=language
        )
        return reply, current
    localized = localize(store, language)
    said = take_snapshot(localized, localized.deals[deal.id], viewer) if localized is not store else None
    digest = diff(previous, current, language, said=said)
    since = previous_date if previous_date and previous_date < as_of else None
    reply = compose_briefing(
        store,
        deal,
        as_of,
        since=since,
        changes=digest.changes,
        previous=digest.previous,
        options=options,
        viewer=viewer,
        commit=commit,
        reviewed=reviewed,
        language=language,
    )
    return reply, current


def _newest_source(store: Store, ids: list[str]) -> str | None:
    known = [store.sources[s] for s in ids if s in store.sources]
    return max(known, key=lambda s: (s.date, s.id)).id if known else None


def _quote_key(text: str) -> str:
    """Quotes have no id; a quote is known by its words (a typo fix reads as a new quote, which is rare)."""
    return hashlib.sha1(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()[:16]


def _doc_entry(doc: Document) -> DocumentSeen:
    model = doc.model
    assert isinstance(model, (Deal, Topic, Person, EventLog))
    title = model.name if isinstance(model, Person) else "Event log" if isinstance(model, EventLog) else model.title
    content = f"{doc.raw.yaml_text}\0{doc.body}".encode()
    return {"title": title, "updated": model.updated.iso(), "hash": hashlib.sha1(content).hexdigest()[:16]}
