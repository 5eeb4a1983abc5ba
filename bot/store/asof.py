"""Answers as of a day: what had happened by then, what was still ahead, and what the store cannot tell.

A deal's record is written at a date (:attr:`DealEntry.recorded_until`). Asked about an earlier day, what came
after that day is still ahead, whether it has happened since or is still scheduled. Asked about a later day,
events that were still scheduled when the record was written and are due by then have no recorded outcome:
they are neither past nor ahead. Sources published after the day are not cited for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.i18n import DEFAULT, gettext_for, human_date, human_day
from bot.store.dates import ApproxDate
from bot.store.entries import DealEntry
from bot.store.model import Event
from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class AsOf:
    """One deal seen on ``day``; ``events`` (oldest first) date when its milestones moved."""

    day: dt.date
    recorded_until: ApproxDate
    events: tuple[Event, ...] = ()

    @classmethod
    def of(cls, deal: DealEntry, day: dt.date, events: Iterable[Event] | None = None) -> AsOf:
        return cls(day, deal.recorded_until, tuple(deal.events if events is None else events))

    @property
    def looking_back(self) -> bool:
        """The day is before the record was written: later facts must not show."""
        return self.day < self.recorded_until.end

    @property
    def beyond_record(self) -> bool:
        return self.day > self.recorded_until.end

    def happened(self, date: ApproxDate) -> bool:
        """On or before the day, and already past when the record was written."""
        return date.start <= self.day and date.start <= self.recorded_until.end

    def unconfirmed(self, date: ApproxDate) -> bool:
        """Due by the day, but still scheduled when the record was written: how it went is not known."""
        return self.recorded_until.end < date.start <= self.day

    def ahead(self, date: ApproxDate) -> bool:
        return date.start > self.day


@dataclass(frozen=True, slots=True)
class EventsOn:
    past: list[Event]  # oldest first, like every list here
    unconfirmed: list[Event]
    ahead: list[Event]


def split_events(events: Iterable[Event], on: AsOf) -> EventsOn:
    split = EventsOn([], [], [])
    for event in events:
        if on.happened(event.date):
            split.past.append(event)
        elif on.unconfirmed(event.date):
            split.unconfirmed.append(event)
        else:
            split.ahead.append(event)
    return split


def published_by(store: Store, source_ids: Iterable[str], day: dt.date) -> list[str]:
    """The sources among ``source_ids`` that existed on ``day`` (an answer for a day cites nothing later)."""
    return [s for s in source_ids if s in store.sources and store.sources[s].date.start <= day]


def unconfirmed_heading(day: dt.date, *, language: str = DEFAULT) -> str:
    _ = gettext_for(language)
    return _("Due by {day}, outcome not recorded").format(day=human_day(day, language))


def record_notes(on: AsOf, *, asked: bool, language: str = DEFAULT) -> tuple[str, ...]:
    """A short footer when the day asked is before the record (the prose is newer) or after it (it ends)."""
    _ = gettext_for(language)
    recorded = human_date(on.recorded_until, language)
    if on.looking_back:
        return (
            _("Looking back: dated facts and sources as of {day}; the text as last updated, {updated}.").format(
                day=human_day(on.day, language), updated=recorded
            ),
        )
    if asked and on.beyond_record:
        return (_("The record ends {updated}: nothing after that day is known.").format(updated=recorded),)
    return ()


def latest_record(deals: Sequence[DealEntry]) -> ApproxDate | None:
    """The newest record among ``deals`` (for answers that span several)."""
    return max((d.recorded_until for d in deals), key=lambda d: (d.end, d), default=None)
