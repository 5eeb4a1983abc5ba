"""A deal's history as the store dates it: the days with news, and the status changes. Pure, public only.

Everything here is what a target on no ``restricted_to`` list may see (viewer ``None``): events about restricted
topics only, restricted topics and restricted people are left out, and a restricted deal has no history at all.

- A *news day* is a day on which a dated event of the deal ended (an event the store gives as "May 2025" is news
  once May is over), or on which one of the deal's documents was revised (its ``updated``). Only days before
  ``today`` count: the feed's entry for a day is the briefing of the morning after it.
- A *status change* is a milestone whose state moved on a day the store dates (``done_on``, or an event that moves
  it), read through :func:`bot.briefing.progress.milestone_on`, so the feed and ``/deal date:`` agree; a milestone
  the store gives no date for counts as changed on the day its record was written (``recorded_until``). A topic has
  no dated history, only its current status: every status but ``open`` (where every topic starts) is one change,
  dated by the topic's ``updated``; when maintainers change it, a new change appears.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from bot.briefing.changes import Change, Kind
from bot.briefing.progress import milestone_on
from bot.store import DealEntry, Store
from bot.store.asof import AsOf
from bot.store.dates import ApproxDate, shift
from bot.store.documents import Document
from bot.store.index import EntityKind
from bot.store.model import Deal, Event, MilestoneStatus, Person, Topic, TopicStatus, status_label

MAX_LISTED_REVISIONS = 4  # like the briefing: more revisions on one day than this are one line
_NAMESPACE = uuid.UUID("6f1d9a52-3c1e-5b8e-9a57-b81ef0d5e0a1")  # Briefbot's own; never change it (ids would)


def stable_id(*parts: str) -> str:
    """A ``urn:uuid:`` (version 5) named by ``parts`` such as ``("canada-us", "briefing", "2025-03-04")``: the same
    parts give the same id on every server and every run, whatever the public URL."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


@dataclass(frozen=True, slots=True)
class NewsDay:
    day: dt.date  # the day the news is dated to; its briefing is the next morning's
    changes: tuple[Change, ...]  # what the briefing's "Since" section says, newest first
    headlines: tuple[str, ...]  # plain titles, for an entry title
    sources: tuple[str, ...]  # source ids cited by that day's events


@dataclass(frozen=True, slots=True)
class StatusChange:
    day: dt.date  # when the store dates the change (the earliest day its date could mean)
    date: ApproxDate  # the same, with its precision, for people
    kind: str  # "milestone" or "topic"
    ref: str  # track/milestone or topic id
    title: str
    context: str  # the track's title, or the topic's summary
    before: str | None  # a status value, or None when unknown
    after: str
    why: str | None = None  # the event that moved it, if any
    note: str | None = None
    source: str | None = None


def public_deal(store: Store, deal_id: str) -> DealEntry | None:
    """The deal if anyone may see it (an unknown and a restricted deal look the same: absent)."""
    deal = store.deals.get(deal_id)
    if deal is None or not store.index.visible(EntityKind.DEAL, deal_id, None, None):
        return None
    return deal


def public_topic(store: Store, deal: DealEntry, topic_id: str) -> Topic | None:
    entry = deal.topics.get(topic_id)
    if entry is None or not store.index.visible(EntityKind.TOPIC, topic_id, deal.id, None):
        return None
    return entry.topic


def public_topics(store: Store, deal: DealEntry) -> list[str]:
    return [t for t in sorted(deal.topics) if store.index.visible(EntityKind.TOPIC, t, deal.id, None)]


def public_events(store: Store, deal: DealEntry) -> list[Event]:
    return store.visible_events(deal.id, None)


def deal_documents(store: Store, deal: DealEntry) -> list[Document]:
    """The deal's documents anyone may see: the deal, its topics and its people (not the events log, whose news is
    its events)."""
    docs = [deal.doc, *(t.doc for t in deal.topics.values()), *(p.doc for p in store.people_of_deal(deal.id))]
    return store.visible_documents(docs, None)


def news_days(store: Store, deal: DealEntry, today: dt.date, topic: str | None = None) -> list[NewsDay]:
    """Days before ``today`` with news of the deal (or of one ``topic``), oldest first."""
    events = public_events(store, deal)
    on = AsOf.of(deal, today, events)
    changes: dict[dt.date, list[tuple[ApproxDate, Change]]] = {}
    headlines: dict[dt.date, list[str]] = {}
    sources: dict[dt.date, list[str]] = {}
    for event in events:
        if topic is not None and topic not in event.topics:
            continue
        if on.happened(event.date) and event.date.end < today:
            day = event.date.end
            about = next(iter(event.topics), None)
            change = Change(Kind.EVENT, event.title, where=event.date.human(), topic=about, source=event.source)
            changes.setdefault(day, []).append((event.date, change))
            headlines.setdefault(day, []).append(event.title)
            sources.setdefault(day, []).append(event.source)
    docs = deal_documents(store, deal)
    if topic is not None:
        docs = [d for d in docs if d.kind == "topic" and d.id == topic]
    revised: dict[ApproxDate, list[Document]] = {}
    for doc in docs:
        updated = _updated(doc)
        if updated.start < today:
            revised.setdefault(updated, []).append(doc)
    for date, revised_docs in revised.items():
        day = date.start
        if len(revised_docs) <= MAX_LISTED_REVISIONS:
            for doc in revised_docs:
                changes.setdefault(day, []).append((date, Change(Kind.EDITED, _title(doc), where=date.human())))
                headlines.setdefault(day, []).append(f"{_title(doc)} revised")
        else:
            edited = Change(Kind.EDITED, f"{len(revised_docs)} documents", where=date.human())
            changes.setdefault(day, []).append((date, edited))
            headlines.setdefault(day, []).append(f"{len(revised_docs)} documents revised")
    return [
        NewsDay(
            day,
            tuple(change for _, change in sorted(changes[day], key=lambda item: item[0], reverse=True)),
            tuple(headlines[day]),
            tuple(dict.fromkeys(sources.get(day, ()))),
        )
        for day in sorted(changes)
    ]


def status_changes(store: Store, deal: DealEntry, today: dt.date, topic: str | None = None) -> list[StatusChange]:
    """Status changes dated before or on ``today``, oldest first: the deal's milestones and topics, or one topic."""
    changes = [] if topic is not None else _milestone_changes(store, deal, today)
    for topic_id in public_topics(store, deal):
        if topic is not None and topic_id != topic:
            continue
        t = deal.topics[topic_id].topic
        if t.status is not TopicStatus.OPEN and t.updated.start <= today:
            changes.append(
                StatusChange(
                    t.updated.start,
                    t.updated,
                    "topic",
                    topic_id,
                    t.title,
                    t.summary,
                    None,
                    t.status.value,
                    note=t.outlook,
                    source=t.sources[-1] if t.sources else None,
                )
            )
    return sorted(changes, key=lambda c: (c.day, c.kind, c.ref))


def _milestone_changes(store: Store, deal: DealEntry, today: dt.date) -> list[StatusChange]:
    events = public_events(store, deal)
    recorded = deal.recorded_until
    out: list[StatusChange] = []
    for track in deal.deal.tracks:
        for milestone in track.milestones:
            ref = f"{track.id}/{milestone.id}"
            moves = [e for e in events if ref in e.milestones]
            dated: dict[dt.date, tuple[ApproxDate, Event | None]] = {}
            for move in moves:
                dated.setdefault(move.date.start, (move.date, move))
            if milestone.done_on is not None:
                prior = dated.get(milestone.done_on.start)
                dated[milestone.done_on.start] = (milestone.done_on, prior[1] if prior else None)
            dated.setdefault(recorded.end, (recorded, None))
            last: MilestoneStatus = MilestoneStatus.NOT_STARTED  # where every milestone starts
            for day in sorted(d for d in dated if d <= today):
                state = milestone_on(track, milestone, AsOf.of(deal, day, events)).status
                if state is None or state is last:
                    continue
                date, event = dated[day]
                out.append(
                    StatusChange(
                        day,
                        date,
                        "milestone",
                        ref,
                        milestone.title,
                        track.title,
                        last.value,
                        state.value,
                        why=event.title if event is not None else None,
                        note=milestone.note,
                        source=milestone.source,
                    )
                )
                last = state
    return out


def label(status: str | None) -> str:
    return status_label(status) if status else "unknown"


def previous_days(days: Sequence[NewsDay]) -> dict[dt.date, dt.date | None]:
    """Each news day's previous one (the briefing's "since"), None for the first."""
    out: dict[dt.date, dt.date | None] = {}
    before: dt.date | None = None
    for news in days:
        out[news.day] = before
        before = news.day
    return out


def briefing_day(news: NewsDay) -> dt.date:
    """The morning after: the day whose briefing reports the news."""
    return shift(news.day, 1)


def _updated(doc: Document) -> ApproxDate:
    model = doc.model
    assert isinstance(model, (Deal, Topic, Person))
    return model.updated


def _title(doc: Document) -> str:
    model = doc.model
    if isinstance(model, Person):
        return model.name
    assert isinstance(model, (Deal, Topic))
    return model.title
