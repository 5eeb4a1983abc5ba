"""What a channel was told, and what changed since: a snapshot of one deal and a pure diff of two snapshots.

A snapshot is saved when a briefing is *posted* (never for an on-demand one). The next briefing for that channel
diffs the store's current snapshot against it, so "what changed" is right however long the bot was down, and
is independent of the ``updated`` dates maintainers may forget to bump.

Snapshots are plain JSON-ready dicts (version ``v``), built in a fixed order, so the same store gives the same
bytes. Restricted topics and people are left out unless the viewer (the channel's target) may see them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from bot.briefing.compose import BriefingOptions, compose_briefing
from bot.markup import escape
from bot.reply import Progress, Reply
from bot.store import DealEntry, Store
from bot.store.dates import ApproxDate
from bot.store.documents import Document
from bot.store.index import EntityKind
from bot.store.model import Deal, EventLog, MilestoneStatus, Person, Topic, status_label

SNAPSHOT_VERSION = 1
Snapshot = dict[str, Any]


def take_snapshot(store: Store, deal: DealEntry, viewer: str | None = None) -> Snapshot:
    """Everything the change digest compares, for one deal as ``viewer`` may see it."""
    index = store.index
    outlets: dict[str, str] = {}

    def cite(source_id: str | None) -> str | None:
        if source_id and source_id in store.sources:
            outlets[source_id] = store.sources[source_id].outlet
            return source_id
        return None

    tracks = []
    for track in deal.deal.tracks:
        live = [m for m in track.milestones if m.status is not MilestoneStatus.DROPPED]
        tracks.append(
            {
                "id": track.id,
                "title": track.title,
                "done": sum(1 for m in live if m.status is MilestoneStatus.DONE),
                "total": len(live),
                "milestones": {
                    m.id: {"title": m.title, "status": m.status.value, "source": cite(m.source)}
                    for m in track.milestones
                },
            }
        )
    topics = {}
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
        }
        documents[entry.doc.path] = _doc_entry(entry.doc)
    visible_events = sorted(store.visible_events(deal.id, viewer), key=lambda e: (e.date, e.id))
    events = {e.id: {"date": e.date.iso(), "title": e.title, "source": cite(e.source)} for e in visible_events}
    if deal.events_doc:
        # The event log is judged "edited" by the events this viewer may see, so adding a restricted event does
        # not announce itself elsewhere as an edit.
        log_entry = _doc_entry(deal.events_doc)
        shown = json.dumps([e.model_dump(mode="json") for e in visible_events], sort_keys=True)
        log_entry["visible_hash"] = hashlib.sha1(shown.encode()).hexdigest()[:16]
        documents[deal.events_doc.path] = log_entry
    people = {}
    for person_id in sorted(store.people):
        person = store.people[person_id]
        if deal.id not in store.deals_of_person(person_id) or not index.visible(
            EntityKind.PERSON, person_id, None, viewer
        ):
            continue
        quotes = {
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
) -> tuple[Reply, Snapshot]:
    """The briefing a channel gets on ``as_of``, and the snapshot to save if it is posted.

    With the snapshot of the channel's previous posted briefing, "what changed" is the diff against it; without
    one (the first briefing, or a snapshot from an older format), it is the store's dated changes over
    ``options.recent_days``.
    """
    current = take_snapshot(store, deal, viewer)  # not shown to anyone: compose_briefing refuses a hidden deal
    if previous is None or previous.get("v") != SNAPSHOT_VERSION or previous.get("deal") != deal.id:
        return compose_briefing(store, deal, as_of, options=options, viewer=viewer, commit=commit), current
    digest = diff(previous, current)
    since = previous_date if previous_date and previous_date < as_of else None
    reply = compose_briefing(
        store,
        deal,
        as_of,
        since=since,
        changes=digest.lines,
        previous=digest.previous,
        options=options,
        viewer=viewer,
        commit=commit,
    )
    return reply, current


@dataclass(frozen=True, slots=True)
class Digest:
    """The change lines (markdown subset) and each track's progress as the channel last saw it."""

    lines: tuple[str, ...]
    previous: dict[str, Progress]
    cited: tuple[str, ...]  # source ids behind the lines


def diff(previous: Snapshot, current: Snapshot) -> Digest:
    """What changed from ``previous`` to ``current``, in a fixed order: status changes, new events, new quotes,
    then documents added, edited or removed. An edit already explained by a line above is not repeated."""
    out = _Lines(current.get("outlets", {}))
    explained: set[str] = set()

    before_tracks = {t["id"]: t for t in previous.get("tracks", [])}
    for track in current["tracks"]:
        old_track = before_tracks.get(track["id"])
        if old_track is None:
            continue
        for mid, milestone in track["milestones"].items():
            was = old_track["milestones"].get(mid)
            where = escape(track["title"])
            if was is None:
                out.add(
                    f"- New milestone **{escape(milestone['title'])}** ({where}): {status_label(milestone['status'])}",
                    milestone["source"],
                )
            elif was["status"] != milestone["status"]:
                out.add(
                    f"- **{escape(milestone['title'])}** ({where}): {status_label(was['status'])} → "
                    f"**{status_label(milestone['status'])}**",
                    milestone["source"],
                )
            else:
                continue
            explained.add(current["deal_path"])

    before_topics = previous.get("topics", {})
    for tid, topic in current["topics"].items():
        was = before_topics.get(tid)
        if was is not None and was["status"] != topic["status"]:
            out.add(
                f"- **{escape(topic['title'])}**: {status_label(was['status'])} → **{status_label(topic['status'])}**",
                topic["source"],
            )
            explained.add(topic["path"])

    before_events = previous.get("events", {})
    for eid, event in sorted(current["events"].items(), key=lambda item: (item[1]["date"].lstrip("~"), item[0])):
        if eid not in before_events:
            out.add(f"- New event, **{_human(event['date'])}**: {escape(event['title'])}", event["source"])
            if current.get("events_path"):
                explained.add(current["events_path"])

    before_people = previous.get("people", {})
    for pid, person in current["people"].items():
        known = before_people.get(pid, {}).get("quotes", {})
        for key, quote in person["quotes"].items():
            if key not in known:
                out.add(
                    f"- New quote from **{escape(person['name'])}** ({_human(quote['date'])}): "
                    f"\u201c{escape(quote['text'])}\u201d",
                    quote["source"],
                )
                explained.add(person["path"])

    before_docs = previous.get("documents", {})
    for path, doc in current["documents"].items():
        was = before_docs.get(path)
        if was is None:
            out.add(f"- Added: {escape(doc['title'])} (`{path}`)", None)
        elif _edited(was, doc) and path not in explained:
            out.add(f"- Edited: {escape(doc['title'])} (`{path}`), updated {_human(doc['updated'])}", None)
    for path, doc in before_docs.items():
        if path not in current["documents"]:
            out.add(f"- Removed: {escape(doc['title'])} (`{path}`)", None)

    progress = {
        t["id"]: Progress(t["title"], before_tracks[t["id"]]["done"], before_tracks[t["id"]]["total"])
        for t in current["tracks"]
        if t["id"] in before_tracks
    }
    return Digest(tuple(out.lines), progress, tuple(dict.fromkeys(out.cited)))


class _Lines:
    def __init__(self, outlets: dict[str, str]) -> None:
        self.outlets = outlets
        self.lines: list[str] = []
        self.cited: list[str] = []

    def add(self, line: str, source: str | None) -> None:
        if source and source in self.outlets:
            line += f" _({escape(self.outlets[source])})_"
            self.cited.append(source)
        self.lines.append(line)


def _edited(was: dict[str, str], now: dict[str, str]) -> bool:
    if "visible_hash" in was and "visible_hash" in now:  # an event log: only what this viewer may see counts
        return was["visible_hash"] != now["visible_hash"]
    return was["hash"] != now["hash"]  # (a snapshot saved before visible_hash existed: the whole file)


def _newest_source(store: Store, ids: list[str]) -> str | None:
    known = [store.sources[s] for s in ids if s in store.sources]
    return max(known, key=lambda s: (s.date, s.id)).id if known else None


def _quote_key(text: str) -> str:
    """Quotes have no id; a quote is known by its words (a typo fix reads as a new quote, which is rare)."""
    return hashlib.sha1(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()[:16]


def _doc_entry(doc: Document) -> dict[str, str]:
    model = doc.model
    assert isinstance(model, (Deal, Topic, Person, EventLog))
    title = model.name if isinstance(model, Person) else "Event log" if isinstance(model, EventLog) else model.title
    content = f"{doc.raw.yaml_text}\0{doc.body}".encode()
    return {"title": title, "updated": model.updated.iso(), "hash": hashlib.sha1(content).hexdigest()[:16]}


def _human(iso: str) -> str:
    return ApproxDate.parse(iso).human()
