"""One clock for answers and posts: what "now" and "today" are, for every part of the bot.

A store can be frozen at a date (``as_of`` in config: the bundled store ends in May 2025). Then every answer is
given as of that date, and no daily briefing is posted: a briefing dated today about a store frozen long ago would
contradict what ``/brief`` and ``briefbot brief --channel`` say. Tests pass their own ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Clock:
    def __init__(
        self, *, as_of: dt.date | None = None, timezone: str = "UTC", now: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.as_of = as_of
        self.zone = ZoneInfo(timezone)
        self._now = now

    def now(self) -> dt.datetime:
        """The real (or the test's) instant, timezone-aware."""
        return self._now()

    def today(self) -> dt.date:
        """The date answers are given as of: the frozen date, else today in the bot's time zone."""
        return self.as_of or self._now().astimezone(self.zone).date()

    @property
    def frozen(self) -> bool:
        """True when the store is frozen at ``as_of``: answers as of then, and no scheduled posts."""
        return self.as_of is not None

    def frozen_note(self) -> str:
        assert self.as_of is not None
        return (
            f"The store is frozen at {self.as_of.isoformat()} (as_of in the config), so answers are as of that day "
            "and no daily briefings are posted; remove as_of when the store follows a live negotiation."
        )
