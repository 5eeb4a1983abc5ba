"""The console adapter: the same slash commands in a terminal, and delivery to stdout."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.render_text import render_text
from bot.reply import Reply
from bot.targets import Target

PROMPT = "briefbot> "
QUIT = {"quit", "exit", ":q", "/quit", "/exit"}


class ConsoleAdapter:
    platform = "console"

    def __init__(self, ask: Callable[[str], Awaitable[Reply]], out: TextIO | None = None) -> None:
        self._ask = ask
        self._out = out or sys.stdout

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        self._out.write(render_text(reply))
        self._out.flush()
        return key

    async def repl(self, read_line: Callable[[str], str] = input) -> None:
        """Read commands until end of input or ``quit``; every answer goes to the output.

        Lines are read by a daemon thread, one at a time after each answer, so a stop signal never waits on a
        blocked ``input()`` and prompts never run ahead of answers.
        """
        self._out.write("Type a command such as /status tariffs or /who clow; /help lists them; quit to leave.\n")
        lines = _LineReader(read_line, asyncio.get_running_loop())
        while True:
            line = await lines.next()
            if line is None:
                self._out.write("\n")
                return
            line = line.strip()
            if line.lower() in QUIT:
                return
            if line:
                if not line.startswith("/"):
                    line = f"/search {line}"  # bare words are a search
                reply = await self._ask(line)
                self._out.write(render_text(reply) + "\n")
                self._out.flush()


class _LineReader:
    """Reads one line per request on a daemon thread; ``None`` at end of input."""

    def __init__(self, read_line: Callable[[str], str], loop: asyncio.AbstractEventLoop) -> None:
        self._read_line = read_line
        self._loop = loop
        self._wanted = threading.Event()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._pump, name="console-input", daemon=True).start()

    async def next(self) -> str | None:
        self._wanted.set()
        return await self._lines.get()

    def _pump(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                line: str | None = self._read_line(PROMPT)
            except (EOFError, KeyboardInterrupt):
                line = None
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            if line is None:
                return
