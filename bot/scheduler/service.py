"""The scheduler service: subscriptions -> APScheduler cron jobs -> :class:`BriefingRunner` runs.

APScheduler 3 (``AsyncIOScheduler``) only decides *when*. Its jobs live in memory and are rebuilt from config
and the state database at start and every ``reload_seconds``; a shared job store is never used (APScheduler 3
does not support several schedulers on one), so each replica schedules every subscription and the claim row
decides who posts.

Job defaults, chosen on purpose:

- ``misfire_grace_time=None``: APScheduler's default (1 s) silently drops a run that starts late, for instance
  after the event loop was blocked. We always let the run start and let the runner decide with *our* grace window
  (post if late by less than ``grace``, else record it as skipped), so the decision is made in one place, on the
  injected clock, and leaves a row behind.
- ``coalesce=True``: if the loop stalls across several fire times (a laptop asleep), run once, for the latest.
- ``max_instances=1``: a run waiting on another replica's lease is not joined by a second one.

A subscription whose deal is restricted to other targets (``restricted_to``) is never scheduled: it is reported
once, at start or at the reload that first sees it, and kept in ``withheld`` with the reason; the runner checks
again at post time, for a store that changed in between.

Runs missed while the process was down are found at start (and on each reload): the latest scheduled time of
each subscription is run if still within grace (posted once), else recorded as skipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import schedule_plan as plan
from bot.briefing import BriefingOptions
from bot.config import SchedulerOptions, SubscriptionConfig
from bot.delivery import Delivery
from bot.posting import PostHooks
from bot.scheduler.killpoints import kill_point
from bot.scheduler.runner import BriefingRunner, Now, Result, Sleep, restricted_away
from bot.state import State, claims, subscriptions
from bot.state.subscriptions import Subscription
from bot.store import Store

log = logging.getLogger(__name__)
RELOAD_JOB = "briefbot:reload"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def claimant_id() -> str:
    """Unique per process start: a restarted replica must not mistake its predecessor's claims for its own."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class BriefingScheduler:
    """A Service (``start``/``stop``): started once per process by ``App._background_services``."""

    def __init__(
        self,
        *,
        open_state: Callable[[], Awaitable[State]],
        store: Callable[[], Store],
        deliveries: dict[str, Delivery],
        configured: Sequence[SubscriptionConfig] = (),
        options: SchedulerOptions = SchedulerOptions(),
        briefing_options: BriefingOptions = BriefingOptions(),
        maintainers: str | None = None,
        now: Now = _utcnow,
        sleep: Sleep = asyncio.sleep,
        kill: Callable[[str], None] = kill_point,
        claimant: str | None = None,
        on_result: Callable[[str, Result], None] | None = None,
        commit: Callable[[], str | None] = lambda: None,
        frozen_note: str | None = None,
        hooks: PostHooks | None = None,
        channel_language: Callable[[str], str] | None = None,
    ) -> None:
        self._hooks = hooks
        self._channel_language = channel_language  # a target's language (config), for subscriptions without one
        self._commit = commit
        self.frozen_note = frozen_note  # set when the store is frozen at a date: then nothing is posted
        self._open_state = open_state
        self._store = store
        self._deliveries = deliveries
        self._configured = list(configured)
        self.options = options
        self._briefing_options = briefing_options
        self._maintainers = maintainers
        self.now = now
        self._sleep = sleep
        self._kill = kill
        self.claimant = claimant or claimant_id()
        self._scheduler: AsyncIOScheduler | None = None
        self._runner: BriefingRunner | None = None
        self._subs: dict[str, Subscription] = {}
        self._signatures: dict[str, str] = {}
        self._running_keys: set[str] = set()  # post keys with a run in flight in this process
        self._tasks: set[asyncio.Task[Any]] = set()
        self._submitted = 0  # APScheduler jobs submitted and not yet finished
        self._idle = asyncio.Event()
        self._idle.set()
        self.results: list[tuple[str, Result]] = []  # (post key, result), for logs and tests
        self.withheld: dict[str, str] = {}  # subscription key -> why it is not scheduled (a restricted deal)
        self._on_result = on_result

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subs.values())

    async def start(self) -> None:
        if self._scheduler is not None:
            return  # once per process: a platform reconnect must never start a second scheduler
        if self.frozen_note is not None:
            log.warning("no daily briefings: %s", self.frozen_note)
        state = await self._open_state()
        self._runner = BriefingRunner(
            state=state,
            store=self._store,
            deliveries=self._deliveries,
            claimant=self.claimant,
            options=self.options,
            briefing_options=self._briefing_options,
            maintainers=self._maintainers,
            now=self.now,
            sleep=self._sleep,
            kill=self._kill,
            commit=self._commit,
            hooks=self._hooks,
            **({"channel_language": self._channel_language} if self._channel_language else {}),
        )
        scheduler = AsyncIOScheduler(
            timezone=dt.UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        scheduler.add_listener(self._on_finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        self._scheduler = scheduler
        scheduler.start()
        interval = dt.timedelta(seconds=self.options.reload_seconds)
        scheduler.add_job(
            self.reload,
            IntervalTrigger(seconds=self.options.reload_seconds, start_date=self.now() + interval, timezone=dt.UTC),
            id=RELOAD_JOB,
        )
        await subscriptions.mirror_config(state, self._configured, now=self.now())
        await self.reload()
        log.info("scheduler started (%s) with %d subscription(s)", self.claimant, len(self._subs))

    async def stop(self) -> None:
        if self._scheduler is None:
            return
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._scheduler = None

    async def reload(self) -> None:
        """Re-read subscriptions (config and every replica's chat ones), update the jobs, catch up missed runs."""
        if self._scheduler is None or self._runner is None:
            return
        try:
            subs = await subscriptions.effective(self._runner.state, self._configured)
        except Exception:
            log.exception("could not read subscriptions; keeping the current jobs")
            return
        self._withhold_restricted(subs)
        # A frozen store posts nothing (bot.clock): subscriptions are kept, and no job is scheduled for them.
        active = {} if self.frozen_note else {s.key: s for s in subs if not s.paused and s.key not in self.withheld}
        for key in set(self._signatures) - set(active):
            self._scheduler.remove_job(self._job_id(key))
            del self._signatures[key]
        for key, sub in active.items():
            sig = plan.signature(sub)
            if self._signatures.get(key) != sig:
                self._scheduler.add_job(
                    self._fire, plan.trigger_for(sub), args=[key], id=self._job_id(key), replace_existing=True
                )
                self._signatures[key] = sig
        self._subs = {s.key: s for s in subs}
        for sub in active.values():
            try:
                await self._catch_up(sub)
            except Exception:
                log.exception("catching up %s failed", sub.key)

    def _withhold_restricted(self, subs: Sequence[Subscription]) -> None:
        """Leave out subscriptions whose deal may not be shown to their target; say so once for each."""
        store = self._store()
        withheld = {}
        for sub in subs:
            reason = restricted_away(store, sub.deal, sub.target)
            if reason is None:
                continue
            withheld[sub.key] = reason
            if sub.key not in self.withheld:
                log.error("subscription %s (%s) not scheduled: %s", sub.key, sub.source, reason)
        self.withheld = withheld

    def next_fire_time(self) -> dt.datetime | None:
        """When APScheduler will next start a briefing run (the reload job aside)."""
        if self._scheduler is None:
            return None
        times = [j.next_run_time for j in self._scheduler.get_jobs() if j.id != RELOAD_JOB and j.next_run_time]
        return min(times, default=None)

    async def run_pending(self) -> None:
        """Wake APScheduler now and wait for every run it starts. For a clock that jumps (tests on a controlled
        clock); in production APScheduler's own timer wakes it."""
        assert self._scheduler is not None
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        self._scheduler.wakeup()  # queued with call_soon_threadsafe: runs before the callback queued next
        loop.call_soon(woken.set_result, None)
        await woken
        await self.idle()

    async def idle(self) -> None:
        """Wait until no run started by this scheduler is in flight."""
        while self._tasks or self._submitted:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            else:
                self._idle.clear()
                await self._idle.wait()

    async def _fire(self, key: str) -> None:
        sub = self._subs.get(key)
        if sub is None or sub.paused:
            return
        occurrence = plan.last_occurrence(plan.trigger_for(sub), self.now())
        if occurrence is None:
            return
        try:
            await self._run(sub, occurrence)
        except asyncio.CancelledError:  # shutdown: the claim's lease lets another replica (or restart) finish
            log.info("briefing run for %s interrupted by shutdown", key)

    async def _catch_up(self, sub: Subscription) -> None:
        assert self._runner is not None
        occurrence = plan.last_occurrence(plan.trigger_for(sub), self.now())
        if occurrence is None or (sub.created_at is not None and occurrence < sub.created_at):
            return  # nothing scheduled yet, or scheduled before the subscription existed
        key = plan.post_key(sub.target, sub.deal, plan.local_date(sub, occurrence))
        if key in self._running_keys:
            return
        post = await claims.get(self._runner.state, key)
        if post is not None and post.state not in claims.OPEN_STATES:
            return
        task = asyncio.create_task(self._run(sub, occurrence))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, sub: Subscription, occurrence: dt.datetime) -> None:
        assert self._runner is not None
        key = plan.post_key(sub.target, sub.deal, plan.local_date(sub, occurrence))
        if key in self._running_keys:
            return  # the cron run and a catch-up for the same date: one is enough
        self._running_keys.add(key)
        try:
            result = await self._runner.run(sub, occurrence)
        except Exception:
            log.exception("briefing run %s failed", key)
            result = Result.FAILED
        # A BaseException (shutdown, a kill) leaves the key marked: this process starts no other run for it.
        self._running_keys.discard(key)
        if result is Result.PAUSED:
            self._drop(sub.key)  # at once, not at the next reload: no further runs for a channel that refuses us
        self.results.append((key, result))
        log.info("briefing %s: %s", key, result)
        if self._on_result is not None:
            self._on_result(key, result)

    def _drop(self, key: str) -> None:
        sub = self._subs.get(key)
        if sub is not None:
            self._subs[key] = replace(sub, paused=True)
        if self._scheduler is not None and self._signatures.pop(key, None) is not None:
            self._scheduler.remove_job(self._job_id(key))

    def _on_submitted(self, event: Any) -> None:
        self._submitted += 1
        self._idle.clear()

    def _on_finished(self, event: Any) -> None:
        self._submitted = max(0, self._submitted - 1)
        if not self._submitted:
            self._idle.set()

    @staticmethod
    def _job_id(key: str) -> str:
        return f"brief:{key}"
