"""Operator endpoints on the app's one HTTP server: health, store status, and reload.

``briefbot status`` and ``briefbot reload`` talk to these. The server listens on loopback by default; put it
behind your own proxy and auth before exposing it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.store.gitsync import GitError, GitSync
from bot.store.live import LiveStore

STATUS_PATH = "/status"
RELOAD_PATH = "/reload"
GIT_SYNC_PATH = "/git-sync"


def store_status(live: LiveStore) -> dict[str, Any]:
    """What ``/health`` and ``briefbot status`` report. Never includes secrets."""
    store = live.current
    return {
        "store": str(live.root),
        "documents": len(store.documents),
        "deals": sorted(store.deals),
        "loaded_at": store.loaded_at.isoformat(),
        "reloads": live.reloads,
        "commit": live.commit,
        "problems": [str(p) for p in store.problems],
        "held": [
            {
                "path": h.path,
                "serving_last_good": h.serving_last_good,
                "since": h.since.isoformat(),
                "problems": [str(p) for p in h.problems],
            }
            for h in sorted(live.held.values(), key=lambda h: h.path)
        ],
    }


def mount(app: web.Application, live: LiveStore, git_sync: GitSync | None = None) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "documents": len(live.current.documents)})

    async def status(request: web.Request) -> web.Response:
        return web.json_response(store_status(live))

    async def reload(request: web.Request) -> web.Response:
        await asyncio.to_thread(live.reload)
        return web.json_response(store_status(live))

    async def pull(request: web.Request) -> web.Response:
        assert git_sync is not None
        try:
            changed = await git_sync.sync()
        except GitError as exc:
            return web.json_response({"error": str(exc)}, status=502)
        return web.json_response({"commit": live.commit, "changed": changed})

    if git_sync is not None:
        app.router.add_post(GIT_SYNC_PATH, pull)  # a push webhook (or a cron) can call this
    app.router.add_get("/healthz", healthz)
    app.router.add_get(STATUS_PATH, status)
    app.router.add_post(RELOAD_PATH, reload)
