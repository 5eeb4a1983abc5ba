"""Issue 22's burst run: 1,000 concurrent signed slash commands into Slack HTTP mode right after a reload.

    python -m bench.burst [--documents 100000] [--commands 1000] [--subscriptions 20]

Briefbot runs as ``briefbot run`` would (``App.run``: HTTP server, Slack HTTP mode, file watcher, scheduler with
``subscriptions`` config subscriptions re-read every second, real SQLite state) in a child process, on a synthetic
store written by ``bench/generate.py`` (kept in ``/tmp/briefbot-burst-stores/<documents>`` between runs). This
process is the outside world: the loopback fake Slack (``tests/fakes/slack_api.py``, where ``response_url``
answers arrive) and the load generator. Once the bot is up and warm, one topic file is edited (the watcher reloads
it) and at once every command is posted, all in flight together; ``/healthz`` is polled every 100 ms meanwhile.

Per command: **acked** is the HTTP response to Slack's POST (Slack gives up after 3 s), **answered** is when the
answer arrives (in the ack, or at the ``response_url``; goal 10 s). The mix (``MIX``): mostly exact ids and aliases
(``/status``, ``/who``), some misspelt names, some ``/search``, a few ``/brief``. Scheduler errors are log records
at WARNING or above from ``bot.scheduler`` (a failed re-read of subscriptions); ``apscheduler``'s warnings (a
re-read skipped because the last one was still running, or run late) are counted apart. Set ``BURST_PROFILE`` to
a file name for a cProfile of the bot's process. Both processes share the machine's cores; the load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bench.generate import write_synthetic_store
from bench.slack_server import signed_headers
from tests.fakes.slack_api import TEAM_ID, FakeSlack

SECRET = "bench-signing-secret"
STORES = Path(tempfile.gettempdir()) / "briefbot-burst-stores"
ACK_GOAL = 3.0
ANSWER_GOAL = 10.0
GIVE_UP = 180.0  # seconds after the burst when unanswered commands are counted as lost
# (kind, share of the burst): what the commands are
MIX = {
    "/status exact": 0.35,
    "/status alias": 0.15,
    "/who exact": 0.15,
    "/who alias": 0.10,
    "/status typo": 0.05,
    "/who typo": 0.05,
    "/search": 0.13,
    "/brief": 0.02,
}
SEARCH_WORDS = ["dairy", "quota", "steel", "lumber", "arctic", "pipeline", "canola", "nickel", "summit", "wheat"]


def _typo(word: str, rng: random.Random) -> str:
    """A swapped pair of letters inside the name (as people type): ``topic`` -> ``tpoic``."""
    at = rng.randrange(1, max(2, len(word) - 2))
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def commands(count: int, sizes: dict[str, int], seed: int = 22) -> list[tuple[str, str, str]]:
    """(kind, command, text) for the burst, in a shuffled order."""
    rng = random.Random(seed)
    deals, people, per_deal = sizes["deals"], sizes["people"], sizes["topics"] // sizes["deals"]
    out: list[tuple[str, str, str]] = []
    for kind, share in MIX.items():
        for _ in range(round(count * share)):
            d, t, p = rng.randrange(deals), rng.randrange(per_deal), rng.randrange(people)
            text = {
                "/status exact": f"topic-{d}-{t}",
                "/status alias": f"t{d}x{t}",
                "/who exact": f"person-{p}",
                "/who alias": f"p{p}x",
                "/status typo": _typo(f"topic {d} {t}", rng),
                "/who typo": _typo(f"person {p} example", rng),
                "/search": " ".join(rng.sample(SEARCH_WORDS, 2)),
                "/brief": f"deal-{d}",
            }[kind]
            out.append((kind, kind.split()[0], text))
    rng.shuffle(out)
    return out[:count]


# --- the bot's process ---------------------------------------------------------------------------------------


class _Count(logging.Handler):
    """Counts the scheduler's warnings and errors, and keeps the first few."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors = 0  # bot.scheduler: a re-read or a run that failed
        self.skipped = 0  # apscheduler: a job not run on time (the previous still running, or the loop late)
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("bot.scheduler"):
            self.errors += 1
            if len(self.first) < 3:
                self.first.append(f"{record.name}: {record.getMessage()[:200]}")
        elif record.name.startswith("apscheduler"):
            self.skipped += 1


async def serve(options: dict[str, Any]) -> None:
    """Briefbot as ``briefbot run`` starts it; on SIGTERM it stops and prints its scheduler counts as JSON."""
    from bot.app import App
    from bot.config import HttpConfig, SchedulerOptions, Settings, SlackConfig, SubscriptionConfig
    from bot.credentials import Secrets

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    counter = _Count()
    logging.getLogger().addHandler(counter)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).strftime("%H:%M")  # no post during the run
    subs = [
        SubscriptionConfig(target=f"slack:{TEAM_ID}:C{i:08d}", deal=f"deal-{i % options['deals']}", time=later)
        for i in range(options["subscriptions"])
    ]
    settings = Settings(
        store=Path(options["store"]),
        state_url=f"sqlite+aiosqlite:///{options['state']}/state.db",
        http=HttpConfig(host="127.0.0.1", port=options["port"]),
        slack=SlackConfig(api_url=options["api_url"], mode="http"),
        scheduler=SchedulerOptions(reload_seconds=1),  # re-read subscriptions every second: many during the burst
        subscriptions=subs,
        git_history=False,
    )
    app = App(settings, Secrets(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET))
    profile = None
    if os.environ.get("BURST_PROFILE"):  # a cProfile of the bot's process, written there at the end
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    try:
        await app.run(console=False)
    finally:
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["BURST_PROFILE"])
        print(json.dumps({"errors": counter.errors, "skipped": counter.skipped, "first": counter.first}))


# --- the outside world: fake Slack and the load ----------------------------------------------------------------


@dataclass
class Sent:
    kind: str
    response_url_id: str
    sent: float = 0.0
    acked: float | None = None
    answered: float | None = None
    status: int | None = None
    in_ack: bool = False


@dataclass
class Answers:
    """When each ``response_url`` post arrived, by its id (the fake Slack records the body, this the time)."""

    at: dict[str, float] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class TimedSlack(FakeSlack):
    def __init__(self, answers: Answers) -> None:
        super().__init__()
        self.answers = answers

    async def _respond(self, request: web.Request) -> web.Response:
        self.answers.at.setdefault(request.match_info["id"], time.perf_counter())
        self.answers.arrived.set()
        return await super()._respond(request)  # type: ignore[misc]


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def store_for(documents: int) -> tuple[Path, dict[str, int]]:
    root = STORES / str(documents)
    sizes_file = STORES / f"{documents}.json"
    if not sizes_file.exists():
        shutil.rmtree(root, ignore_errors=True)
        sizes = write_synthetic_store(root, documents)
        sizes_file.write_text(json.dumps(sizes))
    return root, json.loads(sizes_file.read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(client: httpx.AsyncClient, server: asyncio.subprocess.Process, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.returncode is not None:
            raise SystemExit(f"the bot exited with {server.returncode} before it was ready")
        with contextlib.suppress(httpx.HTTPError):
            body = (await client.get("/healthz", timeout=5)).json()
            if body.get("status") == "ok" and "scheduler" in body.get("parts", {}):
                return
        await asyncio.sleep(0.5)
    raise SystemExit(f"the bot was not ready within {limit:g} s")


async def poll_health(client: httpx.AsyncClient, stop: asyncio.Event, latencies: list[float]) -> None:
    """One ``/healthz`` every 100 ms (after the previous answer): a stalled one shows as its latency."""
    while not stop.is_set():
        start = time.perf_counter()
        try:
            response = await client.get("/healthz", timeout=60)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        latencies.append(time.perf_counter() - start if ok else float("inf"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.1)


async def burst(args: argparse.Namespace) -> None:
    root, sizes = store_for(args.documents)
    mix = commands(args.commands, sizes)
    answers = Answers()
    fake = await TimedSlack(answers).start()
    port = free_port()
    state = tempfile.mkdtemp(prefix="briefbot-burst-")
    options = {
        "store": str(root),
        "state": state,
        "port": port,
        "api_url": fake.api_url,
        "subscriptions": args.subscriptions,
        "deals": sizes["deals"],
    }
    started = time.perf_counter()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.burst", "--serve", json.dumps(options), stdout=asyncio.subprocess.PIPE
    )
    verifier = SignatureVerifier(SECRET)
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=args.commands + 10, max_keepalive_connections=args.commands + 10)
    try:
        async with (
            httpx.AsyncClient(base_url=base, limits=limits, timeout=GIVE_UP) as client,
            httpx.AsyncClient(base_url=base) as health_client,
        ):
            await wait_ready(health_client, server, limit=900)
            ready = time.perf_counter() - started
            for _kind, command, text in mix[:: max(1, len(mix) // 8)][:8]:  # warm: every kind answered once
                body = urlencode(fake.command_payload(command, text))
                await client.post("/slack/events", content=body, headers=signed_headers(verifier, body))
            await asyncio.sleep(1.5)
            sent = [Sent(kind, "") for kind, _, _ in mix]
            payloads = []
            for item, (_kind, command, text) in zip(sent, mix, strict=True):
                payload = fake.command_payload(command, text, user=f"U{random.randrange(10**8):08d}")
                item.response_url_id = payload["response_url"].rsplit("/", 1)[1]
                payloads.append(urlencode(payload))

            async def post(item: Sent, body: str) -> None:
                item.sent = time.perf_counter()
                try:
                    response = await client.post("/slack/events", content=body, headers=signed_headers(verifier, body))
                except httpx.HTTPError:
                    return
                item.acked = time.perf_counter()
                item.status = response.status_code
                item.in_ack = response.status_code == 200 and "Working on it" not in response.text
                if item.in_ack:
                    item.answered = item.acked

            stop = asyncio.Event()
            health: list[float] = []
            poller = asyncio.create_task(poll_health(health_client, stop, health))
            edited = root / "deals" / "deal-0" / "topics" / "topic-0-0.md"
            original = edited.read_text()
            edited.write_text(original.replace("\n---\n", f"\nreview_every: 30d\n---\nEdited {time.time()}.\n", 1))
            burst_start = time.perf_counter()
            try:
                await asyncio.gather(*(post(item, body) for item, body in zip(sent, payloads, strict=True)))
                deadline = burst_start + GIVE_UP
                while time.perf_counter() < deadline:
                    waiting = [s for s in sent if s.answered is None and s.acked is not None]
                    for s in waiting:
                        if s.response_url_id in answers.at:
                            s.answered = answers.at[s.response_url_id]
                    if not [s for s in waiting if s.answered is None]:
                        break
                    answers.arrived.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(answers.arrived.wait(), 1)
            finally:
                stop.set()
                await poller
                edited.write_text(original)
            status = (await health_client.get("/status")).json()
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGTERM)
        out, _ = await server.communicate()
        await fake.close()
        shutil.rmtree(state, ignore_errors=True)
    counts = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {}
    report(args, sizes, sent, burst_start, health, counts, ready, status)


def report(
    args: argparse.Namespace,
    sizes: dict[str, int],
    sent: list[Sent],
    start: float,
    health: list[float],
    counts: dict[str, Any],
    ready: float,
    status: dict[str, Any],
) -> None:
    acks = [s.acked - s.sent for s in sent if s.acked is not None]
    answered = [s.answered - start for s in sent if s.answered is not None]
    print(
        f"Burst: {len(sent):,} concurrent signed slash commands, Slack HTTP mode, right after a one-file edit; "
        f"store of {args.documents:,} documents ({sizes}); bot ready after {ready:.1f} s; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print("mix: " + ", ".join(f"{kind} {sum(1 for s in sent if s.kind == kind)}" for kind in MIX))
    print(f"{'':24}{'count':>8}{'p50 s':>9}{'p99 s':>9}{'max s':>9}")
    rows = [
        (f"acked <= {ACK_GOAL:g} s", sum(1 for a in acks if a <= ACK_GOAL), acks),
        (f"answered <= {ANSWER_GOAL:g} s", sum(1 for a in answered if a <= ANSWER_GOAL), answered),
    ]
    for label, count, samples in rows:
        print(
            f"{label:<24}{count:>8}{percentile(samples, 0.5):>9.2f}{percentile(samples, 0.99):>9.2f}"
            f"{max(samples, default=float('nan')):>9.2f}"
        )
    print(f"{'answered in the ack':<24}{sum(1 for s in sent if s.in_ack):>8}")
    print(f"{'not answered':<24}{sum(1 for s in sent if s.answered is None):>8}")
    print(f"{'HTTP statuses':<24}{dict(sorted(_tally(str(s.status) for s in sent).items()))}")
    for kind in MIX:
        mine = [s.answered - start for s in sent if s.kind == kind and s.answered is not None]
        print(
            f"  answered {kind:<16}{len(mine):>6}  p50 {percentile(mine, 0.5):6.2f} s  "
            f"max {max(mine, default=0):6.2f} s"
        )
    finite = [h for h in health if h != float("inf")]
    print(
        f"health: {len(health)} polls, worst {max(finite, default=float('nan')) * 1000:.0f} ms, "
        f"p50 {percentile(finite, 0.5) * 1000:.1f} ms, failed {len(health) - len(finite)}"
    )
    print(
        f"scheduler: {counts.get('errors', '?')} errors {counts.get('first', [])}, "
        f"{counts.get('skipped', '?')} re-reads skipped or late (apscheduler); "
        f"store reloads {status.get('reloads', '?')} (loaded at {status.get('loaded_at', '?')})"
    )


def _tally(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000, help="synthetic store size (10000 to iterate)")
    parser.add_argument("--commands", type=int, default=1000, help="commands in the burst, all in flight at once")
    parser.add_argument("--subscriptions", type=int, default=20, help="config subscriptions the scheduler re-reads")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # internal: the bot's process, its options as JSON
    args = parser.parse_args(argv)
    if args.serve:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(json.loads(args.serve)))
        return
    asyncio.run(burst(args))


if __name__ == "__main__":
    main()
