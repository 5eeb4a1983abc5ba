"""How long the whole bot takes to start: from ``briefbot run`` to ``/healthz`` answering ``ok``.

python -m bench.bot_ready [--documents 100000] [--rounds 2]

Each round starts the bot twice on the same synthetic store (``bench.generate``, kept in
``/tmp/briefbot-burst-stores/<documents>`` as ``bench.burst`` keeps it): a **first start** with an empty cache
folder, then a **restart** with the parsed files the first start kept (``bot/store/parse_cache.py``). Each is the
bot's own process (imports, the store, the state database, the HTTP server), with no chat platform, stopped with
Ctrl-C once ready. Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.burst import free_port, store_for

STARTUP_GOAL_S = 15.0  # at 100k documents (issue 22)


def ready_after(store: Path, cache: Path, scratch: Path, limit: float = 300.0) -> float:
    """Seconds from starting ``briefbot run`` until its ``/healthz`` says ``ok``."""
    port = free_port()
    env = dict(
        os.environ,
        BRIEFBOT_STORE=str(store),
        BRIEFBOT_CACHE_DIR=str(cache),
        BRIEFBOT_HTTP__HOST="127.0.0.1",
        BRIEFBOT_HTTP__PORT=str(port),
        BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{scratch}/state-{port}.db",
    )
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_TOKEN"):  # never a real platform
        env.pop(name, None)
    started = time.perf_counter()
    bot = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli_entry import main; main()", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
            while time.perf_counter() - started < limit:
                if bot.poll() is not None:
                    raise SystemExit(f"the bot exited with {bot.returncode} before it was ready")
                try:
                    if client.get("/healthz").json().get("status") == "ok":
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        raise SystemExit(f"the bot was not ready within {limit:g} s")
    finally:
        bot.send_signal(signal.SIGINT)
        try:
            bot.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2, help="first start and restart, alternated, this many times")
    args = parser.parse_args()
    store, _ = store_for(args.documents)
    first: list[float] = []
    again: list[float] = []
    with tempfile.TemporaryDirectory(prefix="briefbot-ready-") as tmp:
        scratch, cache = Path(tmp), Path(tmp) / "cache"
        for _ in range(args.rounds):
            shutil.rmtree(cache, ignore_errors=True)
            first.append(ready_after(store, cache, scratch))
            again.append(ready_after(store, cache, scratch))
    print(f"briefbot run until /healthz ok, {args.documents:,} documents, {args.rounds} round(s):")
    for label, samples in (("first start", first), ("restart", again)):
        shown = ", ".join(f"{s:.2f}" for s in samples)
        ratio = f"{statistics.median(samples) / STARTUP_GOAL_S:.2f}x of the {STARTUP_GOAL_S:g} s goal"
        print(f"  {label:12} median {statistics.median(samples):6.2f} s  ({shown})  {ratio}")


if __name__ == "__main__":
    main()
