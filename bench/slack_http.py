"""Slack HTTP mode under load: signed `/status tariffs` requests through the real bolt app on the app's own
aiohttp server, over loopback, against the loopback fake Slack. Prints latency and throughput.

    python -m bench.slack_http [--requests 2000] [--concurrency 16]

The load client is Python too and shares the two cores, so the throughput is a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bench.slack_server import signed_headers, slack_http_bot

SECRET = "bench-signing-secret"


async def main(requests: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with slack_http_bot(Path(tmp), SECRET) as server:
            body = urlencode(server.fake.command_payload("/status", "tariffs"))
            verifier = SignatureVerifier(SECRET)
            latencies: list[float] = []
            statuses: dict[int, int] = {}

            async def worker(client: httpx.AsyncClient, count: int) -> None:
                for _ in range(count):
                    headers = signed_headers(verifier, body)
                    start = time.perf_counter()
                    response = await client.post("/slack/events", content=body, headers=headers)
                    latencies.append((time.perf_counter() - start) * 1000)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

            limits = httpx.Limits(max_connections=concurrency)
            async with httpx.AsyncClient(base_url=server.base_url, limits=limits) as client:
                await worker(client, 20)  # warm up (bolt's first auth.test, caches)
                latencies.clear()
                statuses.clear()
                start = time.perf_counter()
                await asyncio.gather(*(worker(client, requests // concurrency) for _ in range(concurrency)))
                elapsed = time.perf_counter() - start
    latencies.sort()
    print(f"{len(latencies)} signed /status tariffs requests, concurrency {concurrency}, statuses {statuses}")
    print(
        f"p50 {statistics.median(latencies):.2f} ms  p95 {latencies[int(len(latencies) * 0.95)]:.2f} ms  "
        f"p99 {latencies[int(len(latencies) * 0.99)]:.2f} ms  throughput {len(latencies) / elapsed:,.0f} req/s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
