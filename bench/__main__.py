"""Hot-path figures at 10,000 documents: load, index, lookup, command round trip, render, search.

python -m bench [--documents N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import write_synthetic_store
from bot.context import Context
from bot.render_text import render_text
from bot.router import Router
from bot.store import load_store
from bot.store.index import EntityKind
from handlers import CORE_COMMANDS


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shape = write_synthetic_store(root, args.documents)
        start = time.perf_counter()
        store = load_store(root)
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        index = store.index
        index_s = time.perf_counter() - start
        start = time.perf_counter()
        search = store.search_index
        search_build_s = time.perf_counter() - start
        print(f"store: {len(store.documents):,} documents {shape}, {len(store.problems)} problems")
        print(f"load (read+parse+validate+crosscheck): {load_s * 1000:,.0f} ms")
        print(f"lookup index build: {index_s * 1000:,.0f} ms; full-text index build: {search_build_s * 1000:,.0f} ms")

        for label, kind, query, deal in [
            ("lookup exact topic id", EntityKind.TOPIC, "topic-3-17", "deal-3"),
            ("lookup exact person alias", EntityKind.PERSON, "p42x", None),
            ("lookup prefix person", EntityKind.PERSON, "person 12", None),
            ("lookup typo person", EntityKind.PERSON, "persn 1234 exmple", None),
            ("lookup typo topic in deal", EntityKind.TOPIC, "topc 3 17", "deal-3"),
        ]:
            med, p95 = timed(lambda k=kind, q=query, d=deal: index.lookup(k, q, deal_id=d), args.repeat)
            print(f"{label:32} median {med:7.3f} ms  p95 {p95:7.3f} ms")
        for label, prefix in [("autocomplete topic 'to'", "to"), ("autocomplete topic 'topc 3 1'", "topc 3 1")]:
            med, p95 = timed(lambda p=prefix: index.suggest(EntityKind.TOPIC, p, deal_id="deal-3"), args.repeat)
            print(f"{label:32} median {med:7.3f} ms  p95 {p95:7.3f} ms")
        med, p95 = timed(lambda: index.lookup(EntityKind.PERSON, "perso"), args.repeat)
        print(f"{'lookup prefix (ambiguous)':32} median {med:7.3f} ms  p95 {p95:7.3f} ms")
        med, p95 = timed(lambda: search.search("dairy quota"), args.repeat)
        print(f"{'search two words':32} median {med:7.3f} ms  p95 {p95:7.3f} ms")

        router = Router(CORE_COMMANDS)
        ctx = Context(store=store, today=dt.date(2025, 5, 2), default_deal="deal-3", specs=router.specs)
        loop = asyncio.new_event_loop()
        for text in ("/status topic-3-17", "/who p42x", "/deal", "/timeline", "/brief"):
            med, p95 = timed(lambda t=text: loop.run_until_complete(router.handle_text(t, ctx)), args.repeat // 4)
            print(f"{'command ' + text:32} median {med:7.3f} ms  p95 {p95:7.3f} ms")
        reply = loop.run_until_complete(router.handle_text("/status topic-3-17", ctx))
        med, p95 = timed(lambda: render_text(reply), args.repeat)
        print(f"{'render plain /status':32} median {med:7.3f} ms  p95 {p95:7.3f} ms")
        loop.close()


if __name__ == "__main__":
    main()
