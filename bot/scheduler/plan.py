"""When a subscription posts: pure functions over APScheduler's CronTrigger in the subscription's time zone.

Times are local wall-clock times. On the day clocks go forward, a time that does not exist (02:30 in Toronto)
fires at the same instant an hour "later" (03:30 EDT); on the day they go back, APScheduler 3.11 fires an
ambiguous time (01:30) twice, an hour apart. Both runs share one local date, hence one claim key: posted once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.state.subscriptions import Subscription

LOOKBACK = dt.timedelta(days=8)  # a weekly subscription's last run is at most 7 days back


def trigger_for(sub: Subscription) -> CronTrigger:
    hour, minute = (int(part) for part in sub.time.split(":"))
    return CronTrigger(hour=hour, minute=minute, day_of_week=",".join(sub.days), timezone=ZoneInfo(sub.timezone))


def signature(sub: Subscription) -> str:
    """What the job depends on: a job is replaced only when this changes."""
    return f"{sub.time}|{sub.timezone}|{','.join(sub.days)}"


def last_occurrence(trigger: CronTrigger, now: dt.datetime) -> dt.datetime | None:
    """The latest scheduled time at or before ``now`` (within ``LOOKBACK``)."""
    fire: dt.datetime | None = trigger.get_next_fire_time(None, now - LOOKBACK)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, now)
    return last


def next_occurrence(trigger: CronTrigger, now: dt.datetime) -> dt.datetime | None:
    fire: dt.datetime | None = trigger.get_next_fire_time(None, now)
    return fire


def local_date(sub: Subscription, fire_time: dt.datetime) -> dt.date:
    return fire_time.astimezone(ZoneInfo(sub.timezone)).date()


def post_key(target: str, deal: str, day: dt.date) -> str:
    """The claim key and the idempotency key carried in the post (Slack metadata, Discord nonce)."""
    return f"{target}|{deal}|{day.isoformat()}"
