"""Turns at posting: at most ``size`` posts at work at once, for a batch that falls due together (the morning's
briefings). A post that has to wait (a Retry-After, another replica's lease) gives its turn up meanwhile, so one
channel's wait never holds up the others, and takes the next free turn back before any post that has not started:
a post that already holds a claim finishes before a new one is claimed."""

from __future__ import annotations

import asyncio
import heapq
import itertools

RESUMING, STARTING = 0, 1  # who gets a free turn first


class Turns:
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("at least one turn")
        self.size = size
        self._free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def take(self, *, resuming: bool = False) -> None:
        if self._free > 0:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (RESUMING if resuming else STARTING, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.give()  # the turn was handed over as the wait was cancelled: pass it on
            raise

    def give(self) -> None:
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():  # a cancelled wait is skipped
                future.set_result(None)
                return
        self._free += 1
