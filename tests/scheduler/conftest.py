"""Fixtures for the scheduler tests: a controlled clock that APScheduler reads too, state databases on SQLite and
on a real PostgreSQL, and a harness that starts schedulers the way separate replicas would (own engine each)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.config import BUNDLED_STORE, SubscriptionConfig
from bot.delivery import Delivery
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.state import State, claims, open_state
from bot.state.claims import Post
from bot.store import Store, load_store
from tests.scheduler.helpers import ControlledClock, RecordingDelivery, apscheduler_clock, no_kill

MONDAY = dt.datetime(2025, 5, 5, 0, 0, tzinfo=dt.UTC)
OPTIONS = SchedulerOptions(grace_minutes=30, lease_seconds=120, retry_base_delay=1.0)


@pytest.fixture
def clock() -> Iterator[ControlledClock]:
    clock = ControlledClock(MONDAY)
    with apscheduler_clock(clock):
        yield clock


@pytest.fixture(scope="session")
def bundled() -> Store:
    return load_store(BUNDLED_STORE)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/state.db"


def sub(target: str, deal: str = "canada-us", **kw: Any) -> SubscriptionConfig:
    return SubscriptionConfig(target=target, deal=deal, **kw)


class Harness:
    """Schedulers sharing one state database, one store and one (fake) platform, on one controlled clock."""

    def __init__(self, url: str, clock: ControlledClock, store: Store, delivery: Any) -> None:
        self.url = url
        self.clock = clock
        self.store = store
        self.delivery = delivery
        self.states: list[State] = []
        self.schedulers: list[BriefingScheduler] = []

    async def state(self) -> State:
        state = await open_state(self.url)
        self.states.append(state)
        return state

    async def scheduler(
        self,
        configured: Sequence[SubscriptionConfig],
        *,
        kill: Any = no_kill,
        options: SchedulerOptions = OPTIONS,
        delivery: Any = None,
        maintainers: str | None = None,
    ) -> BriefingScheduler:
        state = await self.state()

        async def opened() -> State:
            return state

        deliveries: dict[str, Delivery] = {"slack": delivery or self.delivery}
        scheduler = BriefingScheduler(
            open_state=opened,
            store=lambda: self.store,
            deliveries=deliveries,
            configured=configured,
            options=options,
            maintainers=maintainers,
            now=self.clock.now,
            sleep=self.clock.sleep,
            kill=kill,
        )
        await scheduler.start()
        await scheduler.run_pending()  # the wakeups queued by adding jobs, and catch-up runs, happen now
        self.schedulers.append(scheduler)
        return scheduler

    async def run_until(self, until: dt.datetime, *schedulers: BriefingScheduler) -> None:
        """Jump from one fire time to the next until ``until``, letting every scheduler run what is due."""
        running = list(schedulers or self.schedulers)
        while True:
            upcoming = [t for t in (s.next_fire_time() for s in running) if t is not None]
            step = min(upcoming, default=None)
            if step is None or step > until:
                break
            self.clock.set(max(step, self.clock.now()))
            await asyncio.gather(*(s.run_pending() for s in running))  # replicas run side by side
        self.clock.set(max(until, self.clock.now()))
        await asyncio.gather(*(s.run_pending() for s in running))

    async def log(self) -> list[Post]:
        state = self.states[0] if self.states else await self.state()
        return sorted(await claims.history(state, limit=1000), key=lambda p: (p.local_date, p.target))

    async def close(self) -> None:
        for scheduler in self.schedulers:
            await scheduler.stop()
        for state in self.states:
            await state.close()


@pytest.fixture
async def harness(sqlite_url: str, clock: ControlledClock, bundled: Store) -> AsyncIterator[Harness]:
    h = Harness(sqlite_url, clock, bundled, RecordingDelivery(clock))
    yield h
    await h.close()


@pytest.fixture
async def any_harness(db_url: str, clock: ControlledClock, bundled: Store) -> AsyncIterator[Harness]:
    """A harness on SQLite, then on PostgreSQL."""
    h = Harness(db_url, clock, bundled, RecordingDelivery(clock))
    yield h
    await h.close()
