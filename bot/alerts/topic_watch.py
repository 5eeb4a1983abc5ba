"""/watch alerts: when a watched topic's file changes (status change, new event), a short alert to the watcher.

The store is checked whenever the live store swaps in a new version (polled cheaply: one identity comparison
every ``interval`` seconds). Each watch remembers, in the state database, the topic as last alerted; an alert is
claimed in the post log under a key made of the target, the topic and the *new* state, so replicas that notice
the same change at once send one alert between them.

An alert goes only where the topic may be seen, checked against the store at send time: a topic restricted away
from the watch's target (made restricted after the watch began, or watched from an allowed channel into a direct
message that is not on its list) sends nothing about itself there. The watcher is told once, in words that name
nothing from the store (the same words as for a deleted topic, so the two cannot be told apart), that one of the
watched topics is no longer available; alerts resume, from what is there then, if it becomes visible again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.background import BackgroundTask
from bot.delivery import Delivery
from bot.posting import Poster, PostHooks, PostKind, PostOutcome, PostRequest
from bot.posting.poster import Now, Sleep
from bot.reply import Choice, Reply, Section
from bot.state import State, watches
from bot.store import Store
from bot.store.dates import ApproxDate
from bot.store.index import EntityKind
from bot.store.model import status_label
from bot.targets import Target
from bot.textfmt import event_line

log = logging.getLogger(__name__)
ALERT_WINDOW = dt.timedelta(minutes=30)  # an alert not out within this is dropped (and logged), not sent late
HIDDEN: dict[str, Any] = {"hidden": True}  # a watch's ``seen`` while its topic cannot be shown to its target
UNAVAILABLE = Reply(
    title="A watched topic is no longer available here",
    sections=(
        Section(
            text="One of the topics you watch can no longer be shown here, so its alerts have stopped. "
            "They start again if it becomes available here."
        ),
    ),
).shared()


def topic_state(store: Store, deal_id: str, topic_id: str, viewer: str | None = None) -> dict[str, Any] | None:
    """The topic as ``viewer`` may see it, or None when it is gone or restricted away from ``viewer``."""
    entry = store.topic(deal_id, topic_id)
    if entry is None or not store.index.visible(EntityKind.TOPIC, topic_id, deal_id, viewer):
        return None
    events = {
        e.id: {"date": e.date.iso(), "title": e.title, "source": e.source}
        for e in store.events_of_topic(deal_id, topic_id)
    }
    return {"title": entry.topic.title, "status": entry.topic.status.value, "events": events}


def alert_lines(store: Store, seen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    def outlet(source_id: str | None) -> str | None:
        source = store.sources.get(source_id or "")
        return source.outlet if source else None

    lines = []
    if seen["status"] != now["status"]:
        lines.append(f"- Status: {status_label(seen['status'])} → **{status_label(now['status'])}**")
    for event_id, event in sorted(now["events"].items(), key=lambda item: (item[1]["date"].lstrip("~"), item[0])):
        if event_id not in seen["events"]:
            day = ApproxDate.parse(event["date"]).human()
            lines.append(event_line(day, event["title"], outlet(event["source"]), new=True))
    return lines


class WatchAlerts(BackgroundTask):
    """A Service: checks watched topics whenever the store changes."""

    task_name = "watch-alerts"

    def __init__(
        self,
        *,
        open_state: Callable[[], Awaitable[State]],
        store: Callable[[], Store],
        deliveries: dict[str, Delivery],
        claimant: str,
        now: Now,
        sleep: Sleep = asyncio.sleep,
        interval: float = 5.0,
        hooks: PostHooks | None = None,
    ) -> None:
        self.hooks = hooks
        self._open_state = open_state
        self._store = store
        self._deliveries = deliveries
        self.claimant = claimant
        self.now = now
        self._sleep = sleep
        self.interval = interval
        self._last: Store | None = None

    async def run(self) -> None:
        while True:
            store = self._store()
            if store is not self._last:
                try:
                    await self.check(store)
                except Exception:
                    log.exception("checking watched topics failed")
                self._last = store
            await self._sleep(self.interval)

    async def check(self, store: Store | None = None) -> int:
        """Alert every watcher whose topic changed since it was last alerted; return how many alerts went out."""
        store = store or self._store()
        state = await self._open_state()
        sent = 0
        for watch in await watches.all_watches(state):
            current = topic_state(store, watch.deal, watch.topic, viewer=watch.target)
            if current is None:  # gone, or not to be shown where this watch alerts
                if watch.seen != HIDDEN:
                    await self._tell_unavailable(state, watch)
                    await watches.mark_seen(state, watch.id, HIDDEN)
                continue
            if watch.seen is None or watch.seen == HIDDEN:  # a new (or visible again) watch starts from now
                await watches.mark_seen(state, watch.id, current)
                continue
            lines = alert_lines(store, watch.seen, current)
            if lines and await self._alert(state, watch, current, lines):
                sent += 1
            if lines or watch.seen != current:
                await watches.mark_seen(state, watch.id, current)
        return sent

    async def _tell_unavailable(self, state: State, watch: watches.Watch) -> None:
        # Keyed by what was seen before, so each time the topic goes out of sight is told once across replicas; the
        # key travels with the post (a Discord footer), so it names the watch's row, never the topic.
        before = hashlib.sha1(json.dumps(watch.seen, sort_keys=True).encode()).hexdigest()[:12]
        await self._post(state, watch, f"{watch.target}|watch:{watch.id}|unavailable|{before}", UNAVAILABLE)

    async def _alert(self, state: State, watch: watches.Watch, current: dict[str, Any], lines: list[str]) -> bool:
        digest = hashlib.sha1(json.dumps(current, sort_keys=True).encode()).hexdigest()[:12]
        reply = Reply(
            title=f"Change in {current['title']}",
            sections=(Section(text="\n".join(lines)),),
            choices=(Choice("Full status", f"/status {watch.topic} deal:{watch.deal}"),),
            footer=(f"You are watching {watch.topic}; /unwatch {watch.topic} to stop.",),
        ).shared()
        return await self._post(state, watch, f"{watch.target}|{watch.deal}/{watch.topic}|alert|{digest}", reply)

    async def _post(self, state: State, watch: watches.Watch, key: str, reply: Reply) -> bool:
        request = PostRequest(
            kind=PostKind.WATCH_ALERT,
            key=key,
            target=Target.parse(watch.target),
            deal=f"{watch.deal}/{watch.topic}",
            local_date=self.now().date(),
            deadline=self.now() + ALERT_WINDOW,
            reply=reply,
        )
        poster = Poster(
            state=state,
            deliveries=self._deliveries,
            claimant=self.claimant,
            now=self.now,
            sleep=self._sleep,
            hooks=self.hooks,
        )
        result = await poster.post(request)
        if not result.delivered and result.outcome not in (PostOutcome.DONE, PostOutcome.NOT_OURS):
            log.warning("watch alert %s: %s", request.key, result.error or result.outcome)
        return result.delivered
