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
import contextlib
import os
import queue
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from bot.state import State

T = TypeVar("T")

# The main loop lets go of the GIL at each system call (every send, receive and wake-up); while evaluation threads
# run Python, it waits for the interpreter's switch interval to get it back. At the default 5 ms, those waits were
# most of what each ack cost the main loop in a burst; 1 ms costs the evaluations little more switching.
SWITCH_INTERVAL = 0.001
# How much lower an evaluation thread's CPU priority is than the main loop's (Linux: the thread's own nice value). A
# fuzzy scan lets go of the GIL, so two or three at once took both cores of a small machine, and the main loop, with
# every ack and answer to send, waited for a core; niced, they use what the loop leaves.
NICE = 10


class Evaluator:
    """``threads`` evaluation threads, each with a loop of its own, taking commands from one queue: a loop takes
    the next command whenever it is free to run one, so a loop held by a long synchronous evaluation (a fuzzy scan
    at 100,000 documents) takes none meanwhile and the quick lookups behind it go to the others, while a command
    waiting on I/O (a search queued at the full-text index, the database) leaves its loop free for more."""

    def __init__(
        self, open_state: Callable[[], Awaitable[State]] | None = None, *, threads: int = 3, per_thread: int = 32
    ) -> None:
        self._open_state = open_state
        self._threads = threads
        # commands a loop runs at once, most of them waiting on I/O (searches queued at the index): as many as its
        # state pool holds (max_concurrent_commands, twice), so that few searches cannot hold every worker
        self._per_thread = per_thread
        self._queue: queue.SimpleQueue[tuple[Callable[[], Awaitable[Any]], Future[Any]]] = queue.SimpleQueue()
        # each loop's wake-ups (one token wakes one waiting worker) and how many of its workers wait for work (only
        # that loop's thread changes its count; the caller reads it to choose the loop to wake)
        self._loops: dict[asyncio.AbstractEventLoop, asyncio.Queue[None]] = {}
        self._idle: dict[asyncio.AbstractEventLoop, int] = {}
        self._running: list[tuple[asyncio.AbstractEventLoop, threading.Thread]] = []
        self._states: dict[asyncio.AbstractEventLoop, asyncio.Future[State]] = {}  # each on its own loop
        self._start = threading.Lock()

    def here(self) -> bool:
        """Whether the caller runs on an evaluation loop."""
        try:
            return asyncio.get_running_loop() in self._loops
        except RuntimeError:
            return False

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work()`` awaited on an evaluation loop; cancelled before it starts, it never runs."""
        self._started()
        future: Future[T] = Future()
        self._queue.put((work, future))
        self._wake_one()
        return await asyncio.wrap_future(future)

    def _wake_one(self) -> None:
        """Wake one waiting worker, on the loop with the most of them (the least busy). Waking every worker of
        every loop for each command cost more than the lookup it ran. A count read while it changes can only
        wake a worker that then finds nothing (see :meth:`_worker`), never leave a command unseen: with no
        worker waiting, a busy one takes it when it is done."""
        idle = self._idle
        loop = max(idle, key=idle.__getitem__, default=None)
        if loop is not None and idle[loop] > 0:
            loop.call_soon_threadsafe(self._loops[loop].put_nowait, None)

    async def state(self) -> State:
        """This evaluation loop's own state database (call it there)."""
        assert self._open_state is not None
        loop = asyncio.get_running_loop()
        assert loop in self._loops
        if loop not in self._states:
            self._states[loop] = asyncio.ensure_future(self._open_state())
        return await asyncio.shield(self._states[loop])

    def _started(self) -> None:
        with self._start:
            if not self._running and sys.getswitchinterval() > SWITCH_INTERVAL:
                sys.setswitchinterval(SWITCH_INTERVAL)
            while len(self._running) < self._threads:
                loop = asyncio.new_event_loop()
                self._loops[loop] = asyncio.Queue()
                self._idle[loop] = 0
                thread = threading.Thread(target=self._serve, args=(loop,), name="evaluation", daemon=True)
                thread.start()
                self._running.append((loop, thread))

    def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        _give_way()
        asyncio.set_event_loop(loop)
        workers = [loop.create_task(self._worker(loop)) for _ in range(self._per_thread)]
        try:
            loop.run_until_complete(asyncio.gather(*workers))
        except asyncio.CancelledError:
            pass
        finally:
            state = self._states.pop(loop, None)
            if state is not None:
                loop.run_until_complete(_close(state))
            loop.close()

    async def _worker(self, loop: asyncio.AbstractEventLoop) -> None:
        wakes = self._loops[loop]
        while True:
            try:
                work, future = self._queue.get_nowait()
            except queue.Empty:
                # counted as waiting before looking again: a command queued after this look finds the count
                # and wakes a worker; one queued before it is seen here
                self._idle[loop] += 1
                try:
                    if self._queue.empty():
                        await wakes.get()
                finally:
                    self._idle[loop] -= 1
                continue
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(await work())
            except BaseException as exc:  # the caller gets it, as if it had awaited the work itself
                future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise  # close() cancelled this worker mid-command: it stops, or its thread's join never returns

    async def close(self) -> None:
        """Stop the threads and close their state databases (commands still queued are cancelled)."""
        running, self._running = self._running, []
        for loop, _thread in running:
            loop.call_soon_threadsafe(_cancel_all, loop)
        for _loop, thread in running:
            await asyncio.to_thread(thread.join)
        self._loops = {}
        self._idle = {}


def _give_way() -> None:
    """The calling thread yields the CPU to the others of the process when they compete (see :data:`NICE`). On
    Linux ``setpriority`` on a thread id sets that thread's nice value alone (its own threads inherit it)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError):
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(os.getpriority(os.PRIO_PROCESS, thread) + NICE, 19))


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()


async def _close(state: asyncio.Future[State]) -> None:
    if state.done() and not state.cancelled() and state.exception() is None:
        await state.result().close()
