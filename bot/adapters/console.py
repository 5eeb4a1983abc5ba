"""The console adapter: the same slash commands in a terminal, and delivery to stdout.

On a terminal it is a real prompt (prompt_toolkit: line editing, history, tab completion) and answers are laid out
for the terminal's width, in colour. Otherwise (a pipe, a file, a service with no TTY) it reads commands line by
line until end of input and prints plain text; a reader that goes away (``| head``) ends it without a fuss.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.reply import Reply
from bot.targets import Target
from bot.terminal.attachments import save_attachments
from bot.terminal.output import for_stream, isatty

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer

QUIT = {"quit", "exit", ":q", "/quit", "/exit"}
INTRO = "Type a command such as /status tariffs or /who clow; Tab completes, /help lists them; Ctrl-D to leave."


class ConsoleAdapter:
    platform = "console"

    def __init__(
        self,
        ask: Callable[[str], Awaitable[Reply]],
        out: TextIO | None = None,
        *,
        completer: Completer | None = None,
        history: Path | None = None,
    ) -> None:
        self._ask = ask
        self._out = out  # None: sys.stdout as it is when writing
        self.completer = completer  # set by whoever knows the commands and the store (the CLI)
        self.history = history
        self._session: PromptSession[str] | None = None  # while a prompt runs, output goes above it

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        """Scheduled briefings and alerts: printed at once, above the prompt when one is on screen."""
        self._show(reply)
        return key

    async def repl(self, *, stdin: TextIO | None = None, interactive: bool | None = None) -> None:
        """Answer commands until ``quit``, Ctrl-D or end of input.

        ``interactive`` defaults to whether both stdin and the output are terminals.
        """
        stdin = stdin or sys.stdin
        if interactive is None:
            interactive = isatty(stdin) and isatty(self.out)
        if interactive:
            await self._prompt_loop()
        else:
            await self._line_loop(stdin)

    async def _line_loop(self, stdin: TextIO) -> None:
        lines = _LineReader(stdin, asyncio.get_running_loop())
        while (line := await lines.next()) is not None:
            if not await self._run(line):
                return

    async def _prompt_loop(self) -> None:
        from bot.terminal.prompt import history_path, make_session, output_above_prompt

        session = make_session(self.completer, self.history or history_path())
        self._session = session
        try:
            self._write(INTRO + "\n")
            with output_above_prompt():
                while True:
                    try:
                        line = await session.prompt_async()
                    except KeyboardInterrupt:  # Ctrl-C drops the line, as in a shell
                        continue
                    except EOFError:  # Ctrl-D
                        return
                    if not await self._run(line):
                        return
        finally:
            self._session = None

    async def _run(self, line: str) -> bool:
        """Answer one line; False when it asks to quit."""
        line = line.strip()
        if line.lower() in QUIT:
            return False
        if line:  # a bare line is a command when it starts with one's name, else a search (the router decides)
            self._show(await self._ask(line), gap=True)
        return True

    def _show(self, reply: Reply, *, gap: bool = False) -> None:
        saved = "".join(f"{line}\n" for line in save_attachments(reply))  # a chart: to a file, named here
        self._write(for_stream(self.out)(reply) + saved + ("\n" if gap else ""))

    def _write(self, text: str) -> None:
        if self._session is not None:
            from prompt_toolkit import print_formatted_text
            from prompt_toolkit.formatted_text import ANSI

            # Above the prompt if it is on screen (run_in_terminal), else straight to the terminal, in order.
            print_formatted_text(ANSI(text), end="", output=self._session.output)
            return
        self.out.write(text)
        self.out.flush()


class _LineReader:
    """Reads one line per request on a daemon thread; ``None`` at end of input.

    A daemon thread, not the default executor: a stop signal must never wait on a blocked read, and
    ``asyncio.run`` would wait for an executor thread at shutdown. One line at a time, after each answer, so the
    reader never runs ahead of the answers.
    """

    def __init__(self, stdin: TextIO, loop: asyncio.AbstractEventLoop) -> None:
        self._stdin = stdin
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
                line: str | None = self._stdin.readline() or None
            except (OSError, ValueError):  # closed under us: the same as the end of input
                line = None
            try:
                self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                return
            if line is None:
                return
