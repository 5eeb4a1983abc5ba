"""Slack HTTP mode beside its floor (issue 22, item 4): Briefbot answering `/status tariffs` (A) against a bare
slack-bolt AsyncApp whose `/status` acks a fixed text (B). Both use bolt's aiohttp adapter, the same signing secret
and the same loopback fake Slack; one httpx load generator sends signed slash-command POSTs to each in turn,
A, B, A, B, ..., each round bounded by a request count and a time limit. Prints each side's median over rounds of
requests/s, p50, p99 and the server's CPU time per request, and the ratio A/B (goal: throughput ≥ 0.8x, so
latency ≤ 1.25x), then what the fake Slack was asked over the run (the answers ride in the ack: nothing per request).

    python -m bench.slack_vs_bolt [--rounds 4] [--requests 1500] [--seconds 5] [--concurrency 1,4]

Both servers (and the fake Slack) run in one child process on one event loop; the load generator runs in this
process. Both share the machine's cores, so each side's throughput is a floor; the ratio is the figure to read.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import PIPE
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from math import nan
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bench.slack_server import signed_headers, slack_http_bot
from tests.fakes.slack_api import FakeSlack

SECRET = "bench-signing-secret"
PATH = "/slack/events"
FIXED_TEXT = "Tariffs: status fixed for the benchmark."


@asynccontextmanager
async def bare_bolt(fake: FakeSlack) -> AsyncIterator[str]:
    """The floor: a bolt AsyncApp with one `/status` listener acking a fixed text, served by bolt's own aiohttp
    adapter (``AsyncApp.web_app``) on loopback; returns its base URL."""
    bolt = AsyncApp(
        client=AsyncWebClient(token="xoxb-bench", base_url=f"{fake.api_url.rstrip('/')}/"),
        signing_secret=SECRET,
        process_before_response=True,  # as Briefbot: the answer rides in the ack
    )

    @bolt.command("/status")
    async def status(ack: AsyncAck) -> None:
        await ack(text=FIXED_TEXT, response_type="ephemeral")

    runner = web.AppRunner(bolt.web_app(path=PATH))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user and system) the process ``pid`` has used, where /proc tells; None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    base_url: str, body: str, requests: int, seconds: float, concurrency: int, server: int | None = None
) -> dict[str, Any]:
    """One round: ``concurrency`` workers post signed commands until ``requests`` are sent or ``seconds`` pass.
    With the ``server`` process id, also the server's CPU time per request: the work one answer costs, which
    other load on the machine hardly changes (unlike requests/s and latency)."""
    verifier = SignatureVerifier(SECRET)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    remaining = requests
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            headers = signed_headers(verifier, body)
            start = time.perf_counter()
            response = await client.post(PATH, content=body, headers=headers)
            latencies.append((time.perf_counter() - start) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        cpu_before = cpu_seconds(server)
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(server)
    cpu = (cpu_after - cpu_before) / len(latencies) * 1e6 if cpu_before is not None and cpu_after is not None else nan
    return {
        "cpu": cpu,
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "count": len(latencies),
        "statuses": statuses,
    }


async def serve(limit: float) -> None:
    """The server process: both sides and the fake Slack on one event loop; prints where they listen as one JSON
    line, then serves until its stdin closes (or ``limit`` seconds pass, so it always stops by itself)."""
    with tempfile.TemporaryDirectory() as tmp:
        async with slack_http_bot(Path(tmp), SECRET) as briefbot, bare_bolt(briefbot.fake) as bolt_url:
            body = urlencode(briefbot.fake.command_payload("/status", "tariffs"))
            sides = {"Briefbot /status tariffs": (briefbot.base_url, body), "bare bolt, fixed text": (bolt_url, body)}
            print(json.dumps(sides), flush=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.to_thread(sys.stdin.read), limit)
            # What both sides asked of Slack over the whole run: the answers ride in the ack, so this stays at
            # bolt's and Briefbot's one-off start-up calls (auth.test, the user's locale), whatever the load.
            calls = Counter(call.method for call in briefbot.fake.calls)
            print(json.dumps({**calls, "response_url posts": len(briefbot.fake.responses)}), flush=True)


async def run(rounds: int, requests: int, seconds: float, concurrencies: list[int]) -> None:
    # The servers run in a child process: sharing the load generator's event loop starved a few of the bare app's
    # connections for seconds (its answers are so quick the loop rarely came back to them), a client artefact.
    limit = 60 + 2 * (rounds + 1) * seconds * len(concurrencies)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.slack_vs_bolt", "--serve", str(limit), stdin=PIPE, stdout=PIPE
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        sides: dict[str, tuple[str, str]] = {
            name: (url, body) for name, (url, body) in json.loads(await server.stdout.readline()).items()
        }
        first = await probe(sides)
        for url, body in sides.values():  # warm up: bolt's first auth.test, caches, connections
            await load(url, body, 50, seconds, max(concurrencies))
        results: dict[int, dict[str, list[dict[str, Any]]]] = {}
        for concurrency in concurrencies:
            results[concurrency] = {name: [] for name in sides}
            for index in range(rounds):
                order = list(sides) if index % 2 == 0 else list(reversed(sides))  # A,B then B,A: none always first
                for name in order:
                    url, body = sides[name]
                    results[concurrency][name].append(await load(url, body, requests, seconds, concurrency, server.pid))
    finally:
        server.stdin.close()  # the server process stops when its stdin closes, saying what Slack was asked
        slack_calls = await _last_line(server.stdout)
        try:
            await asyncio.wait_for(server.wait(), 30)
        except TimeoutError:
            server.kill()
            await server.wait()
    print(
        f"Slack HTTP mode, signed slash commands on loopback: {rounds} rounds per side, alternated, each up to "
        f"{requests} requests or {seconds:g} s; medians over rounds"
    )
    for name, answer in first.items():
        print(f"  first answer, {name}: {answer}")
    print(f"  calls to the fake Slack over the run, both sides: {slack_calls}")
    for concurrency, by_side in results.items():
        report(by_side, concurrency)


async def _last_line(stdout: asyncio.StreamReader) -> str:
    with contextlib.suppress(TimeoutError):
        return (await asyncio.wait_for(stdout.readline(), 30)).decode().strip() or "not reported"
    return "not reported"


async def probe(sides: dict[str, tuple[str, str]]) -> dict[str, str]:
    """One request each, to show both sides answer (a 200 with their text), not a fast error."""
    verifier = SignatureVerifier(SECRET)
    answers = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for name, (url, body) in sides.items():
            headers = signed_headers(verifier, body)
            response = await client.post(url + PATH, content=body, headers=headers)
            answers[name] = f"{response.status_code} {response.text[:70]!r}"
    return answers


def report(results: dict[str, list[dict[str, Any]]], concurrency: int) -> None:
    medians: dict[str, dict[str, float]] = {}
    print(
        f"\n{'concurrency ' + str(concurrency):<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu µs':>9}{'requests':>10}"
        "  statuses"
    )
    for name, runs in results.items():
        medians[name] = {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50", "p99", "cpu")}
        statuses: dict[int, int] = {}
        for r in runs:
            for code, n in r["statuses"].items():
                statuses[code] = statuses.get(code, 0) + n
        m = medians[name]
        total = sum(r["count"] for r in runs)
        print(f"{name:<26}{m['rps']:>9,.0f}{m['p50']:>9.2f}{m['p99']:>9.2f}{m['cpu']:>9,.0f}{total:>10}  {statuses}")
    a, b = medians.values()
    print(
        f"{'ratio A/B':<26}{a['rps'] / b['rps']:>8.2f}x{a['p50'] / b['p50']:>8.2f}x{a['p99'] / b['p99']:>8.2f}x"
        f"{a['cpu'] / b['cpu']:>8.2f}x  (goal: req/s >= 0.8x, latency <= 1.25x; cpu: server CPU per request)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="rounds per side and concurrency, alternated")
    parser.add_argument("--requests", type=int, default=1500, help="most requests in one round")
    parser.add_argument("--seconds", type=float, default=5.0, help="longest round")
    parser.add_argument("--concurrency", default="1,4", help="requests in flight; a list runs each in turn")
    parser.add_argument("--serve", type=float, help=argparse.SUPPRESS)  # internal: the server process, its limit
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve))
        return
    asyncio.run(run(args.rounds, args.requests, args.seconds, [int(c) for c in args.concurrency.split(",")]))


if __name__ == "__main__":
    main()
