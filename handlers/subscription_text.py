"""How a subscription reads in answers: its days, its times in its own zone."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.config import DAYS

if TYPE_CHECKING:
    from bot.state.subscriptions import Subscription


def describe(sub: Subscription) -> str:
    return f"at {sub.time} {sub.timezone}, {days_label(sub.days)}" + (
        f", except {', '.join(d.isoformat() for d in sub.skip_dates)}" if sub.skip_dates else ""
    )


def local_time(sub: Subscription, when: dt.datetime) -> str:
    """``Tue 6 May 2025 08:00`` in the subscription's time zone."""
    local = when.astimezone(ZoneInfo(sub.timezone))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def days_label(days: tuple[str, ...]) -> str:
    if list(days) == list(DAYS):
        return "every day"
    if list(days) == list(DAYS[:5]):
        return "Monday to Friday"
    return ", ".join(d.capitalize() for d in days)
