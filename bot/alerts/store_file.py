"""Tell the maintainers' channel when a store file is held back, once, and when it is fixed."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.clock import utcnow
from bot.delivery import Delivery
from bot.markup import escape
from bot.posting import Poster, PostHooks, PostKind, PostOutcome, PostRequest
from bot.reply import Reply, Section, Tone, Visibility
from bot.state import State
from bot.store.live import StoreEvent
from bot.targets import Target

log = logging.getLogger(__name__)
ALERT_WINDOW = dt.timedelta(minutes=30)  # retried within this; after it the problem is in the log and /health


def alert_reply(event: StoreEvent, viewer: str | None = None, scope: frozenset[str] = frozenset()) -> Reply:
    """The alert for ``viewer`` (the maintainers' channel): a file restricted to ``scope`` is named, with its
    problems, only where it may be seen; elsewhere the alert says that one restricted file is held back or fixed."""
    if scope and viewer not in scope:
        what = "fixed" if event.kind == "fixed" else "held back"
        return Reply(
            title=f"A restricted store file was {what}",
            tone=Tone.ANSWER if event.kind == "fixed" else Tone.ERROR,
            sections=(Section(text="Its details show only where it may be seen: run /health there."),),
            visibility=Visibility.SHARED,
        )
    if event.kind == "fixed":
        return Reply(
            title=f"Fixed: {event.path}",
            sections=(Section(text="The file validates again and is served."),),
            visibility=Visibility.SHARED,
        )
    lines = "\n".join(f"- `{escape(str(p))}`" for p in event.problems[:20])
    return Reply(
        title=f"Store file held back: {event.path}",
        tone=Tone.ERROR,
        sections=(Section(text=f"{lines}\n\nIts last good version (if any) is still being served."),),
        visibility=Visibility.SHARED,
    )


class MaintainerAlerts:
    """A LiveStore listener; reloads may run in a worker thread, so posting is handed to the event loop.

    Every replica that sees the same problem posts under the same key through the post-once path
    (:mod:`bot.posting`), so the maintainers hear about it once, not once per replica, and an alert that fails
    is retried and recorded as failed, never as told.
    """

    def __init__(
        self,
        target: Target,
        deliveries: Mapping[str, Delivery],
        loop: asyncio.AbstractEventLoop,
        *,
        open_state: Callable[[], Awaitable[State]],
        claimant: str = "",
        now: Callable[[], dt.datetime] = utcnow,
        scope_of: Callable[[str], frozenset[str]] = lambda path: frozenset(),
        hooks: PostHooks | None = None,
    ) -> None:
        self.hooks = hooks
        self.target = target
        self.deliveries = deliveries
        self.loop = loop
        self.open_state = open_state
        self.claimant = claimant or f"alerts-{id(self):x}"
        self.now = now
        self.scope_of = scope_of  # who alone may see a file's details (bot.store.file_scope); empty: anyone
        self.sent: list[Reply] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._last: asyncio.Task[None] | None = None  # alerts go out in the order the reloads raised them

    def __call__(self, event: StoreEvent) -> None:
        log.warning("store file %s: %s", event.kind, "; ".join(map(str, event.problems)) or event.path)
        scope = self.scope_of(event.path)  # now, in the reload that raised it: the store it describes
        self.loop.call_soon_threadsafe(self._spawn, alert_reply(event, str(self.target), scope), event, scope)

    async def drain(self) -> None:
        """Wait until every alert handed over so far has been posted (or has failed)."""
        await asyncio.sleep(0)  # let callbacks scheduled from a reload thread run
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    def _spawn(self, reply: Reply, event: StoreEvent, scope: frozenset[str]) -> None:
        task = self.loop.create_task(self._post_after(self._last, reply, event, scope))
        self._last = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_after(
        self, previous: asyncio.Task[None] | None, reply: Reply, event: StoreEvent, scope: frozenset[str]
    ) -> None:
        """ "Fixed" never overtakes the "held back" it answers."""
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        await self._post(reply, event, scope)

    async def _post(self, reply: Reply, event: StoreEvent, scope: frozenset[str]) -> None:
        digest = hashlib.sha1("\n".join(map(str, event.problems)).encode()).hexdigest()[:12]
        # the key is carried in the post (a Discord footer): a restricted file's path stays out of it
        where = event.path if not scope else hashlib.sha1(event.path.encode()).hexdigest()[:12]
        now = self.now()
        request = PostRequest(
            kind=PostKind.STORE_ALERT,
            key=f"{self.target}|store|{where}|{event.kind}|{digest}",
            target=self.target,
            deal="(store)",
            local_date=now.date(),
            deadline=now + ALERT_WINDOW,
            reply=reply,
        )
        state = await self.open_state()
        poster = Poster(state=state, deliveries=self.deliveries, claimant=self.claimant, now=self.now, hooks=self.hooks)
        result = await poster.post(request)
        if result.delivered:
            self.sent.append(reply)
        elif result.outcome is PostOutcome.NOT_OURS:
            log.warning("no %s delivery for the maintainers' channel %s", self.target.platform, self.target)
        elif result.outcome is not PostOutcome.DONE:
            log.error("could not tell the maintainers' channel %s: %s", self.target, result.error or result.outcome)
