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
a file name for a cProfile of the bot's process (its main thread, start-up included), or ``BURST_PY_SPY`` for
py-spy's samples of every thread of it during the burst alone (raw, or speedscope's JSON for a name ending in
.json). Both processes share the machine's cores; the load average is printed. An ack counts only when it is an
HTTP answer: a connection closed without one shows as status 0.
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


class _GcPauses:
    """Each cyclic garbage collection of 1 ms or more: (wall-clock start, generation, seconds). Every thread stops
    while one runs, the main loop included."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, int, float]] = []
        self._started = (0.0, 0.0)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = (time.time(), time.perf_counter())
        else:
            took = time.perf_counter() - self._started[1]
            if took >= 0.001:
                self.pauses.append((self._started[0], info["generation"], took))


async def serve(options: dict[str, Any]) -> None:
    """Briefbot as ``briefbot run`` starts it; on SIGTERM it stops and prints its scheduler counts as JSON."""
    from bot.app import App
    from bot.config import HttpConfig, SchedulerOptions, Settings, SlackConfig, SubscriptionConfig
    from bot.credentials import Secrets

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    counter = _Count()
    logging.getLogger().addHandler(counter)
    import gc

    pauses = _GcPauses()
    gc.callbacks.append(pauses)
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
        counts = {"errors": counter.errors, "skipped": counter.skipped, "first": counter.first}
        print(json.dumps({**counts, "gc": pauses.pauses}))


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


class TimedSlack(FakeSlack):
    def __init__(self, answers: Answers) -> None:
        super().__init__()
        self.answers = answers

    async def _respond(self, request: web.Request) -> web.Response:
        at = self.answers.at.setdefault(request.match_info["id"], time.time())
        print(json.dumps([request.match_info["id"], at]), flush=True)  # to the load generator, as it happens
        return await super()._respond(request)  # type: ignore[misc]


async def fake_slack_process() -> None:
    """The fake Slack in a process of its own (its loop must not share the load generator's): prints its API URL,
    serves until stdin closes, then prints when each ``response_url`` answer arrived (wall-clock seconds)."""
    answers = Answers()
    fake = await TimedSlack(answers).start()
    print(json.dumps({"api_url": fake.api_url, "base_url": fake.base_url}), flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await fake.close()


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


async def poll_health(
    client: httpx.AsyncClient, stop: asyncio.Event, latencies: list[tuple[float, float]], failures: list[str]
) -> None:
    """One ``/healthz`` every 100 ms (after the previous answer): a stalled one shows as its latency, a failed one
    as infinity, with what it said in ``failures``."""
    while not stop.is_set():
        start = time.time()
        try:
            response = await client.get("/healthz", timeout=60)
            ok = response.status_code == 200
            if not ok:
                down = {k: v for k, v in response.json().get("parts", {}).items() if v.get("state") != "ok"}
                failures.append(f"{response.status_code} {down}")
        except (httpx.HTTPError, ValueError) as exc:
            ok = False
            failures.append(f"{type(exc).__name__}: {exc}")
        latencies.append((start, time.time() - start if ok else float("inf")))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.1)


async def burst(args: argparse.Namespace) -> None:
    root, sizes = store_for(args.documents)
    mix = commands(args.commands, sizes)
    fake_process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.burst", "--fake", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert fake_process.stdout is not None
    fake_urls = json.loads(await fake_process.stdout.readline())
    arrived: dict[str, float] = {}
    listening = asyncio.create_task(_arrivals(fake_process.stdout, arrived))
    fake = FakeSlack()  # only to make payloads: its response_url points at the fake Slack's process
    fake.port = int(fake_urls["base_url"].rsplit(":", 1)[1])
    port = free_port()
    state = tempfile.mkdtemp(prefix="briefbot-burst-")
    options = {
        "store": str(root),
        "state": state,
        "port": port,
        "api_url": fake_urls["api_url"],
        "subscriptions": args.subscriptions,
        "deals": sizes["deals"],
    }
    started = time.time()
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
            ready = time.time() - started
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
                # raw HTTP/1.1 on a connection of its own, as Slack sends: the load generator must cost next to
                # nothing, or the acks would measure its own queue (an httpx client took seconds for 1,000)
                item.sent = time.time()
                head = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(verifier, body).items())
                request = (
                    f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}"
                    f"Content-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n{body}"
                ).encode()
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(request)
                    response = await asyncio.wait_for(reader.read(), GIVE_UP)
                    writer.close()
                except (OSError, TimeoutError):
                    return
                item.acked = time.time()
                if not response:  # closed without an answer: not an ack
                    item.status = 0
                    return
                status_line, _, rest = response.partition(b"\r\n")
                item.status = int(status_line.split()[1]) if status_line else 0
                item.in_ack = item.status == 200 and b"Working on it" not in rest
                if item.in_ack:
                    item.answered = item.acked

            stop = asyncio.Event()
            health: list[tuple[float, float]] = []  # (when asked, how long the answer took)
            health_failures: list[str] = []
            poller = asyncio.create_task(poll_health(health_client, stop, health, health_failures))
            overflows = _listen_overflows()
            edited = root / "deals" / "deal-0" / "topics" / "topic-0-0.md"
            original = edited.read_text()
            edited.write_text(original.replace("\n---\n", f"\nreview_every: 30d\n---\nEdited {time.time()}.\n", 1))
            burst_start = time.time()
            spy = await _py_spy(server.pid)
            try:
                await asyncio.gather(*(post(item, body) for item, body in zip(sent, payloads, strict=True)))
                # then every answer sent through a response_url, or GIVE_UP
                pending = {s.response_url_id for s in sent if s.acked is not None and not s.in_ack}
                while (  # noqa: ASYNC110 (the arrivals come from another process)
                    time.time() < burst_start + GIVE_UP and not pending <= arrived.keys()
                ):
                    await asyncio.sleep(0.5)
            finally:
                stop.set()
                await poller
                edited.write_text(original)
                if spy is not None:
                    spy.send_signal(signal.SIGINT)  # py-spy writes its samples when interrupted
                    await spy.wait()
            status = (await health_client.get("/status")).json()
            status["listen_overflows"] = _listen_overflows() - overflows
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGTERM)
        out, _ = await server.communicate()
        assert fake_process.stdin is not None
        fake_process.stdin.close()  # the fake Slack's process stops when its stdin closes
        await fake_process.wait()
        listening.cancel()
        for item in sent:
            if item.answered is None and item.response_url_id in arrived:
                item.answered = arrived[item.response_url_id]
        shutil.rmtree(state, ignore_errors=True)
    counts = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {}
    report(args, sizes, sent, burst_start, health, counts, ready, status)
    for failure in health_failures:
        print(f"  /healthz failed: {failure[:300]}")


def report(
    args: argparse.Namespace,
    sizes: dict[str, int],
    sent: list[Sent],
    start: float,
    health: list[tuple[float, float]],
    counts: dict[str, Any],
    ready: float,
    status: dict[str, Any],
) -> None:
    acks = [s.acked - s.sent for s in sent if s.acked is not None and s.status]
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
    last = max((s.answered for s in sent if s.answered is not None), default=start)
    slowest = max(((took, at) for at, took in health if took != float("inf")), default=None)
    if slowest is not None:
        print(f"slowest /healthz: {slowest[0] * 1000:.0f} ms, asked {slowest[1] - start:+.1f} s after the burst began")
    for label, polls in (
        ("during the burst", [h for at, h in health if at <= last]),
        ("whole run", [h for _, h in health]),
    ):
        finite = [h for h in polls if h != float("inf")]
        print(
            f"health {label}: {len(polls)} polls, worst {max(finite, default=float('nan')) * 1000:.0f} ms, "
            f"p50 {percentile(finite, 0.5) * 1000:.1f} ms, failed {len(polls) - len(finite)}"
        )
    print(f"listen queue overflows (the whole machine's): {status.get('listen_overflows', '?')}")
    during = [(gen, took) for at, gen, took in counts.get("gc", []) if start <= at <= last]
    for gen in (0, 1, 2):
        mine = [took for g, took in during if g == gen]
        print(
            f"gc pauses >= 1 ms during the burst, generation {gen}: {len(mine)}, "
            f"total {sum(mine) * 1000:.0f} ms, longest {max(mine, default=0) * 1000:.0f} ms"
        )
    print(
        f"scheduler: {counts.get('errors', '?')} errors {counts.get('first', [])}, "
        f"{counts.get('skipped', '?')} re-reads skipped or late (apscheduler); "
        f"store reloads {status.get('reloads', '?')} (loaded at {status.get('loaded_at', '?')})"
    )


def _listen_overflows() -> int:
    """Connections the kernel dropped because a listen queue was full (Linux; -1 elsewhere), machine-wide."""
    try:
        head, values = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()[:2]]
        return int(dict(zip(head, values, strict=True))["ListenOverflows"])
    except (OSError, ValueError, KeyError):
        return -1


async def _py_spy(pid: int) -> asyncio.subprocess.Process | None:
    """With ``BURST_PY_SPY`` set, py-spy (next to this Python) sampling every thread of the bot from now on."""
    out = os.environ.get("BURST_PY_SPY")
    if not out:
        return None
    spy = str(Path(sys.executable).with_name("py-spy"))
    # not pausing the bot for each sample (py-spy's default pauses every thread: a burst ran four times slower);
    # idle samples kept, so that each thread's samples are in time order at the rate, for a timeline
    args = ["record", "--pid", str(pid), "--threads", "--idle", "--nonblocking", "--rate", "100"]
    args += ["--format", "speedscope" if out.endswith(".json") else "raw", "-o", out]
    return await asyncio.create_subprocess_exec(spy, *args, stdout=asyncio.subprocess.DEVNULL)


async def _arrivals(stream: asyncio.StreamReader, arrived: dict[str, float]) -> None:
    """The fake Slack's process says when each response_url answer arrived, one JSON line each."""
    async for line in stream:
        with contextlib.suppress(ValueError):
            key, at = json.loads(line)
            arrived[key] = at


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
    parser.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)  # internal: the fake Slack's process
    args = parser.parse_args(argv)
    if args.fake:
        asyncio.run(fake_slack_process())
        return
    if args.serve:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(json.loads(args.serve)))
        return
    asyncio.run(burst(args))


if __name__ == "__main__":
    main()
