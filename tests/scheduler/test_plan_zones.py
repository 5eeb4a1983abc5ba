"""Daily fire times in zones whose clocks jump at (or across) local midnight, and in Toronto.

Santiago, Havana, Beirut and Cairo change their clocks at local midnight, so a briefing between 00:00 and 00:59
falls in the missing hour once a year (and 23:xx in the repeated one for some of them). APScheduler 3's
CronTrigger skipped the missing time: that day had neither a post nor a skip row. Every subscribed local day must
fire exactly once, on that local date. The transition dates come from zoneinfo, not from a calendar typed in here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from bot import schedule_plan as plan
from bot.config import DAYS, SubscriptionConfig
from bot.state.claims import PostState
from bot.state.subscriptions import Subscription
from tests.scheduler.conftest import Harness, sub

UTC = dt.UTC
MIDNIGHT_ZONES = ("America/Santiago", "America/Havana", "Asia/Beirut", "Africa/Cairo")
ZONES = (*MIDNIGHT_ZONES, "America/Toronto", "America/Nuuk")  # Nuuk: 23:00 -> 00:00, a gap across midnight
TIMES = ("00:00", "00:30", "00:59", "01:30", "02:30", "08:00", "23:30")
DAY_SETS = (DAYS, ("mon", "thu", "fri", "sun"))  # every day; and a subset holding every transition's weekday
YEAR = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(365)]


@dataclass(frozen=True)
class Transition:
    at: dt.datetime  # the first instant of the new offset (UTC)
    before: dt.timedelta  # offset before
    after: dt.timedelta  # offset after

    def local_before(self, zone: ZoneInfo) -> dt.datetime:
        """The wall-clock reading the instant the clocks change, on the old offset (24:00 reads as 00:00 next day)."""
        return (self.at + self.before).replace(tzinfo=None)


def transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    """Every change of UTC offset in [start, end), to the second: hourly steps, then bisection."""
    found = []
    t = start
    offset = t.astimezone(zone).utcoffset()
    while t < end:
        step = t + dt.timedelta(hours=1)
        new = step.astimezone(zone).utcoffset()
        if new != offset:
            lo, hi = t, step
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if mid.astimezone(zone).utcoffset() == offset else (lo, mid)
            assert offset is not None and new is not None
            found.append(Transition(hi, offset, new))
            offset = new
        t = step
    return found


def subscription(zone: str, time: str, days: tuple[str, ...] = DAYS) -> Subscription:
    return Subscription.from_config(
        SubscriptionConfig(target="slack:T1:C1", deal="d", time=time, timezone=zone, days=list(days))
    )


def fires(sub: Subscription, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The fire times the way APScheduler asks for them: first at or after ``start``, then each after the last."""
    trigger = plan.trigger_for(sub)
    out: list[dt.datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        # compared in UTC: two datetimes on one ZoneInfo compare by wall clock, blind to a repeated hour
        assert not out or fire.astimezone(UTC) > out[-1], "fire times must strictly increase"
        out.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire)
    return out


def offset(when: dt.datetime) -> dt.timedelta:
    value = when.utcoffset()
    assert value is not None
    return value


def wall_exists(day: dt.date, at: dt.time, zone: ZoneInfo) -> bool:
    wall = dt.datetime.combine(day, at)
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_year_covers_real_transitions(zone_name: str) -> None:
    """Guards the year-long tests below: each zone changes its clocks twice in 2025, the four midnight zones at
    (or within the hour before) local midnight, with at least a week of days either side inside the year."""
    zone = ZoneInfo(zone_name)
    found = transitions(zone, dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert len(found) == 2, found
    assert {t.after > t.before for t in found} == {True, False}  # one forward, one back
    for t in found:
        assert YEAR[7] <= t.local_before(zone).date() <= YEAR[-8]
    if zone_name in MIDNIGHT_ZONES:
        # the hour that goes missing (forward) or happens twice (back) is 23:00-23:59 or 00:00-00:59
        affected = [min(t.local_before(zone), t.local_before(zone) + t.after - t.before).time() for t in found]
        assert set(affected) <= {dt.time(0, 0), dt.time(23, 0)}, found
        assert any(t.local_before(zone).time() == dt.time(0, 0) and t.after > t.before for t in found), found


@pytest.mark.parametrize("days", DAY_SETS, ids=("every-day", "mon-thu-fri-sun"))
@pytest.mark.parametrize("time", TIMES)
@pytest.mark.parametrize("zone_name", ZONES)
def test_every_subscribed_local_day_fires_exactly_once_on_that_date(
    zone_name: str, time: str, days: tuple[str, ...]
) -> None:
    zone = ZoneInfo(zone_name)
    sub = subscription(zone_name, time, days)
    at = dt.time.fromisoformat(time)
    start = dt.datetime.combine(YEAR[0] - dt.timedelta(days=2), dt.time(), tzinfo=UTC)
    got = fires(sub, start, start + dt.timedelta(days=370))
    by_date = Counter(plan.local_date(sub, f) for f in got)

    subscribed = {d for d in YEAR if DAYS[d.weekday()] in days}
    in_year = {d: n for d, n in by_date.items() if YEAR[0] <= d <= YEAR[-1]}
    assert set(in_year) == subscribed, f"missing {sorted(subscribed - set(in_year))}, extra {set(in_year) - subscribed}"
    assert {d: n for d, n in in_year.items() if n != 1} == {}, "fired more than once on a local date"

    for fire in got:
        local = fire.astimezone(zone)
        assert local.date() == plan.local_date(sub, fire)
        if wall_exists(local.date(), at, zone):
            # the wall-clock time itself; an ambiguous one at its first occurrence (fold 0), never both
            assert (local.time(), local.fold) == (at, 0), fire
        else:
            # a missing time fires one gap away: later (Toronto 02:30 -> 03:30 EDT), or earlier when later would be
            # the next day (Nuuk 23:30 -> 22:30)
            gap = offset(local + dt.timedelta(days=1)) - offset(local - dt.timedelta(days=1))
            wall = dt.datetime.combine(local.date(), at)
            assert local.replace(tzinfo=None) in (wall + gap, wall - gap), fire


def test_missing_time_in_toronto_fires_at_the_instant_it_would_have_been_0330_edt() -> None:
    spring = dt.date(2025, 3, 9)
    (fire,) = fires(
        subscription("America/Toronto", "02:30"),
        dt.datetime(2025, 3, 9, tzinfo=UTC),
        dt.datetime(2025, 3, 9, 23, tzinfo=UTC),
    )
    assert fire == dt.datetime(2025, 3, 9, 7, 30, tzinfo=UTC)  # 02:30 EST = 03:30 EDT
    assert plan.local_date(subscription("America/Toronto", "02:30"), fire) == spring


def test_half_past_midnight_in_santiago_fires_at_0130_on_the_day_without_midnight() -> None:
    santiago = subscription("America/Santiago", "00:30")
    got = fires(santiago, dt.datetime(2025, 9, 6, 12, tzinfo=UTC), dt.datetime(2025, 9, 8, 12, tzinfo=UTC))
    assert [(f.astimezone(ZoneInfo("America/Santiago")).isoformat()) for f in got] == [
        "2025-09-07T01:30:00-03:00",  # 00:30 -04 would have been this instant; the day starts at 01:00 -03
        "2025-09-08T00:30:00-03:00",
    ]


@pytest.mark.parametrize(
    ("zone_name", "time", "day"),
    [
        ("America/Toronto", "01:30", dt.date(2025, 11, 2)),
        ("America/Havana", "00:30", dt.date(2025, 11, 2)),  # Havana repeats 00:00-00:59 on Sunday
        ("Asia/Beirut", "23:30", dt.date(2025, 10, 25)),  # Beirut repeats Saturday's 23:00-23:59
        ("Africa/Cairo", "23:30", dt.date(2025, 10, 30)),  # Cairo repeats Thursday's 23:00-23:59
        ("America/Santiago", "23:30", dt.date(2025, 4, 5)),  # Santiago repeats Saturday's 23:00-23:59
    ],
)
def test_a_repeated_time_fires_once_at_its_first_occurrence(zone_name: str, time: str, day: dt.date) -> None:
    zone = ZoneInfo(zone_name)
    first = dt.datetime.combine(day, dt.time.fromisoformat(time), tzinfo=zone)
    second = first.replace(fold=1)
    assert first.astimezone(UTC) + dt.timedelta(hours=1) == second.astimezone(UTC), "not a repeated time that day"
    sub = subscription(zone_name, time)
    got = fires(sub, first.astimezone(UTC) - dt.timedelta(hours=12), second.astimezone(UTC) + dt.timedelta(hours=12))
    assert got == [first.astimezone(UTC)]
    # what the runner and /schedule ask: the run at the second 23:30 is still the one at the first
    assert plan.last_occurrence(plan.trigger_for(sub), second.astimezone(UTC)) == first.astimezone(UTC)


def test_last_and_next_occurrence_across_the_santiago_gap() -> None:
    santiago = subscription("America/Santiago", "00:30")
    trigger = plan.trigger_for(santiago)
    due = dt.datetime(2025, 9, 7, 4, 30, tzinfo=UTC)  # 01:30 -03 on 7 September
    assert plan.next_occurrence(trigger, dt.datetime(2025, 9, 6, 5, 0, tzinfo=UTC)) == due
    assert plan.next_occurrence(trigger, due) == due
    assert plan.last_occurrence(trigger, due) == due
    assert plan.last_occurrence(trigger, due - dt.timedelta(microseconds=1)) == dt.datetime(
        2025, 9, 6, 4, 30, tzinfo=UTC
    )
    assert plan.local_date(santiago, due) == dt.date(2025, 9, 7)


def test_no_days_never_fires() -> None:
    assert (
        plan.next_occurrence(plan.trigger_for(subscription("UTC", "08:00", ())), dt.datetime(2025, 1, 1, tzinfo=UTC))
        is None
    )


async def test_santiago_half_past_midnight_posts_or_skips_every_day_across_the_september_change(
    harness: Harness,
) -> None:
    """The real scheduler on a controlled clock: one post, or one skip row with its reason, per local day."""
    harness.clock.reset(dt.datetime(2025, 9, 3, 12, 0, tzinfo=UTC))
    await harness.scheduler(
        [
            sub("slack:T1:C1", time="00:30", timezone="America/Santiago", days=list(DAYS)),
            sub(
                "slack:T1:C2",
                time="00:30",
                timezone="America/Santiago",
                days=list(DAYS),
                skip_dates=[dt.date(2025, 9, 7)],
            ),
        ]
    )
    await harness.run_until(dt.datetime(2025, 9, 10, 12, 0, tzinfo=UTC))

    days = [f"2025-09-{d:02d}" for d in range(4, 11)]  # the 7th has no 00:00-00:59
    posted = Counter(harness.delivery.keys())
    assert posted == Counter(
        {f"slack:T1:{c}|canada-us|{d}": 1 for c in ("C1", "C2") for d in days if (c, d) != ("C2", "2025-09-07")}
    )
    rows = Counter((p.target, p.local_date.isoformat(), p.state, p.error) for p in await harness.log())
    expected: dict[tuple[str, str, PostState, str | None], int]
    expected = {(t, d, PostState.SENT, None): 1 for t in ("slack:T1:C1", "slack:T1:C2") for d in days}
    del expected[("slack:T1:C2", "2025-09-07", PostState.SENT, None)]
    expected[("slack:T1:C2", "2025-09-07", PostState.SKIPPED, "skip date")] = 1
    assert rows == Counter(expected)
    first_day = next(p for p in harness.delivery.posts if p.key == "slack:T1:C1|canada-us|2025-09-07")
    assert first_day.at == dt.datetime(2025, 9, 7, 4, 30, tzinfo=UTC)  # 01:30 -03, the instant 00:30 -04 would be


def test_missing_time_whose_gap_later_is_tomorrow_fires_a_gap_earlier_the_same_day() -> None:
    nuuk = subscription("America/Nuuk", "23:30")
    got = fires(nuuk, dt.datetime(2025, 3, 28, 12, tzinfo=UTC), dt.datetime(2025, 3, 31, 12, tzinfo=UTC))
    assert [f.astimezone(ZoneInfo("America/Nuuk")).isoformat() for f in got] == [
        "2025-03-28T23:30:00-02:00",
        "2025-03-29T22:30:00-02:00",  # 23:00 -02 is followed by 00:00 -01: 23:30 on the 29th does not exist
        "2025-03-30T23:30:00-01:00",
    ]
