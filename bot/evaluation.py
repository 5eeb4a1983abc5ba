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
import queue
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from bot.state import State

T = TypeVar("T")


class Evaluator:
    """``threads`` evaluation threads, each with a loop of its own, taking commands one at a time from one queue:
    a thread busy with a long evaluation (a fuzzy scan at 100,000 documents) takes no more until it is done, so
    the quick lookups behind it go to the others instead of waiting behind it."""

    def __init__(self, open_state: Callable[[], Awaitable[State]] | None = None, *, threads: int = 4) -> None:
        self._open_state = open_state
        self._threads = threads
        self._queue: queue.SimpleQueue[tuple[Callable[[], Awaitable[Any]], Future[Any]] | None] = queue.SimpleQueue()
        self._running: list[threading.Thread] = []
        self._loops: set[asyncio.AbstractEventLoop] = set()
        self._states: dict[asyncio.AbstractEventLoop, State] = {}  # each opened on, and used from, its own loop
        self._start = threading.Lock()

    def here(self) -> bool:
        """Whether the caller runs on an evaluation loop."""
        try:
            return asyncio.get_running_loop() in self._loops
        except RuntimeError:
            return False

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()`` awaited on an evaluation thread's loop; cancelled before it starts, it never runs."""
        self._started()
        future: Future[T] = Future()
        self._queue.put((work, future))
        return await asyncio.wrap_future(future)

    async def state(self) -> State:
        """This evaluation thread's own state database (call it there)."""
        assert self._open_state is not None
        loop = asyncio.get_running_loop()
        assert loop in self._loops
        if loop not in self._states:  # one command at a time per thread: no other can be opening it meanwhile
            self._states[loop] = await self._open_state()
        return self._states[loop]

    def _started(self) -> None:
        with self._start:
            while len(self._running) < self._threads:
                thread = threading.Thread(target=self._work, name="evaluation", daemon=True)
                thread.start()
                self._running.append(thread)

    def _work(self) -> None:
        loop = asyncio.new_event_loop()
        self._loops.add(loop)
        try:
            while (item := self._queue.get()) is not None:
                work, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(loop.run_until_complete(_awaited(work)))
                except BaseException as exc:  # the caller gets it, as if it had awaited the work itself
                    future.set_exception(exc)
        finally:
            state = self._states.pop(loop, None)
            if state is not None:
                loop.run_until_complete(state.close())
            self._loops.discard(loop)
            loop.close()

    async def close(self) -> None:
        """Stop the threads once the work queued before is done, closing their state databases."""
        running, self._running = self._running, []
        for _ in running:
            self._queue.put(None)
        for thread in running:
            await asyncio.to_thread(thread.join)


async def _awaited(work: Callable[[], Awaitable[T]]) -> T:
    return await work()
