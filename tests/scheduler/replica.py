"""One Briefbot replica as a separate process, for test_replica_processes.py.

    python -m tests.scheduler.replica --state-url URL --platform http://127.0.0.1:PORT --minute ISO --lead SECONDS \
        --lease SECONDS --subscriptions JSON

It builds the real App from settings (bundled store, the given state database and subscriptions), registers a
delivery that posts to the fake platform over HTTP, and runs the scheduler built by ``App.build_scheduler``
on a shifted clock (APScheduler included), so the test chooses which morning it is. It boots two hours before
``--minute`` (however long booting takes), prints ``ready``, and when the test writes ``go`` on its stdin jumps to
``--lead`` seconds before that minute: replicas started together race for the same minute whatever their boot times.
It then prints ``{"key", "result"}`` per briefing run and stops on SIGTERM.
Named kill points come from ``BRIEFBOT_KILL_AT`` (see bot.scheduler.killpoints).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import signal
import sys
from typing import Any

import httpx

from bot.app import App
from bot.clock import Clock
from bot.config import BUNDLED_STORE, HttpConfig, Settings, SubscriptionConfig
from bot.errors import TransientDeliveryError
from bot.render_text import render_text
from bot.reply import Reply
from bot.scheduler import SchedulerOptions
from bot.targets import Target
from tests.scheduler.helpers import apscheduler_clock


class ShiftedClock:
    def __init__(self, at: dt.datetime) -> None:
        self.offset = dt.timedelta(0)
        self.jump(at)

    def jump(self, at: dt.datetime) -> None:
        """Make it ``at`` now."""
        self.offset = at - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


class HttpDelivery:
    """Posts to the fake platform, carrying the idempotency key; can look a post up by that key."""

    platform = "slack"

    def __init__(self, base_url: str) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=5.0)

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        try:
            response = await self.client.post(
                "/post", json={"target": str(target), "key": key, "text": render_text(reply)}
            )
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"fake platform unreachable: {exc!r}") from exc
        response.raise_for_status()
        return str(response.json()["id"])

    async def find_post(self, target: Target, key: str) -> str | None:
        response = await self.client.get("/find", params={"target": str(target), "key": key})
        response.raise_for_status()
        found: Any = response.json()["id"]
        return str(found) if found else None


def emit(**event: Any) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def main(args: argparse.Namespace) -> None:
    minute = dt.datetime.fromisoformat(args.minute)
    clock = ShiftedClock(minute - dt.timedelta(hours=2))
    subs = [SubscriptionConfig(**s) for s in json.loads(args.subscriptions)]
    settings = Settings(
        store=BUNDLED_STORE, state_url=args.state_url, subscriptions=subs, http=HttpConfig(enabled=False)
    )
    app = App(settings, clock=Clock(now=clock.now))
    delivery = HttpDelivery(args.platform)
    app.deliveries["slack"] = delivery
    await app.open_state()
    scheduler = app.build_scheduler(
        options=SchedulerOptions(lease_seconds=args.lease),
        on_result=lambda key, result: emit(key=key, result=str(result)),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    with apscheduler_clock(clock):
        await scheduler.start()
        emit(event="ready", claimant=scheduler.claimant)
        go = asyncio.ensure_future(commands.readline())
        await asyncio.wait([go, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
        if go.done() and go.result().strip() == b"go":
            clock.jump(minute - dt.timedelta(seconds=args.lead))
            await scheduler.run_pending()  # APScheduler re-reads the clock: the minute is now --lead seconds away
        await stop.wait()
        go.cancel()
        await scheduler.stop()
    await delivery.client.aclose()
    assert app.state is not None
    await app.state.close()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-url", required=True)
    parser.add_argument("--platform", required=True)
    parser.add_argument("--minute", required=True, help="the posting minute, ISO with a UTC offset")
    parser.add_argument("--lead", type=float, default=1.0, help="seconds between 'go' and that minute")
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--subscriptions", required=True)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
