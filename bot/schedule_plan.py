"""When a subscription posts: one fire time per subscribed local date, computed here with zoneinfo.

APScheduler only decides *when* a job wakes; the instant comes from :class:`DailyTrigger`, not from APScheduler 3's
CronTrigger, which skips a wall-clock time that does not exist (00:30 on the day Santiago, Havana, Beirut or Cairo
jump from 00:00 to 01:00) and, chained from one fire to the next, even skips the day after Toronto's change.

Times are local wall-clock times, one fire per subscribed local date, always on that date:

- A time that does not exist (clocks go forward) fires at the instant it would have been on the old offset, i.e. a
  gap later: 02:30 in Toronto fires at 03:30 EDT; 00:30 in Santiago on its September change fires at 01:30 -03.
  Where a gap later is already the next day (Nuuk goes from 23:00 straight to 00:00), it fires a gap earlier
  instead (23:30 -> 22:30), so that the day still gets its one run. A date that does not exist at all (Apia,
  30 December 2011) has no run.
- A time that happens twice (clocks go back) fires once, at its first occurrence (fold 0): 01:30 EDT in Toronto.

Fire times are returned in UTC, so that arithmetic on them (the grace deadline) and comparisons are in real time;
``local_date`` maps one back to the local date it was due on, which is the date in the claim key.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot.config import DAYS

if TYPE_CHECKING:
    from bot.state.subscriptions import Subscription

LOOKBACK = dt.timedelta(days=8)  # a weekly subscription's last run is at most 7 days back
_SEARCH_DAYS = 15  # a weekly run is at most 7 days ahead; a date with no run (Apia 2011) adds one more
_TICK = dt.timedelta(microseconds=1)


class DailyTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no type hints
    """An APScheduler 3 trigger: ``at`` local time in ``zone`` on the given weekdays (0 = Monday)."""

    __slots__ = ("at", "weekdays", "zone")

    def __init__(self, at: dt.time, zone: ZoneInfo, weekdays: frozenset[int]) -> None:
        self.at = at
        self.zone = zone
        self.weekdays = weekdays

    def due(self, day: dt.date) -> dt.datetime | None:
        """The instant (UTC) the run for local date ``day`` is due, or None when ``day`` has no run."""
        if day.weekday() not in self.weekdays:
            return None
        # fold=0: the first of a repeated time; for a missing time, the offset before the gap (a gap later).
        # fold=1 for a missing time uses the offset after the gap (a gap earlier): the fallback across midnight.
        for fold in (0, 1):
            instant = dt.datetime.combine(day, self.at, tzinfo=self.zone).replace(fold=fold).astimezone(dt.UTC)
            if instant.astimezone(self.zone).date() == day:
                return instant
        return None

    def get_next_fire_time(self, previous_fire_time: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
        """APScheduler's contract: the first fire after ``previous_fire_time`` if given, else the first at or after
        ``now`` (the scheduler asks for missed runs by passing the previous one with a later ``now``)."""
        start = now if previous_fire_time is None else previous_fire_time + _TICK
        first = start.astimezone(self.zone).date() - dt.timedelta(days=1)  # a repeated hour can straddle midnight
        for offset in range(_SEARCH_DAYS):
            fire = self.due(first + dt.timedelta(days=offset))
            if fire is not None and fire >= start:
                return fire
        return None

    def __repr__(self) -> str:
        days = ",".join(DAYS[d] for d in sorted(self.weekdays))
        return f"<DailyTrigger {self.at:%H:%M} {self.zone.key} {days}>"

    __str__ = __repr__


def trigger_for(sub: Subscription) -> DailyTrigger:
    at = dt.time.fromisoformat(sub.time)
    return DailyTrigger(at, ZoneInfo(sub.timezone), frozenset(DAYS.index(d) for d in sub.days))


def signature(sub: Subscription) -> str:
    """What the job depends on: a job is replaced only when this changes."""
    return f"{sub.time}|{sub.timezone}|{','.join(sub.days)}"


def last_occurrence(trigger: DailyTrigger, now: dt.datetime) -> dt.datetime | None:
    """The latest scheduled time at or before ``now`` (within ``LOOKBACK``)."""
    fire = trigger.get_next_fire_time(None, now - LOOKBACK)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, now)
    return last


def next_occurrence(trigger: DailyTrigger, now: dt.datetime) -> dt.datetime | None:
    return trigger.get_next_fire_time(None, now)


def local_date(sub: Subscription, fire_time: dt.datetime) -> dt.date:
    """The local date a fire time is for: by construction, the date the fire time falls on in the zone."""
    return fire_time.astimezone(ZoneInfo(sub.timezone)).date()


def post_key(target: str, deal: str, day: dt.date) -> str:
    """The claim key and the idempotency key carried in the post (Slack metadata, Discord nonce)."""
    return f"{target}|{deal}|{day.isoformat()}"
