"""One table of Briefbot's figures at several store sizes, each beside its floor or goal, with the ratio.

python -m bench.table [--sizes 1000,10000] [--repeat 300] [--watch] [--slack] [--fanout] [--startup] [--chaos 20]

Each size runs in a fresh process (so its RSS is its own): a synthetic store (``bench.generate``) is written,
then measured in one run. ``--slack`` adds Slack HTTP mode beside bare bolt (``bench.slack_vs_bolt``),
``--fanout`` the morning's fan-out to 500 channels (``bench.fanout``), ``--startup`` one-shot commands' wall
time (``bench.cli_startup``), ``--chaos N`` lost and duplicated posts over N chaos trials (``bench.chaos``).
Read ``bench/README.md`` for what each row means. Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.generate import write_synthetic_store
from bench.table_extra import chaos_rows, fanout_rows, slack_rows, startup_rows

try:
    from yaml import CSafeLoader as FloorLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as FloorLoader  # type: ignore[assignment]

DEAL = "deal-1"
TOPIC = "topic-1-17"
TOPIC_FILE = f"deals/{DEAL}/topics/{TOPIC}.md"
COMMANDS = {  # what a user types, in-process through the router (parse, lookup, compose the reply)
    "exact": f"/status {TOPIC} deal:{DEAL}",
    "alias": "/who p42x",
    "typo": "/who persn 42 exmple",
    "search": "/search dairy quota",
    "/brief": f"/brief {DEAL}",
}
LOOKUPS = {  # the index alone: exact and prefix should stay flat as the store grows
    "lookup exact": ("person", "p42x"),
    "lookup prefix": ("person", "person 42 exa"),
    "lookup typo": ("person", "persn 42 exmple"),
}
LOOKUP_GOAL_MS = 1.0  # at 10k documents
RELOAD_GOAL_MS = {10_000: 20.0, 100_000: 50.0}
STARTUP_GOAL_S = 15.0  # at 100k documents (issue 22)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def floor_load(root: Path, paths: list[str]) -> None:
    """The floor: read every file and load its YAML with libyaml's safe loader, nothing else."""
    for relative in paths:
        text = (root / relative).read_bytes().decode("utf-8")
        if relative.endswith(".md"):
            text = text.split("\n---\n", 1)[0].removeprefix("---\n")
        yaml.load(text, Loader=FloorLoader)


_RESTART = """
import json, sys, time
from pathlib import Path
from bot.store.live import LiveStore
start = time.perf_counter()
live = LiveStore(Path(sys.argv[1]))
print(json.dumps([time.perf_counter() - start, live.last_read.reused]))
"""


def measure(documents: int, repeat: int, watch: bool, rounds: int = 3) -> dict[str, Any]:
    from bot.context import Context
    from bot.router import Router
    from bot.store.index import EntityKind
    from bot.store.live import LiveStore
    from bot.store.load import discover
    from bot.store.pool import workers_for
    from handlers import CORE_COMMANDS

    out: dict[str, Any] = {"documents": documents}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_synthetic_store(root, documents)
        paths, _ = discover(root)
        out["files"] = len(paths)

        # cold load against the floor, A/B alternated, medians; each cold load starts with no parsed files kept
        cache = Path(tmp + "-parsed")
        os.environ["BRIEFBOT_CACHE_DIR"] = str(cache)
        loads, floors = [], []
        live: LiveStore | None = None
        for _ in range(rounds):
            start = time.perf_counter()
            floor_load(root, paths)
            floors.append(time.perf_counter() - start)
            live = None
            shutil.rmtree(cache, ignore_errors=True)
            start = time.perf_counter()
            live = LiveStore(root)  # read, validate, cross-check, lookup and full-text indexes
            loads.append(time.perf_counter() - start)
        assert live is not None
        out["load_s"] = statistics.median(loads)
        out["floor_s"] = statistics.median(floors)
        # a restart: the same files, their parses kept by the last load (bot.store.parse_cache), in a fresh process
        # as a restarted bot's (one that has loaded before reuses its memory and has every module imported)
        out["restart_s"], out["restart_reused"] = json.loads(
            subprocess.run([sys.executable, "-c", _RESTART, str(root)], check=True, capture_output=True).stdout
        )
        shutil.rmtree(cache, ignore_errors=True)
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["worker_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest one
        out["workers"] = workers_for(len(paths))

        store = live.current
        router = Router(CORE_COMMANDS)
        loop = asyncio.new_event_loop()

        def ask(text: str) -> str:
            ctx = Context(store=live.current, today=dt.date(2025, 5, 2), default_deal=DEAL, specs=router.specs)
            return loop.run_until_complete(router.handle_text(text, ctx)).title

        for label, text in COMMANDS.items():
            ask(text)
            samples = timed_ms(lambda t=text: ask(t), repeat)  # type: ignore[misc]
            out[f"p99 {label}"] = percentile(samples, 0.99)
            out[f"p50 {label}"] = statistics.median(samples)
        index = store.index
        for label, (kind, query) in LOOKUPS.items():
            samples = timed_ms(lambda k=kind, q=query: index.lookup(EntityKind(k), q), repeat)  # type: ignore[misc]
            out[f"p99 {label}"] = percentile(samples, 0.99)

        # one file saved: from the write to the new answer
        original = (root / TOPIC_FILE).read_text()
        reloads = []
        for i in range(10):
            marker = f"Reload marker {i}."
            start = time.perf_counter()
            (root / TOPIC_FILE).write_text(original.replace("summary: ", f"summary: {marker} ", 1))
            live.apply([TOPIC_FILE])
            assert marker in _summary(live)
            reloads.append((time.perf_counter() - start) * 1000)
        out["reload_ms"] = statistics.median(reloads)
        out["reload_p99_ms"] = max(reloads)
        if watch:
            out["reload_watch_ms"] = loop.run_until_complete(_watched_reload(live, root, original, 150))
            out["reload_watch_fast_ms"] = loop.run_until_complete(_watched_reload(live, root, original, 10))
        loop.close()
    return out


def _summary(live: Any) -> str:
    topic = live.current.topic(DEAL, TOPIC)
    return str(topic.topic.summary) if topic else ""


async def _watched_reload(live: Any, root: Path, original: str, debounce_ms: int) -> float:
    """From the write to the new answer through the file watcher, median of 5."""
    from bot.store.reloader import StoreWatcher

    watcher = StoreWatcher(live, debounce_ms=debounce_ms)
    loop = asyncio.get_running_loop()
    swapped = asyncio.Event()
    live.on_reload = lambda seconds, full: loop.call_soon_threadsafe(swapped.set)  # after each swap
    task = asyncio.create_task(watcher.run())
    await watcher.ready.wait()
    await asyncio.sleep(0.5)  # the watcher's first scan
    samples = []
    try:
        for i in range(5):
            marker = f"Watched marker {i}."
            start = time.perf_counter()
            (root / TOPIC_FILE).write_text(original.replace("summary: ", f"summary: {marker} ", 1))
            while marker not in _summary(live):
                await swapped.wait()
                swapped.clear()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        await watcher.stop()
        task.cancel()
    return statistics.median(samples)


def rows(figures: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """(what, size, Briefbot, floor or goal, ratio)"""
    out = []
    for f in figures:
        n = f"{f['documents']:,}"
        workers = f.get("workers", 0)
        out.append(
            (
                f"cold load (s), {f'pool of {workers}' if workers else 'in-process'}",
                n,
                f"{f['load_s']:.2f}",
                f"{f['floor_s']:.2f} floor, 1 process",
                f"{f['load_s'] / f['floor_s']:.2f}x (goal <= 1.5x)",
            )
        )
        if f.get("restart_reused"):
            reused = f"{f['restart_reused']:,} files' parses reused"
            out.append(("restart, same files (s)", n, f"{f['restart_s']:.2f}", reused, ""))
        if f["documents"] >= 100_000:
            for label, key in (("start-up, first (s)", "load_s"), ("start-up, restart (s)", "restart_s")):
                ratio = f"{f[key] / STARTUP_GOAL_S:.2f}x of goal"
                out.append((label, n, f"{f[key]:.2f}", f"goal {STARTUP_GOAL_S:g}", ratio))
        out.append(("peak RSS (MB)", n, f"{f['rss_mb']:.0f}", "goal 1024 at 100k", ""))
        if workers:
            out.append(("peak RSS, largest worker (MB)", n, f"{f.get('worker_rss_mb', 0):.0f}", "", ""))
        for label in COMMANDS:
            out.append((f"answer p99 {label} (ms)", n, f"{f[f'p99 {label}']:.2f}", f"p50 {f[f'p50 {label}']:.2f}", ""))
        for label in LOOKUPS:
            ratio = f"{f[f'p99 {label}'] / LOOKUP_GOAL_MS:.2f}x of goal" if f["documents"] == 10_000 else ""
            out.append((f"{label} p99 (ms)", n, f"{f[f'p99 {label}']:.3f}", f"goal {LOOKUP_GOAL_MS:g} at 10k", ratio))
        goal = RELOAD_GOAL_MS.get(f["documents"])
        out.append(
            (
                "one-file reload, no debounce (ms)",
                n,
                f"{f['reload_ms']:.1f} (max {f['reload_p99_ms']:.1f})",
                f"goal {goal:g}" if goal else "",
                f"{f['reload_ms'] / goal:.2f}x of goal" if goal else "",
            )
        )
        if "reload_watch_ms" in f:
            out.append(("one-file reload, watcher (ms)", n, f"{f['reload_watch_ms']:.0f}", "150 ms debounce", ""))
            fast = f"{f['reload_watch_fast_ms']:.0f}"
            out.append(("one-file reload, watcher (ms)", n, fast, "10 ms debounce", ""))
    return out


def print_table(table: list[tuple[str, str, str, str, str]]) -> None:
    header = ("measure", "size", "Briefbot", "floor / goal", "ratio")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(5)]
    for row in [header, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated document counts")
    parser.add_argument("--repeat", type=int, default=300, help="samples per answer figure")
    parser.add_argument("--watch", action="store_true", help="also time a reload through the file watcher")
    parser.add_argument("--loads", type=int, default=3, help="cold loads (each beside a floor load) per size")
    parser.add_argument("--slack", action="store_true", help="add Slack HTTP mode beside bare bolt")
    parser.add_argument("--slack-rounds", type=int, default=4, help="alternated rounds per side (--slack)")
    parser.add_argument("--slack-concurrency", default="1,4", help="requests in flight, each a row (--slack)")
    parser.add_argument("--fanout", action="store_true", help="add the fan-out of briefings due the same minute")
    parser.add_argument("--channels", type=int, default=500, help="channels in the fan-out (--fanout)")
    parser.add_argument("--postgres", action="store_true", help="fan-out state on PostgreSQL, not SQLite")
    parser.add_argument("--startup", action="store_true", help="add one-shot `briefbot ask`/`check` wall time")
    parser.add_argument("--chaos", type=int, default=0, metavar="TRIALS", help="add the chaos run, this many trials")
    parser.add_argument("--no-pool", action="store_true", help="read and index every store in-process")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size, JSON out
    args = parser.parse_args()
    if args.one:
        if args.no_pool:
            from bot.store import pool, search

            pool.POOL_FROM = search.TOKENISE_FROM = sys.maxsize
        print(json.dumps(measure(args.one, args.repeat, args.watch, args.loads)))
        return
    figures = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, "-m", "bench.table", "--one", str(size), "--repeat", str(args.repeat)]
        command += ["--loads", str(args.loads)] + (["--no-pool"] if args.no_pool else [])
        started = time.perf_counter()
        command += ["--watch"] if args.watch else []
        result = subprocess.run(command, check=False, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{size:,} documents failed:\n{result.stderr[-2000:]}", file=sys.stderr)
            continue
        figures.append(json.loads(result.stdout.strip().splitlines()[-1]))
        print(f"measured {size:,} documents in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    table = rows(figures)
    if args.slack:
        started = time.perf_counter()
        table += slack_rows(args.slack_rounds, 5.0, args.slack_concurrency)
        print(f"measured Slack HTTP beside bare bolt in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.fanout:
        started = time.perf_counter()
        table += fanout_rows(args.channels, args.postgres)
        print(f"measured the fan-out in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.startup:
        table += startup_rows(10)
    if args.chaos:
        table += chaos_rows(args.chaos)
    print_table(table)


if __name__ == "__main__":
    main()
