"""Deal progress and dates ahead: pure functions over a deal, shared by /deal and the daily briefing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.markup import escape
from bot.reply import Progress
from bot.store import DealEntry
from bot.store.dates import ApproxDate
from bot.store.model import Event, MilestoneStatus, Track, status_label


def track_progress(track: Track, note: str = "") -> Progress:
    """Done over total; dropped milestones no longer count towards the total."""
    live = [m for m in track.milestones if m.status is not MilestoneStatus.DROPPED]
    done = sum(1 for m in live if m.status is MilestoneStatus.DONE)
    return Progress(track.title, done, len(live), note)


def milestone_lines(track: Track) -> str:
    lines = []
    for milestone in track.milestones:
        target = f" · target {milestone.target.human()}" if milestone.target else ""
        lines.append(f"- **{escape(milestone.title)}**: {status_label(milestone.status)}{target}")
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
) -> list[Ahead]:
    """Events and open milestone targets after ``as_of`` (within ``days`` if given), soonest first."""
    until = as_of + dt.timedelta(days=days) if days is not None else dt.date.max

    def ahead(date: ApproxDate) -> bool:
        # ahead while any day it could mean is today or later (a morning briefing announces today's events);
        # it must start within the window
        return date.end >= as_of and date.start <= until

    upcoming = [e for e in (deal.events if events is None else events) if ahead(e.date)]
    found = [Ahead(e.date, escape(e.title), "event") for e in upcoming]
    covered = {ref for e in upcoming for ref in e.milestones}  # a dated event already says when it happens
    for track in deal.deal.tracks:
        for m in track.milestones:
            if f"{track.id}/{m.id}" in covered:
                continue
            if m.target and ahead(m.target) and m.status not in (MilestoneStatus.DONE, MilestoneStatus.DROPPED):
                found.append(Ahead(m.target, f"{escape(m.title)} _({escape(track.title)}, target)_", "milestone"))
    found.sort(key=lambda a: (a.date, a.kind))
    return found[:limit] if limit else found


def ahead_line(item: Ahead, as_of: dt.date | None = None) -> str:
    when = "Today" if as_of is not None and item.date.is_exact and item.date.start == as_of else item.date.human()
    return f"- **{when}**: {item.what}"
