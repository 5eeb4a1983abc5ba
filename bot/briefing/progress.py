"""Deal progress and dates ahead: pure functions over a deal, shared by /deal and the daily briefing.

Given an :class:`AsOf`, a milestone counts as done only from its ``done_on`` day, and one that moved later is
dated by the events that moved it; without one, the statuses are the store's as written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import DEFAULT, gettext_for, human_date, labelled, status_word
from bot.markup import escape
from bot.reply import Progress
from bot.store import DealEntry
from bot.store.asof import AsOf
from bot.store.dates import ApproxDate, shift
from bot.store.model import Event, Milestone, MilestoneStatus, Track, status_label


@dataclass(frozen=True, slots=True)
class MilestoneOn:
    """A milestone's state on a day: ``status`` is None when the store cannot date it (shown as ``label``)."""

    status: MilestoneStatus | None
    label: str
    dropped: bool = False

    @property
    def done(self) -> bool:
        return self.status is MilestoneStatus.DONE


def milestone_on(track: Track, milestone: Milestone, on: AsOf | None = None) -> MilestoneOn:
    status = milestone.status
    as_written = MilestoneOn(status, status_label(status), status is MilestoneStatus.DROPPED)
    if on is None:
        return as_written
    done_on = milestone.done_on if status is MilestoneStatus.DONE else None
    if done_on is not None and done_on.start <= on.day:
        return as_written
    if done_on is None and (not on.looking_back or status is MilestoneStatus.NOT_STARTED):
        return as_written  # what the record says is what was true then (or the latest known)
    # the milestone moved after the day asked, or its move is dated later: look at the events that moved it
    ref = f"{track.id}/{milestone.id}"
    moved = [e.date for e in on.events if ref in e.milestones]
    if status is MilestoneStatus.DONE and done_on is None and moved and max(moved).start <= on.day:
        return as_written  # every event that moved it had happened: it was done by then
    if any(d.start <= on.day for d in moved):
        return MilestoneOn(MilestoneStatus.IN_PROGRESS, status_label(MilestoneStatus.IN_PROGRESS))
    if moved or done_on is not None:  # every dated move came after the day
        return MilestoneOn(MilestoneStatus.NOT_STARTED, status_label(MilestoneStatus.NOT_STARTED))
    # nothing dates it: say what the record says, and when, without counting it as done on the day
    return MilestoneOn(
        None, f"{status_label(status)} by {on.recorded_until.human()}", status is MilestoneStatus.DROPPED
    )


def track_progress(track: Track, note: str = "", *, on: AsOf | None = None) -> Progress:
    """Done over total; dropped milestones no longer count towards the total."""
    states = [milestone_on(track, m, on) for m in track.milestones]
    live = [s for s in states if not s.dropped]
    return Progress(track.title, sum(1 for s in live if s.done), len(live), note)


def milestone_lines(track: Track, on: AsOf | None = None, language: str = DEFAULT) -> str:
    _ = gettext_for(language)
    lines = []
    for milestone in track.milestones:
        target = _(" · target {day}").format(day=human_date(milestone.target, language)) if milestone.target else ""
        state = milestone_on(track, milestone, on)
        label = state.label if language == DEFAULT or state.status is None else status_word(state.status, language)
        lines.append("- " + labelled(f"**{escape(milestone.title)}**", label, language) + target)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Ahead:
    date: ApproxDate
    what: str  # markdown
    kind: str  # "event" or "milestone"


def dates_ahead(
    deal: DealEntry,
    as_of: dt.date,
    *,
    days: int | None = None,
    limit: int | None = None,
    events: Sequence[Event] | None = None,
    language: str = DEFAULT,
) -> list[Ahead]:
    """Events and open milestone targets after ``as_of`` (within ``days`` if given), soonest first."""
    _ = gettext_for(language)
    until = shift(as_of, days) if days is not None else dt.date.max
    on = AsOf.of(deal, as_of, events)

    def ahead(date: ApproxDate) -> bool:
        # ahead while any day it could mean is today or later (a morning briefing announces today's events);
        # it must start within the window
        return date.end >= as_of and date.start <= until

    upcoming = [e for e in on.events if ahead(e.date)]
    found = [Ahead(e.date, escape(e.title), "event") for e in upcoming]
    covered = {ref for e in upcoming for ref in e.milestones}  # a dated event already says when it happens
    for track in deal.deal.tracks:
        for m in track.milestones:
            target = m.target
            if target is None or not ahead(target) or f"{track.id}/{m.id}" in covered:
                continue
            state = milestone_on(track, m, on)
            if not state.done and not state.dropped:
                what = _("{milestone} _({track}, target)_").format(milestone=escape(m.title), track=escape(track.title))
                found.append(Ahead(target, what, "milestone"))
    found.sort(key=lambda a: (a.date, a.kind))
    return found[:limit] if limit else found


def ahead_line(item: Ahead, as_of: dt.date | None = None, language: str = DEFAULT) -> str:
    _ = gettext_for(language)
    today = as_of is not None and item.date.is_exact and item.date.start == as_of
    when = _("Today") if today else human_date(item.date, language)
    return "- " + labelled(f"**{when}**", item.what, language)
