"""Warnings about hostile or broken requests, at most one a minute per cause, so junk cannot flood the log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

LOG_EVERY = 60.0  # seconds between two lines for the same cause


class ThrottledLog:
    """One warning per cause per interval, then a count of those held back. Callers pass causes from a fixed set
    (never request text), so the memory kept is bounded and nothing an attacker sends reaches the log."""

    def __init__(
        self, logger: logging.Logger, interval: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def warning(self, cause: str, message: str, *args: object) -> bool:
        """Log ``message % args`` unless ``cause`` was logged within the interval; True when logged."""
        now = self.clock()
        last = self._last.get(cause)
        if last is not None and now - last < self.interval:
            self._held[cause] = self._held.get(cause, 0) + 1
            return False
        self._last[cause] = now
        held = self._held.pop(cause, 0)
        more = f" (and {held} more like it since the last report)" if held else ""
        self.logger.warning(message + "%s", *args, more)
        return True
