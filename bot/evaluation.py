"""The evaluation thread: read-only commands are evaluated on an event loop of their own, beside the main one.

Everything on the main loop (acks, ``/healthz``, the scheduler, the file watcher) used to wait behind every
command's CPU work: a burst of a thousand commands held it for many seconds. Commands whose spec says
``off_loop`` (they read the store and the state database, nothing bound to the main loop: no platform client, no
scheduler, no git) run here instead. The GIL is shared, but the interpreter hands it over every few milliseconds,
so the main loop keeps answering; SQLite searches and fuzzy matching let go of it altogether.

State: a database connection belongs to the loop that opened it, so the thread opens its own (``open_state``, on
first use) and :meth:`state` gives it to the commands that run here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.state import State

T = TypeVar("T")


class Evaluator:
    """``threads`` evaluation threads, each with its loop; a command goes to the one with the fewest in flight.
    More than one, so a long lookup (a fuzzy scan at 100,000 documents) does not hold up every other command."""

    def __init__(self, open_state: Callable[[], Awaitable[State]] | None = None, *, threads: int = 3) -> None:
        self._open_state = open_state
        self._threads = threads
        self._loops: list[asyncio.AbstractEventLoop] = []
        self._running: list[threading.Thread] = []
        self._in_flight: dict[asyncio.AbstractEventLoop, int] = {}
        self._states: dict[asyncio.AbstractEventLoop, asyncio.Future[State]] = {}  # each on its own loop
        self._start = threading.Lock()

    def here(self) -> bool:
        """Whether the caller runs on an evaluation loop."""
        try:
            return asyncio.get_running_loop() in self._in_flight
        except RuntimeError:
            return False

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()`` awaited on an evaluation loop; cancelling the caller cancels it there."""
        loop = min(self._started(), key=self._in_flight.__getitem__)
        self._in_flight[loop] += 1
        try:
            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_awaited(work), loop))
        finally:
            self._in_flight[loop] -= 1

    async def state(self) -> State:
        """This evaluation loop's own state database (call it there)."""
        assert self._open_state is not None
        loop = asyncio.get_running_loop()
        assert loop in self._in_flight
        if loop not in self._states:
            self._states[loop] = asyncio.ensure_future(self._open_state())
        return await asyncio.shield(self._states[loop])

    def _started(self) -> list[asyncio.AbstractEventLoop]:
        with self._start:
            while len(self._loops) < self._threads:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="evaluation", daemon=True)
                thread.start()
                self._loops.append(loop)
                self._running.append(thread)
                self._in_flight[loop] = 0
            return self._loops

    async def close(self) -> None:
        """Close the threads' state databases, stop their loops and wait for the threads."""
        for loop, thread in zip(self._loops, self._running, strict=True):
            state = self._states.get(loop)
            if state is not None:
                await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_close(state), loop))
            loop.call_soon_threadsafe(loop.stop)
            await asyncio.to_thread(thread.join)
            loop.close()
        self._loops, self._running, self._in_flight, self._states = [], [], {}, {}


async def _awaited(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


async def _close(state: asyncio.Future[State]) -> None:
    if not state.cancelled() and state.done() and state.exception() is None:
        await state.result().close()
