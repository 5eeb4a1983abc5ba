"""What the composition root hands a platform adapter: exactly the parts it uses, never the App.

An adapter turns its platform's requests into neutral commands for ``router`` (with a context from ``context``,
which also decides who is an admin), renders the replies, reports its connection to ``health``, and hands back its
delivery; the composition root (``bot.app``) registers that delivery where the scheduler and alerts find it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.context import Context
from bot.health import Health
from bot.router import Router
from bot.targets import Target

if TYPE_CHECKING:
    from aiohttp import web

    from bot.state import State
    from bot.store import Store


class ContextFactory(Protocol):
    def __call__(self, target: Target, *, user: str | None = None, roles: Sequence[str] = ()) -> Context:
        """The context of a command from ``user`` (with platform ``roles``) in ``target``."""
        ...


@dataclass(frozen=True)
class PlatformParts:
    router: Router
    context: ContextFactory
    health: Health
    store: Callable[[], Store]  # the store in service now (autocomplete reads its index)
    state: Callable[[], Awaitable[State]]  # the state database (Discord keeps its command-sync hash there)
    http: web.Application | None = None  # the one HTTP server when it runs (Slack HTTP mode mounts a route)
