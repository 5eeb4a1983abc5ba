"""What a loaded store holds per deal, topic and person: the validated document and its model, linked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from bot.store.dates import ApproxDate
from bot.store.documents import Document
from bot.store.model import Deal, Event, EventLog, Milestone, Person, Topic, Track


@dataclass(frozen=True, slots=True)
class PersonEntry:
    id: str
    doc: Document
    person: Person


@dataclass(frozen=True, slots=True)
class TopicEntry:
    deal_id: str
    id: str
    doc: Document
    topic: Topic

    @property
    def ref(self) -> str:
        return f"{self.deal_id}/{self.id}"


@dataclass(frozen=True, slots=True)
class DealEntry:
    id: str
    doc: Document
    deal: Deal
    topics: dict[str, TopicEntry]
    events: tuple[Event, ...]  # oldest first
    events_doc: Document | None

    def party_name(self, party_id: str) -> str:
        return next((p.name for p in self.deal.parties if p.id == party_id), party_id)

    def track(self, track_id: str) -> Track | None:
        return next((t for t in self.deal.tracks if t.id == track_id), None)

    @property
    def recorded_until(self) -> ApproxDate:
        """The last day this deal's record covers: the newer ``updated`` of its deal file and its events log.

        Events dated after it were still scheduled when the record was written, whatever their date says now.
        """
        dates = [self.deal.updated]
        if self.events_doc is not None:
            dates.append(cast(EventLog, self.events_doc.model).updated)
        return max(dates, key=lambda d: (d.end, d))

    def milestone(self, ref: str) -> tuple[Track, Milestone] | None:
        track_id, _, milestone_id = ref.partition("/")
        track = self.track(track_id)
        found = next((m for m in track.milestones if m.id == milestone_id), None) if track else None
        return (track, found) if track and found else None
