"""A deal's dates as an iCalendar a calendar app can subscribe to, written with icalendar. Pure.

One all-day VEVENT for each event of the deal (past and scheduled) and for each dated milestone (a target not yet
reached, or the day it was done), covering every day its date could mean: a day, "about" a day (that day), a
month or a year. The summary and the description say how precise the date is, so "May 2025" never reads as a
month-long meeting. Every VEVENT is transparent (it does not make anyone busy).

A milestone dated the same as an event that moves it is left out (the event already says it). UIDs are
:func:`bot.feeds.history.stable_id` names of (deal, kind, id), so a calendar updates an event whose date the store
corrects rather than adding a second one. DTSTAMP is the record's date (``recorded_until``), not the clock, so the
same store gives the same bytes. Restricted parts are never included (see :mod:`bot.feeds.history`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar, vDuration
from icalendar import Event as VEvent

from bot.feeds.history import public_events, stable_id
from bot.markup import neutralise
from bot.store import DealEntry, Store
from bot.store.dates import ApproxDate, Precision
from bot.store.model import MilestoneStatus

REFRESH = dt.timedelta(hours=6)  # how often a subscribed calendar should look again

_PRECISION = {
    Precision.DAY: "exact day",
    Precision.ABOUT: "approximate: about this day",
    Precision.MONTH: "month only: the day is not known",
    Precision.YEAR: "year only: the month and day are not known",
}


@dataclass(frozen=True, slots=True)
class Dated:
    uid: str
    date: ApproxDate
    summary: str
    lines: tuple[str, ...]
    categories: tuple[str, ...]
    url: str | None = None


def deal_calendar(store: Store, deal: DealEntry, *, self_url: str | None = None) -> bytes:
    """``deal``'s calendar (the caller has checked the deal is public)."""
    cal = Calendar()
    cal.add("prodid", "-//Briefbot//Deal calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = neutralise(f"{deal.deal.title} (Briefbot)")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", neutralise(deal.deal.summary))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    if self_url:
        cal.add("source", self_url, parameters={"VALUE": "URI"})
    stamp = dt.datetime.combine(deal.recorded_until.start, dt.time(), dt.UTC)
    for item in dated_items(store, deal):
        event = VEvent()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.date.start)
        event.add("dtend", item.date.end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("summary", neutralise(item.summary))
        event.add("description", neutralise("\n".join(item.lines)))
        event.add("categories", list(item.categories))
        event.add("transp", "TRANSPARENT")
        if item.url:
            event.add("url", item.url)
        cal.add_component(event)
    return bytes(cal.to_ical())


def dated_items(store: Store, deal: DealEntry) -> list[Dated]:
    """What the calendar shows, soonest first."""
    events = public_events(store, deal)
    items: list[Dated] = []
    for event in events:
        source = store.sources.get(event.source)
        lines = [*((event.detail,) if event.detail else ()), _date_line(event.date)]
        if event.date.start > deal.recorded_until.end:
            lines.append(f"Still ahead when the record was last written ({deal.recorded_until.human()}).")
        if source is not None:
            lines.append(f"Source: {source.citation()}")
        items.append(
            Dated(
                stable_id(deal.id, "event", event.id),
                event.date,
                event.title + _summary_tail(event.date),
                tuple(lines),
                ("Event",),
                source.link if source else None,
            )
        )
    for track in deal.deal.tracks:
        for milestone in track.milestones:
            ref = f"{track.id}/{milestone.id}"
            moved_on = {e.date for e in events if ref in e.milestones}
            done = milestone.status is MilestoneStatus.DONE
            if done and milestone.done_on is not None:
                date, verb = milestone.done_on, "Done"
            elif milestone.target is not None and not done and milestone.status is not MilestoneStatus.DROPPED:
                date, verb = milestone.target, "Target"
            else:
                continue
            if date in moved_on:
                continue
            source = store.sources.get(milestone.source) if milestone.source else None
            lines = [f"{track.title} milestone, {milestone.status.value.replace('_', ' ')}"]
            lines += [*((milestone.note,) if milestone.note else ()), _date_line(date)]
            if source is not None:
                lines.append(f"Source: {source.citation()}")
            items.append(
                Dated(
                    stable_id(deal.id, "milestone", ref, verb.lower()),
                    date,
                    f"{verb}: {milestone.title}{_summary_tail(date)}",
                    tuple(lines),
                    ("Milestone", track.title),
                    source.link if source else None,
                )
            )
    return sorted(items, key=lambda i: (i.date, i.uid))


def _summary_tail(date: ApproxDate) -> str:
    if date.precision is Precision.DAY:
        return ""
    if date.precision is Precision.ABOUT:
        return " (date approximate)"
    return f" (sometime in {date.human()})"


def _date_line(date: ApproxDate) -> str:
    return f"Date: {date.human()} ({_PRECISION[date.precision]})."
