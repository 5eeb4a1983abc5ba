"""Test doubles for the scheduler tests: a controlled clock (ours and APScheduler's), a recording delivery."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import apscheduler.schedulers.base as aps_base

from bot.errors import PermanentDeliveryError
from bot.reply import Reply
from bot.targets import Target

UTC = dt.UTC


FIX = "Invite Briefbot to the channel (as its platform says how), then run /subscribe again."  # an adapter's fix-it


class ControlledClock:
    """Time that moves only when the test (or a sleeping run) moves it."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        assert when.astimezone(UTC) >= self._now, "time does not go backwards"
        self._now = when.astimezone(UTC)

    def reset(self, when: dt.datetime) -> None:
        """Start the test at another time (before any scheduler is started)."""
        self._now = when.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        """A run waiting (for a lease, between retries) lets that much time pass."""
        self._now += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)


@contextmanager
def apscheduler_clock(clock: Any) -> Iterator[None]:
    """Make APScheduler read ``clock`` wherever it asks for "now" (only ``datetime.now`` in its scheduler module).

    APScheduler 3 has no clock parameter; this is the smallest patch that puts it on the test's clock, so its own
    fire-time arithmetic (DST included) is what the tests exercise.
    """

    class ClockedDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            now: dt.datetime = clock.now()
            return now.astimezone(tz)

    original = aps_base.datetime
    aps_base.datetime = ClockedDatetime
    try:
        yield
    finally:
        aps_base.datetime = original


@dataclass
class Posted:
    target: str
    key: str
    reply: Reply
    at: dt.datetime
    message_id: str


class RecordingDelivery:
    """A platform that records every post; it can search for a post by key, edit one, and refuse channels."""

    platform = "slack"

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.posts: list[Posted] = []
        self.edits: list[Posted] = []
        self.refuse: dict[str, str] = {}  # target -> reason for a PermanentDeliveryError

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        if str(target) in self.refuse:
            reason = self.refuse[str(target)]
            raise PermanentDeliveryError(f"cannot post in {target}", target=str(target), reason=reason, fix=FIX)
        message_id = f"m{len(self.posts) + 1}"
        self.posts.append(Posted(str(target), key, reply, self.clock.now(), message_id))
        return message_id

    async def find_post(self, target: Target, key: str) -> str | None:
        return next((p.message_id for p in self.posts if p.key == key and p.target == str(target)), None)

    async def update(self, target: Target, message_id: str, reply: Reply, key: str) -> str:
        self.edits.append(Posted(str(target), key, reply, self.clock.now(), message_id))
        return message_id

    async def check(self, target: Target) -> None:
        if str(target) in self.refuse:
            raise PermanentDeliveryError("refused", target=str(target), reason=self.refuse[str(target)], fix=FIX)

    def keys(self) -> list[str]:
        return [p.key for p in self.posts]


class BlindDelivery:
    """A platform that can post but cannot be searched (no ``find_post``)."""

    platform = "slack"

    def __init__(self, clock: Any) -> None:
        self.inner = RecordingDelivery(clock)
        self.posts = self.inner.posts

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        return await self.inner.deliver(target, reply, key)


class SimulatedCrash(BaseException):
    """What a kill point raises in-process: nothing in the bot catches it, as nothing survives a real kill."""


def crash_at(point: str) -> Any:
    hits: list[str] = []

    def kill(name: str) -> None:
        if name == point:
            hits.append(name)
            raise SimulatedCrash(name)

    kill.hits = hits  # type: ignore[attr-defined]
    return kill


def no_kill(name: str) -> None:
    return None
