"""Fan-out (issue 22, item 7): 500 daily briefings due the same minute, to 500 Slack channels, through the real
scheduler (APScheduler jobs -> BriefingRunner -> Poster: claim, compose, deliver, finish) and the real Slack adapter
(slack_sdk's AsyncWebClient), against a loopback fake Slack with Slack's limits on chat.postMessage.

    python -m bench.fanout [--channels 500] [--concurrency 4,1] [--postgres]

The fake Slack (tests/fakes/slack_limits.py) allows 1 post per second per channel and, for the workspace, 600 a
minute (10 a second) with a burst of 30: Slack's documented special tier for chat.postMessage ("1 per second per
channel", "several hundred per minute" per workspace, bursts allowed). A post over either is answered 429 with a
whole-second Retry-After, as Slack does. Each post takes ``--latency`` seconds to answer (real Slack: 0.1 to 0.3).
State is a real SQLite file (or, with ``--postgres``, a real PostgreSQL started for the run, as the tests start it).

The clock is the real one, shifted so that the briefings fall due (08:00 on a Monday) the moment the scheduler has
its jobs; APScheduler reads the same clock. Printed per concurrency: end-to-end time (due -> last post accepted),
beside the floor the workspace tier allows ((channels - burst) / rate), posts per channel (lost: none,
duplicated: more than one), each channel's wait from due to its post (p50, p90, max), 429s by tier, the most posts
in flight at once, and the process's CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.slack_delivery import SlackDelivery, make_web_client
from bot.config import BUNDLED_STORE, SubscriptionConfig
from bot.scheduler import BriefingScheduler, SchedulerOptions
from bot.state import State, claims, open_state
from bot.store import load_store
from tests.fakes.slack_api import TEAM_ID
from tests.fakes.slack_limits import RateLimitedSlack
from tests.scheduler.helpers import apscheduler_clock

DUE = dt.datetime(2025, 5, 5, 8, 0, tzinfo=dt.UTC)  # a Monday, 08:00 UTC
WORKSPACE_RATE = 10.0  # posts a second (600 a minute)
WORKSPACE_BURST = 30.0


class ShiftedClock:
    """Real time, moved so that it reads ``start`` now: waits are real, the date is the one the bench needs."""

    def __init__(self, start: dt.datetime) -> None:
        self.offset = start - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def jump(self, to: dt.datetime) -> None:
        self.offset = to - dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Fanout:
    channels: int
    concurrency: int
    state: str  # sqlite or postgresql
    end_to_end_s: float  # due -> last post accepted
    floor_s: float  # the least the workspace tier allows
    p50_wait_s: float
    p90_wait_s: float
    max_wait_s: float
    lost: int  # channels without their briefing
    duplicated: int  # posts beyond one per channel
    limited: dict[str, int]  # 429s by tier
    calls: int  # chat.postMessage calls, 429s included
    max_in_flight: int
    results: dict[str, int]  # the scheduler's result per run
    logged: dict[str, int]  # the post log's states
    cpu_s: float

    def lines(self) -> list[str]:
        waits = f"p50 {self.p50_wait_s:.1f} s, p90 {self.p90_wait_s:.1f} s, max {self.max_wait_s:.1f} s"
        return [
            f"post_concurrency {self.concurrency} ({self.state}): {self.channels} briefings due 08:00:00",
            f"  end to end (due -> last post): {self.end_to_end_s:.1f} s; floor the workspace tier allows "
            f"{self.floor_s:.1f} s; ratio {self.end_to_end_s / self.floor_s:.2f}x",
            f"  posts per channel: lost {self.lost}, duplicated {self.duplicated}; post log {self.logged}",
            f"  wait per channel from due to post: {waits}",
            f"  chat.postMessage calls {self.calls}: 429s per channel {self.limited['channel']}, workspace "
            f"{self.limited['workspace']}; at most {self.max_in_flight} in flight; runs {self.results}",
            f"  CPU (bot and fake Slack, one process): {self.cpu_s:.1f} s",
        ]


async def fan_out(
    channels: int, concurrency: int, state_url: str, *, latency: float, rate: float, burst: float
) -> Fanout:
    clock = ShiftedClock(DUE - dt.timedelta(minutes=1))
    fake = RateLimitedSlack(
        workspace_rate=rate, workspace_burst=burst, latency=latency, clock=lambda: clock.now().timestamp()
    )
    await fake.start()
    state = await open_state(state_url)
    names = [f"C{n:05d}" for n in range(channels)]
    store = load_store(BUNDLED_STORE)

    async def opened() -> State:
        return state

    scheduler = BriefingScheduler(
        open_state=opened,
        store=lambda: store,
        deliveries={"slack": SlackDelivery(make_web_client("xoxb-bench", fake.api_url))},
        configured=[SubscriptionConfig(target=f"slack:{TEAM_ID}:{c}", deal="canada-us", time="08:00") for c in names],
        options=SchedulerOptions(post_concurrency=concurrency),
        now=clock.now,
        claimant="bench",
    )
    cpu = time.process_time()
    try:
        with apscheduler_clock(clock):
            await scheduler.start()
            await scheduler.run_pending()
            clock.jump(DUE)  # the jobs are in: the minute turns now, and APScheduler's wake-up finds 500 due
            await scheduler.run_pending()
            await scheduler.idle()
        cpu = time.process_time() - cpu
        posts = [len(fake.posts(c)) for c in names]
        waits = sorted(fake.accepted[c][0] - DUE.timestamp() for c in names if fake.accepted.get(c))
        logged = Counter(p.state.value for p in await claims.history(state, limit=channels * 2))
    finally:
        await scheduler.stop()
        await state.close()
        await fake.close()
    return Fanout(
        channels=channels,
        concurrency=concurrency,
        state=state_url.split("+", 1)[0],
        end_to_end_s=max(waits, default=0.0),
        floor_s=max(channels - burst, 0) / rate,
        p50_wait_s=statistics.median(waits) if waits else 0.0,
        p90_wait_s=waits[int(0.9 * (len(waits) - 1))] if waits else 0.0,
        max_wait_s=max(waits, default=0.0),
        lost=sum(1 for n in posts if n == 0),
        duplicated=sum(n - 1 for n in posts if n > 1),
        limited=dict(fake.limited),
        calls=len(fake.calls_to("chat.postMessage")) + sum(fake.limited.values()),
        max_in_flight=fake.max_in_flight,
        results=dict(Counter(result.value for _, result in scheduler.results)),
        logged=dict(logged),
        cpu_s=cpu,
    )


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A fresh database on a PostgreSQL started as the tests start it (Debian's binaries, loopback)."""
    from tests.scheduler.pg import pg_server

    fixture = pg_server.__wrapped__  # type: ignore[attr-defined]  # the fixture's own generator
    with contextlib.contextmanager(fixture)() as server:
        yield server.create_database()


def run(
    channels: int = 500,
    concurrencies: tuple[int, ...] = (4,),
    *,
    use_postgres: bool = False,
    latency: float = 0.1,
    rate: float = WORKSPACE_RATE,
    burst: float = WORKSPACE_BURST,
) -> list[Fanout]:
    """One fan-out per concurrency, each on a fresh post log (the entry point bench.table uses)."""
    logging.basicConfig(level=logging.ERROR)  # 429s are expected here; lost or failed posts still show
    out = []
    for concurrency in concurrencies:
        with contextlib.ExitStack() as stack:
            if use_postgres:
                url = stack.enter_context(postgres())
            else:
                tmp = stack.enter_context(tempfile.TemporaryDirectory())
                url = f"sqlite+aiosqlite:///{Path(tmp) / 'state.db'}"
            out.append(asyncio.run(fan_out(channels, concurrency, url, latency=latency, rate=rate, burst=burst)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--concurrency", default="4", help="post_concurrency values, each a run (4 is the default)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake Slack takes to answer a post")
    parser.add_argument("--rate", type=float, default=WORKSPACE_RATE, help="workspace tier: posts a second")
    parser.add_argument("--burst", type=float, default=WORKSPACE_BURST, help="workspace tier: burst")
    parser.add_argument("--postgres", action="store_true", help="state on a PostgreSQL started for the run")
    args = parser.parse_args()
    concurrencies = tuple(int(c) for c in args.concurrency.split(","))
    print(
        f"fan-out: {args.channels} channels due the same minute; fake Slack: 1 post/s per channel, workspace "
        f"{args.rate:g}/s ({args.rate * 60:g}/min) burst {args.burst:g}, {args.latency:g} s per answer"
    )
    for figures in run(
        args.channels,
        concurrencies,
        use_postgres=args.postgres,
        latency=args.latency,
        rate=args.rate,
        burst=args.burst,
    ):
        print("\n".join(figures.lines()))


if __name__ == "__main__":
    main()
