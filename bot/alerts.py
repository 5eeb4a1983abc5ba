"""Tell the maintainers' channel when a store file is held back, once, and when it is fixed."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable

from bot.delivery import Delivery, deliver_with_retry
from bot.errors import DeliveryError
from bot.markup import escape
from bot.reply import Reply, Section, Tone, Visibility
from bot.state import State, claims
from bot.store.live import StoreEvent
from bot.targets import Target

log = logging.getLogger(__name__)


def alert_reply(event: StoreEvent) -> Reply:
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

    With ``open_state``, every replica that sees the same problem claims the same key in the post log first, so
    the maintainers hear about it once, not once per replica.
    """

    def __init__(
        self,
        target: Target,
        deliveries: dict[str, Delivery],
        loop: asyncio.AbstractEventLoop,
        *,
        open_state: Callable[[], Awaitable[State]] | None = None,
        claimant: str = "",
    ) -> None:
        self.target = target
        self.deliveries = deliveries
        self.loop = loop
        self.open_state = open_state
        self.claimant = claimant or f"alerts-{id(self):x}"
        self.sent: list[Reply] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, event: StoreEvent) -> None:
        log.warning("store file %s: %s", event.kind, "; ".join(map(str, event.problems)) or event.path)
        self.loop.call_soon_threadsafe(self._spawn, alert_reply(event), event)

    async def drain(self) -> None:
        """Wait until every alert handed over so far has been posted (or has failed)."""
        await asyncio.sleep(0)  # let callbacks scheduled from a reload thread run
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    def _spawn(self, reply: Reply, event: StoreEvent) -> None:
        task = self.loop.create_task(self._post(reply, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, reply: Reply, event: StoreEvent) -> None:
        delivery = self.deliveries.get(self.target.platform)
        if delivery is None:
            log.warning("no %s delivery for the maintainers' channel %s", self.target.platform, self.target)
            return
        digest = hashlib.sha1("\n".join(map(str, event.problems)).encode()).hexdigest()[:12]
        key = f"{self.target}|store|{event.path}|{event.kind}|{digest}"
        state = await self.open_state() if self.open_state else None
        now = dt.datetime.now(dt.UTC)
        if state is not None:
            won = await claims.claim(
                state,
                key,
                kind="store-alert",
                target=str(self.target),
                deal="(store)",
                local_date=now.date(),
                claimant=self.claimant,
                now=now,
                lease=dt.timedelta(minutes=5),
            )
            if won.outcome is not claims.Outcome.WON:
                return  # another replica is telling them (or already has)
        try:
            message_id = await deliver_with_retry(delivery, self.target, reply, key)
            self.sent.append(reply)
        except DeliveryError as exc:
            log.error("could not tell the maintainers' channel %s: %s", self.target, exc)
            if state is not None:
                await claims.finish(state, key, self.claimant, claims.PostState.FAILED, now=now, error=str(exc))
            return
        if state is not None:
            await claims.finish(state, key, self.claimant, claims.PostState.SENT, now=now, message_id=message_id)
