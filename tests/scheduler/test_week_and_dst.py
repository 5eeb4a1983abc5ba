"""On a controlled clock: a week of daily posts in two time zones, weekends and skip dates, and both DST days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.scheduler import Result
from bot.state.claims import PostState
from tests.scheduler.conftest import Harness, sub

TORONTO = ZoneInfo("America/Toronto")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC


def local(day: str, hm: str, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=zone).astimezone(UTC)


async def test_a_week_in_two_time_zones_with_weekend_and_skip_date(harness: Harness) -> None:
    await harness.scheduler(
        [
            sub("slack:T1:C1", time="08:00", timezone="America/Toronto", skip_dates=[dt.date(2025, 5, 7)]),
            sub("slack:T1:C2", time="08:30", timezone="Asia/Tokyo", days=["mon", "tue", "wed", "thu", "fri", "sat"]),
        ]
    )
    await harness.run_until(dt.datetime(2025, 5, 11, 23, 0, tzinfo=UTC))  # Monday 12 May in Tokyo is 23:30 UTC

    posted = [(p.target, p.key.rsplit("|", 1)[1], p.at) for p in harness.delivery.posts]
    toronto = [("slack:T1:C1", d, local(d, "08:00", TORONTO)) for d in ("2025-05-05", "2025-05-06", "2025-05-08")]
    toronto.append(("slack:T1:C1", "2025-05-09", local("2025-05-09", "08:00", TORONTO)))
    tokyo = [
        ("slack:T1:C2", f"2025-05-{d:02d}", local(f"2025-05-{d:02d}", "08:30", TOKYO))
        for d in (5, 6, 7, 8, 9, 10)  # 5 May 08:30 in Tokyo is 4 May 23:30 UTC: before the clock started
        if d != 5
    ]
    assert sorted(posted) == sorted(toronto + tokyo)
    assert all(p.reply.title.startswith("Daily briefing") for p in harness.delivery.posts)

    log = {(p.target, p.local_date.isoformat()): p for p in await harness.log()}
    skipped = log[("slack:T1:C1", "2025-05-07")]
    assert skipped.state is PostState.SKIPPED and skipped.error == "skip date"
    assert ("slack:T1:C1", "2025-05-10") not in log and ("slack:T1:C2", "2025-05-11") not in log  # days off
    assert all(p.state is PostState.SENT for k, p in log.items() if k != ("slack:T1:C1", "2025-05-07"))


async def test_dst_days_post_once_at_local_time_never_twice_never_skipped(harness: Harness) -> None:
    harness.clock.reset(dt.datetime(2025, 3, 7, 12, 0, tzinfo=UTC))
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    scheduler = await harness.scheduler(
        [
            sub(f"slack:T1:{name}", time=hm, timezone="America/Toronto", days=every_day)
            for name, hm in (("C0800", "08:00"), ("C0230", "02:30"), ("C0130", "01:30"))
        ]
    )
    await harness.run_until(dt.datetime(2025, 3, 11, 0, 0, tzinfo=UTC))
    harness.clock.set(dt.datetime(2025, 10, 31, 12, 0, tzinfo=UTC))
    await harness.run_until(dt.datetime(2025, 11, 4, 0, 0, tzinfo=UTC))

    by_key = {}
    for p in harness.delivery.posts:
        assert p.key not in by_key, f"posted twice: {p.key}"
        by_key[p.key] = p.at
    spring, autumn = "2025-03-09", "2025-11-02"
    for day in (spring, autumn):
        # 08:00 local, at the right UTC instant for that day's offset
        assert by_key[f"slack:T1:C0800|canada-us|{day}"] == local(day, "08:00", TORONTO)
    assert by_key[f"slack:T1:C0800|canada-us|{spring}"] == dt.datetime(2025, 3, 9, 12, 0, tzinfo=UTC)  # EDT
    assert by_key[f"slack:T1:C0800|canada-us|{autumn}"] == dt.datetime(2025, 11, 2, 13, 0, tzinfo=UTC)  # EST
    # 02:30 does not exist on the spring day: posted once, at 03:30 EDT, the instant 02:30 EST would have been
    assert by_key[f"slack:T1:C0230|canada-us|{spring}"] == dt.datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    assert by_key[f"slack:T1:C0230|canada-us|{autumn}"] == dt.datetime(2025, 11, 2, 7, 30, tzinfo=UTC)
    # 01:30 happens twice on the autumn day; our trigger fires only the first (fold 0), and the claim would stop a
    # second run anyway
    assert by_key[f"slack:T1:C0130|canada-us|{autumn}"] == dt.datetime(2025, 11, 2, 5, 30, tzinfo=UTC)
    runs = [result for key, result in scheduler.results if key == f"slack:T1:C0130|canada-us|{autumn}"]
    assert runs == [Result.SENT]
    for name in ("C0800", "C0230", "C0130"):
        days = sorted(k.rsplit("|", 1)[1] for k in by_key if k.startswith(f"slack:T1:{name}|"))
        expected = ["2025-03-08", "2025-03-09", "2025-03-10", "2025-11-01", "2025-11-02", "2025-11-03"]
        assert [d for d in days if d in expected] == expected, name
