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
    def __init__(self, open_state: Callable[[], Awaitable[State]] | None = None) -> None:
        self._open_state = open_state
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._state: asyncio.Future[State] | None = None  # on the evaluation loop
        self._start = threading.Lock()

    def here(self) -> bool:
        """Whether the caller runs on the evaluation loop."""
        try:
            return self._loop is not None and asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()`` awaited on the evaluation loop; cancelling the caller cancels it there."""
        future = asyncio.run_coroutine_threadsafe(_awaited(work), self._started())
        return await asyncio.wrap_future(future)

    async def state(self) -> State:
        """The evaluation loop's own state database (call it there)."""
        assert self._open_state is not None
        assert self.here()
        if self._state is None:
            self._state = asyncio.ensure_future(self._open_state())
        return await asyncio.shield(self._state)

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._start:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="evaluation", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    async def close(self) -> None:
        """Close the thread's state database, stop its loop and wait for the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._state is not None:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_close(self._state), loop))
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join)
        loop.close()
        self._loop = self._thread = None


async def _awaited(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


async def _close(state: asyncio.Future[State]) -> None:
    if not state.cancelled() and state.done() and state.exception() is None:
        await state.result().close()
