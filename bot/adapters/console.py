"""The console adapter: the same slash commands in a terminal, and delivery to stdout."""

from __future__ import annotations

import asyncio
import sys
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
        """Read commands until end of input or ``quit``; every answer goes to the output."""
        self._out.write("Type a command such as /status tariffs or /who clow; /help lists them; quit to leave.\n")
        while True:
            try:
                line = await asyncio.to_thread(read_line, PROMPT)
            except (EOFError, KeyboardInterrupt):
                self._out.write("\n")
                return
            line = line.strip()
            if not line:
                continue
            if line.lower() in QUIT:
                return
            if not line.startswith("/"):
                line = f"/search {line}"  # bare words are a search
            reply = await self._ask(line)
            self._out.write(render_text(reply) + "\n")
            self._out.flush()
