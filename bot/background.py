"""The shape of a background service: one coroutine run in a task, started once, cancelled on stop."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundTask:
    """Subclasses implement :meth:`run`; ``start`` is idempotent (a platform reconnect must not start a second)."""

    task_name = "background"
    _task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()
