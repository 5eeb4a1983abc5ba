"""A fuzz run over every entry point: N generated inputs each, counting crashes. Prints figures, asserts nothing.

    python -m bench.fuzz [--n 10000]

A crash is an exception out of an entry point, an internal-error reply from the router, or a log record at
error level (the router turns exceptions into polite replies, so those would otherwise pass unnoticed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.commands import parse
from bot.config import BUNDLED_STORE
from bot.context import Context
from bot.errors import BriefbotError
from bot.render_text import render_text
from bot.reply import Reply, Tone
from bot.router import Router
from bot.store import load_store
from bot.store.load import read_file
from handlers import CORE_COMMANDS

FRAGMENTS = [
    "tariffs",
    "clow",
    "o'toole",
    "deal:",
    "date:",
    "since:",
    "page:",
    '"',
    "<!channel>",
    "<@U1>",
    "@everyone",
    "\u202e",
    "\u200b",
    "\x00",
    "\x1b",
    "../",
    "*",
    "_",
    "`",
    "[x](javascript:1)",
    "\U0001f4a3",
    "é",
    "2025-05-02",
    "9999-99-99",
    "canada-us",
    " ",
    "\n",
    "\\",
    "%s",
    "{0}",
    "&",
    "<",
    ">",
    "---",
    ": ",
    "- ",
    "!!python/object",
    "&a",
    "*a",
    "[",
    "]",
    "{",
    "}",
]


def random_text(rng: random.Random, limit: int = 400) -> str:
    parts = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.6:
            parts.append(rng.choice(FRAGMENTS))
        else:
            parts.append("".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 8))))
    text = "".join(parts)
    return text * rng.randint(1, 30) if rng.random() < 0.02 else text[:limit]


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def run(name: str, n: int, one: Callable[[int], None]) -> None:
    counter = ErrorCounter()
    logging.getLogger().addHandler(counter)
    crashes = 0
    start = time.perf_counter()
    for i in range(n):
        try:
            one(i)
        except Exception as exc:  # counting them is the point
            crashes += 1
            if crashes <= 3:
                print(f"  {name}: {type(exc).__name__}: {exc}")
    logging.getLogger().removeHandler(counter)
    elapsed = time.perf_counter() - start
    print(f"{name:28} {n:>6} inputs  {crashes + counter.count:>3} crashes  {elapsed:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    logging.basicConfig(level=logging.CRITICAL)
    store = load_store(BUNDLED_STORE)
    router = Router(CORE_COMMANDS)
    ctx = Context(store=store, today=dt.date(2025, 5, 2), specs=router.specs)
    loop = asyncio.new_event_loop()
    replies: list[Reply] = []

    def parse_one(_: int) -> None:
        with contextlib.suppress(BriefbotError):
            parse(random_text(rng), router.specs)

    run("command parser", args.n, parse_one)
    for name in router.specs:

        def handle_one(_: int, name: str = name) -> None:
            reply = loop.run_until_complete(router.handle_text(f"/{name} {random_text(rng)}", ctx))
            if reply.tone is Tone.INTERNAL:
                raise RuntimeError(f"internal-error reply for /{name}")
            if len(replies) < 2000:
                replies.append(reply)

        run(f"handler /{name}", args.n, handle_one)
    run("plain renderer", args.n, lambda i: render_text(replies[i % len(replies)]))
    for module, function in (
        ("bot.adapters.slack_render", "render_message"),
        ("bot.adapters.discord_render", "render_embed"),
    ):
        try:
            renderer = getattr(__import__(module, fromlist=[function]), function)
        except (ImportError, AttributeError):
            print(f"{module}.{function}: not available, skipped")
            continue
        run(module.rsplit(".", 1)[-1], args.n, lambda i, r=renderer: r(replies[i % len(replies)]))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "people").mkdir()

        def load_one(i: int) -> None:
            path = root / "people" / f"p{i % 50}.md"
            if rng.random() < 0.5:
                path.write_text(f"---\n{random_text(rng)}\n---\n{random_text(rng)}", errors="replace")
            else:
                path.write_bytes(bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 200))))
            read_file(root, path.relative_to(root).as_posix())

        run("store loader (one file)", args.n, load_one)
    loop.close()


if __name__ == "__main__":
    main()
