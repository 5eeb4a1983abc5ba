"""Liveness that tells the truth: each part of the running bot says how it is, for ``/healthz`` and for
``briefbot run``'s exit status.

A part is ``ok``, ``connecting`` (not up now, retrying by itself) or ``down`` (it has given up). Parts report
themselves (a platform connection from its own callbacks), or are probed when asked (the state database): one
question at a time, and a check that finds it still answering says what the part said last rather than wait, so a
database slowed by a burst of commands is not called down (a 503 an orchestrator counts towards a restart). A part
reported down with ``fatal=True`` (a platform whose token was reset: only a restart with new credentials helps)
sets :attr:`Health.fatal`, which ``App.run`` waits on beside its stop event, so the process exits non-zero and an
orchestrator restarts it instead of leaving a bot that answers nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.errors import BriefbotError

log = logging.getLogger(__name__)

PROBE_WAIT = 0.25  # seconds a health check waits for a probe's fresh answer (a database at ease answers in a few ms)
PROBE_TIMEOUT = 10.0  # seconds a probe may go unanswered before its part counts as down
# seconds a probe's answer stands for the checks after it: frequent polls (a load balancer's, a benchmark's) cost one
# question a second, and a check during a burst answers at once instead of queueing a query behind the burst's
PROBE_FRESH = 1.0


class PartState(StrEnum):
    OK = "ok"
    CONNECTING = "connecting"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    state: PartState
    reason: str
    since: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {"state": str(self.state), "reason": self.reason, "since": self.since.isoformat()}


Probe = Callable[[], Awaitable[tuple[PartState, str]]]


@dataclass(slots=True)
class _Probed:
    check: Probe
    last: Part | None = None  # its latest answer
    landed: float = 0.0  # when that answer came (time.monotonic())
    asking: asyncio.Task[Part] | None = None  # the question in flight, if any


class PartFailed(BriefbotError):
    """A part gave up for good; ``briefbot run`` prints this one line and exits non-zero."""

    def __init__(self, part: Part) -> None:
        super().__init__(f"{part.name} failed: {part.reason}")
        self.part = part


class Health:
    """The registry the App creates and passes to its services; ``/healthz`` reads it."""

    def __init__(self) -> None:
        self._parts: dict[str, Part] = {}
        self._probes: dict[str, _Probed] = {}
        self._failure: Part | None = None
        self.fatal = asyncio.Event()  # set once, by the first part that fails for good

    def report(self, name: str, state: PartState, reason: str = "", *, fatal: bool = False) -> None:
        before = self._parts.get(name)
        if before is not None and (before.state, before.reason) == (state, reason):
            return
        if self._failure is not None and self._failure.name == name:
            return  # down for good: a late "reconnecting" from the same part must not hide it
        part = Part(name, state, reason, dt.datetime.now(dt.UTC))
        self._parts[name] = part
        if state is PartState.DOWN:
            log.error("%s is down: %s", name, reason)
        elif before is not None and before.state is not state:
            log.info("%s is %s%s", name, state, f" ({reason})" if reason else "")
        if fatal and state is PartState.DOWN and self._failure is None:
            self._failure = part
            self.fatal.set()

    def ok(self, name: str, reason: str = "") -> None:
        self.report(name, PartState.OK, reason)

    def connecting(self, name: str, reason: str = "") -> None:
        self.report(name, PartState.CONNECTING, reason)

    def down(self, name: str, reason: str, *, fatal: bool = False) -> None:
        self.report(name, PartState.DOWN, reason, fatal=fatal)

    def probe(self, name: str, check: Probe) -> None:
        """A part asked at each health check instead of reporting (a database answers, or it does not)."""
        self._probes[name] = _Probed(check)

    def forget(self, name: str) -> None:
        self._parts.pop(name, None)
        self._probes.pop(name, None)

    @property
    def failure(self) -> Part | None:
        """The part whose fatal failure set :attr:`fatal`, if any."""
        return self._failure

    def error(self) -> PartFailed | None:
        return PartFailed(self._failure) if self._failure is not None else None

    async def parts(self) -> list[Part]:
        """Every part, reported and probed, by name."""
        found = dict(self._parts)
        for name, probed in list(self._probes.items()):
            found[name] = await self._ask(name, probed)
        return [found[name] for name in sorted(found)]

    async def close(self) -> None:
        """Stop the questions still in flight (at shutdown)."""
        asking = [probed.asking for probed in self._probes.values() if probed.asking is not None]
        for task in asking:
            task.cancel()
        for task in asking:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _ask(self, name: str, probed: _Probed) -> Part:
        """The part's fresh answer if it comes within :data:`PROBE_WAIT`, else its last one (``connecting`` before
        the first). A question already in flight is waited on, not asked again; an answer younger than
        :data:`PROBE_FRESH` is given without asking."""
        if probed.last is not None and time.monotonic() - probed.landed < PROBE_FRESH:
            return probed.last
        task = probed.asking
        if task is None:
            task = probed.asking = asyncio.create_task(self._run_probe(name, probed.check))

            def landed(done: asyncio.Task[Part]) -> None:
                probed.asking = None
                if not done.cancelled():
                    probed.last = done.result()
                    probed.landed = time.monotonic()

            task.add_done_callback(landed)
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(task), PROBE_WAIT)
        if probed.last is not None:
            return probed.last
        return Part(name, PartState.CONNECTING, "no answer yet", dt.datetime.now(dt.UTC))

    async def report_json(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, body) for ``/healthz``: unhealthy when any part is down."""
        parts = await self.parts()
        healthy = all(p.state is not PartState.DOWN for p in parts)
        if not healthy:
            status = "down"
        elif any(p.state is PartState.CONNECTING for p in parts):
            status = "connecting"
        else:
            status = "ok"
        return healthy, {"status": status, "parts": {p.name: p.as_json() for p in parts}}

    @staticmethod
    async def _run_probe(name: str, check: Probe) -> Part:
        now = dt.datetime.now(dt.UTC)
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                state, reason = await check()
        except TimeoutError:
            return Part(name, PartState.DOWN, f"no answer within {PROBE_TIMEOUT:g} s", now)
        except Exception as exc:  # a probe reports; it never breaks the health check
            return Part(name, PartState.DOWN, f"{type(exc).__name__}: {exc}"[:300], now)
        return Part(name, state, reason, now)


__all__ = ["Health", "Part", "PartFailed", "PartState", "Probe"]
