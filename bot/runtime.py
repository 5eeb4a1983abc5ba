"""What the composition root runs things with: the service protocol, the one HTTP server, signals, probes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.delivery import Delivery
from bot.health import PartState

if TYPE_CHECKING:
    from bot.state import State

log = logging.getLogger(__name__)


class Service(Protocol):
    """Something the app starts and stops with it (a platform connection, the scheduler, a watcher)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class PlatformService(Service, Protocol):
    """A platform connection, with the delivery that posts to that platform."""

    @property
    def delivery(self) -> Delivery: ...


# Connections the kernel queues while the loop is busy: Slack may post a thousand slash commands at once, and past
# the default 128 the rest are dropped and retried a second or more later (the system's somaxconn still caps it).
LISTEN_BACKLOG = 2048


async def start_http_server(http: web.Application, host: str, port: int) -> web.AppRunner | None:
    """Serve ``http`` on ``host:port``; a port in use is logged and the bot runs on without it."""
    runner = web.AppRunner(http, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG)
    try:
        await site.start()
    except OSError as exc:
        log.warning("HTTP server not started on %s:%s (%s)", host, port, exc)
        await runner.cleanup()
        return None
    log.info("HTTP server on http://%s:%s", host, port)
    return runner


async def probe_state(state: State) -> tuple[PartState, str]:
    """The state database answers a trivial query, or it is down (``Health`` bounds the wait)."""
    import sqlalchemy as sa

    # through the background pool: a burst of commands may hold every connection of theirs, and health must answer
    async with state.background().engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return PartState.OK, state.dialect


def on_signals(handler: Callable[[], None]) -> None:
    """SIGINT and SIGTERM call ``handler`` (where the loop can take signal handlers)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            loop.add_signal_handler(sig, handler)
