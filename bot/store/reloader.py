"""Live reload: watchfiles watches the store folder and re-reads only what changed.

Editors save by writing a temp file and renaming it (seen as *added*), and a slow writer can be caught
half-way: a changed file that does not read cleanly is read once more after ``settle`` seconds before its
problems are reported, and until then (and after, if still broken) its last good version serves.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

from bot.background import BackgroundTask
from bot.store.live import LiveStore
from bot.store.load import read_file

log = logging.getLogger(__name__)
SUFFIXES = (".md", ".yaml", ".yml")


class _StoreFilter(DefaultFilter):
    def __call__(self, change: Change, path: str) -> bool:
        return super().__call__(change, path) and (path.endswith(SUFFIXES) or change is Change.deleted)


class StoreWatcher(BackgroundTask):
    """A background service: start once per process (never on a platform reconnect)."""

    task_name = "store-watcher"

    def __init__(self, live: LiveStore, *, debounce_ms: int = 150, settle: float = 0.3) -> None:
        self.live = live
        self.debounce_ms = debounce_ms
        self.settle = settle
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()  # set once the watcher is running (tests wait for it)
        self.batches = 0
        self.settling: set[str] = set()  # changed files that did not read cleanly, given ``settle`` to complete

    async def stop(self) -> None:
        self._stop.set()
        await super().stop()

    async def run(self) -> None:
        root = self.live.root
        self.ready.set()
        # watchfiles yields a batch once ``step`` ms pass with no new change (50 by default): a debounce below that
        # would otherwise still wait 50 ms after each save's last write
        step = max(1, min(50, self.debounce_ms))
        async for changes in awatch(
            root,
            watch_filter=_StoreFilter(),
            debounce=self.debounce_ms,
            step=step,
            stop_event=self._stop,
            yield_on_timeout=False,
        ):
            paths = sorted({r for _, p in changes if (r := self._relative(root, Path(p))) is not None})
            if not paths:
                continue
            try:
                await self._apply(paths)
            except Exception:  # the watcher must outlive any one bad batch
                log.exception("store reload failed for %s", ", ".join(paths))
            self.batches += 1

    async def _apply(self, paths: list[str]) -> None:
        # Reading is file I/O: off the event loop, so a slow disk never stalls commands and health.
        unsettled = await asyncio.to_thread(_unsettled, self.live, paths)
        if unsettled:  # a half-written file usually completes within moments: no alert for what is about to be fine
            self.settling.update(unsettled)
            try:
                await asyncio.sleep(self.settle)
            finally:
                self.settling.difference_update(unsettled)
        await asyncio.to_thread(self.live.apply, paths)

    @staticmethod
    def _relative(root: Path, path: Path) -> str | None:
        # Resolve the folder, never the file: the file itself may be a link (to be refused by name) or a loop.
        try:
            relative = (path.parent.resolve() / path.name).relative_to(root)
        except (ValueError, OSError, RuntimeError):  # outside the store; RuntimeError: a loop, before Python 3.13
            return None
        if any(part.startswith(".") for part in relative.parts):
            return None
        return relative.as_posix()


def _unsettled(live: LiveStore, paths: list[str]) -> list[str]:
    """The changed files that are still there but do not read cleanly yet (they may be half-written)."""
    return [
        p
        for p in paths
        if os.path.lexists(live.root / p) and isinstance(read_file(live.root, p, max_bytes=live.max_bytes), list)
    ]
