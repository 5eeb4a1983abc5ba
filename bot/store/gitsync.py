"""Git mode: the store is a git checkout; pull on an interval (or when a webhook says so) and reload only what
changed. The commit in service is kept on the live store, so answers and briefings can name it.

Uses the ``git`` command line (an operator's checkout, with whatever credentials it is configured with);
``git pull --ff-only`` never rewrites local history, and a failed pull leaves the last good store serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bot.background import BackgroundTask

if TYPE_CHECKING:  # a type only: a one-shot answer that imports this module never loads the live store
    from bot.store.live import LiveStore

log = logging.getLogger(__name__)


class GitError(Exception):
    pass


async def git(root: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "git",
        "-C",
        str(root),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password prompt
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {err.decode(errors='replace').strip()[:300]}")
    return out.decode().strip()


class GitSync(BackgroundTask):
    """A background service; ``sync()`` can also be called directly (a webhook route, a test)."""

    task_name = "store-git-sync"

    def __init__(self, live: LiveStore, *, interval: float = 60.0) -> None:
        self.live = live
        self.interval = interval
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self.live.commit = await git(self.live.root, "rev-parse", "HEAD")
        await super().start()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sync()
            except GitError as exc:
                log.warning("store pull failed; still serving %s: %s", (self.live.commit or "?")[:12], exc)

    async def sync(self) -> list[str]:
        """Pull, then reload the files that changed; returns their store-relative paths."""
        async with self._lock:
            before = await git(self.live.root, "rev-parse", "HEAD")
            await git(self.live.root, "pull", "--ff-only", "--quiet")
            after = await git(self.live.root, "rev-parse", "HEAD")
            if after == before:
                return []
            prefix = await git(self.live.root, "rev-parse", "--show-prefix")  # the store may be a subfolder
            names = await git(self.live.root, "diff", "--name-only", before, after, "--", ".")
            changed = [n.removeprefix(prefix) for n in names.splitlines() if n]
            await asyncio.to_thread(self.live.apply, changed)
            self.live.commit = after
            log.info("store at %s: %d file(s) changed", after[:12], len(changed))
            return changed
