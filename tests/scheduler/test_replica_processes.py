"""Two bot processes, one PostgreSQL, the same subscriptions: each briefing posted exactly once, counted at a fake
platform on loopback, including when a process is killed after claiming and after the platform accepted a post
but before the claim was marked sent."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.scheduler.killpoints import ENV as KILL_ENV
from bot.scheduler.killpoints import EXIT_CODE
from bot.state import claims, open_state
from bot.state.claims import PostState

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
LEAD = 1.0  # seconds from "go" (sent once every replica is ready, however slow its boot) to the posting minute
BOOT = 90.0  # a generous bound on a replica's boot on a loaded machine: readiness is awaited, never assumed
LEASE = 2.0
SUBS = [
    {"target": "slack:T1:C1", "deal": "canada-us", "time": "08:00", "timezone": "America/Toronto"},
    {"target": "slack:T1:C2", "deal": "canada-us", "time": "13:00", "timezone": "Europe/London"},
    {"target": "slack:T1:@U1", "deal": "canada-us", "time": "08:00", "timezone": "America/Toronto"},
]


@dataclass
class FakePlatform:
    """Counts every post it accepts, by idempotency key; answers "is there a post with this key?"."""

    posts: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def post(self, request: web.Request) -> web.Response:
        body = await request.json()
        message_id = f"p{len(self.posts) + 1}"
        self.posts.append({"target": body["target"], "key": body["key"], "id": message_id})
        return web.json_response({"id": message_id})

    async def find(self, request: web.Request) -> web.Response:
        key, target = request.query["key"], request.query["target"]
        found = next((p["id"] for p in self.posts if p["key"] == key and p["target"] == target), None)
        return web.json_response({"id": found})

    def counts(self) -> Counter[str]:
        return Counter(p["key"] for p in self.posts)


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    app = web.Application()
    app.router.add_post("/post", fake.post)
    app.router.add_get("/find", fake.find)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


class Replica:
    def __init__(self, process: asyncio.subprocess.Process, name: str) -> None:
        self.process = process
        self.name = name
        self.events: list[dict[str, Any]] = []

    async def next_event(self) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line:
            return None
        event: dict[str, Any] = json.loads(line)
        self.events.append(event)
        return event

    async def exited(self) -> int:
        """Wait for the process to end by itself (at its kill point)."""
        assert self.process.stdout is not None
        await asyncio.wait_for(self.process.stdout.read(), 20)
        return await asyncio.wait_for(self.process.wait(), 20)

    async def ready(self) -> None:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), BOOT)
        assert json.loads(line)["event"] == "ready", line

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.terminate()
        return await asyncio.wait_for(self.process.wait(), 20)


Launch = Callable[..., Awaitable[Replica]]


@pytest.fixture
async def launch() -> AsyncIterator[Launch]:
    """Start replica processes; whatever happens in the test, none outlives it (killed by PID)."""
    started: list[asyncio.subprocess.Process] = []

    async def start(
        name: str, url: str, platform: FakePlatform, minute: dt.datetime, kill_at: str | None = None
    ) -> Replica:
        env = {k: v for k, v in os.environ.items() if k != KILL_ENV and not k.startswith("BRIEFBOT_")}
        if kill_at:
            env[KILL_ENV] = kill_at
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.scheduler.replica",
            "--state-url", url, "--platform", platform.url, "--minute", minute.isoformat(), "--lead", str(LEAD),
            "--lease", str(LEASE), "--subscriptions", json.dumps(SUBS),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.PIPE,
        )  # fmt: skip
        started.append(process)
        return Replica(process, name)

    try:
        yield start
    finally:
        for process in started:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def together(*replicas: Replica) -> list[Replica]:
    """Wait until every replica is ready, then start their clocks towards the minute at the same moment."""
    await asyncio.gather(*(r.ready() for r in replicas))
    for replica in replicas:
        replica.go()
    return list(replicas)


async def until_settled(replicas: list[Replica], keys: set[str]) -> None:
    """Read the replicas' reports until every key has been posted or found by one of them. Once they are, a
    follower still waiting for a replica with nothing more to report is cancelled: the last key may be settled by
    another replica after this one's last report (it used to wait out its 60 s, and fail the test)."""
    settled: set[str] = set()
    all_settled = asyncio.Event()

    async def follow(replica: Replica) -> None:
        while (event := await replica.next_event()) is not None:
            if event.get("result") in ("sent", "found"):
                settled.add(event["key"])
                if keys <= settled:
                    all_settled.set()

    followers = [asyncio.ensure_future(follow(r)) for r in replicas]
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_settled.wait(), 90)
    finally:
        for follower in followers:
            follower.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
    reports = {r.name: r.events for r in replicas}
    assert keys <= settled, f"not settled: {sorted(keys - settled)}; each replica's reports: {reports}"


def day_keys(day: str) -> set[str]:
    return {f"{s['target']}|canada-us|{day}" for s in SUBS}


async def test_two_processes_post_each_briefing_exactly_once(
    pg_url: str, platform: FakePlatform, launch: Launch
) -> None:
    # Monday: both replicas up before 08:00 Toronto (12:00 UTC), racing for every claim.
    monday = dt.datetime(2025, 5, 5, 12, 0, tzinfo=dt.UTC)
    both = await together(await launch("a", pg_url, platform, monday), await launch("b", pg_url, platform, monday))
    await until_settled(both, day_keys("2025-05-05"))
    assert [await r.stop() for r in both] == [0, 0]

    # Tuesday: replica A is alone at 08:00 and is killed right after its first claim; then B starts, and A
    # restarts: the claim A left is taken over after its lease, the others are raced for as usual.
    tuesday = monday + dt.timedelta(days=1)
    (doomed,) = await together(await launch("a", pg_url, platform, tuesday, kill_at="after_claim"))
    assert await doomed.exited() == EXIT_CODE  # it died at the kill point
    revived = await together(
        await launch("b", pg_url, platform, tuesday), await launch("a2", pg_url, platform, tuesday)
    )
    await until_settled(revived, day_keys("2025-05-06"))
    assert [await r.stop() for r in revived] == [0, 0]

    # Wednesday: A is killed after the platform accepted its first post, before marking the claim sent.
    wednesday = tuesday + dt.timedelta(days=1)
    (doomed,) = await together(await launch("a", pg_url, platform, wednesday, kill_at="after_deliver"))
    assert await doomed.exited() == EXIT_CODE
    accepted = [p["key"] for p in platform.posts if p["key"].endswith("2025-05-07")]
    assert accepted  # posts that went out just before the kill (its runs go side by side: one or more)
    revived = await together(
        await launch("b", pg_url, platform, wednesday), await launch("a2", pg_url, platform, wednesday)
    )
    await until_settled(revived, day_keys("2025-05-07"))
    assert [await r.stop() for r in revived] == [0, 0]
    reported = [e for r in revived for e in r.events if "result" in e]
    for key in accepted:  # each looked up by its key and recorded, not posted again
        assert {"key": key, "result": "found"} in reported

    expected = day_keys("2025-05-05") | day_keys("2025-05-06") | day_keys("2025-05-07")
    assert platform.counts() == Counter(dict.fromkeys(expected, 1))  # exactly one post per target and date
    state = await open_state(pg_url)
    try:
        log = {p.key: p for p in await claims.history(state)}
    finally:
        await state.close()
    assert set(log) == expected
    assert {p.state for p in log.values()} == {PostState.SENT}
    ids = {p["key"]: p["id"] for p in platform.posts}
    assert {k: p.message_id for k, p in log.items()} == ids  # the log points at the post that exists
    taken_over = [p for k, p in log.items() if k.endswith("2025-05-06") and p.attempts == 2]
    assert taken_over  # A's orphaned claims (its runs go side by side: one or more), each taken over once
