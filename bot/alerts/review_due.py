"""Review reminders: one direct message to a document's owner when the document falls due for review.

Checked when the store changes and every ``interval`` seconds (a due date passes with no change to the store).
Each reminder is claimed in the post log under a key made of the recipient, the document and the day it fell
due, so it goes out once across restarts and replicas; a review recorded with ``/verify`` (or an edit of
``updated:``) moves the due day, and the next reminder is a new key. A document restricted away from its owner
sends nothing (``briefbot check`` reports that owner).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.background import BackgroundTask
from bot.delivery import Delivery
from bot.markup import escape
from bot.posting import Poster, PostHooks, PostKind, PostOutcome, PostRequest
from bot.posting.poster import Now, Sleep
from bot.reply import Choice, Reply, Section
from bot.state import State
from bot.store import Store
from bot.store.review import Due, due_documents, people_of

log = logging.getLogger(__name__)
REMINDER_WINDOW = dt.timedelta(hours=6)  # a reminder not out within this is dropped (and logged), not sent late


def reminder(due: Due, topic_id: str | None, deal_id: str | None) -> Reply:
    verify = (Choice("Mark as reviewed", f"/verify {topic_id} deal:{deal_id}"),) if topic_id and deal_id else ()
    return Reply(
        title=f"Due for review: {due.title}",
        sections=(
            Section(
                text=f"You own `{escape(due.path)}`; its {escape(due.why)}. Check it is still right, then edit "
                "the file or record the review with /verify."
            ),
        ),
        choices=verify,
        footer=("You get one message each time a document you own falls due.",),
    ).shared()


class ReviewReminders(BackgroundTask):
    """A Service: direct messages to owners of documents that fall due."""

    task_name = "review-reminders"

    def __init__(
        self,
        *,
        open_state: Callable[[], Awaitable[State]],
        store: Callable[[], Store],
        deliveries: dict[str, Delivery],
        claimant: str,
        now: Now,
        today: Callable[[], dt.date],
        stale_after_days: int,
        sleep: Sleep = asyncio.sleep,
        interval: float = 300.0,
        hooks: PostHooks | None = None,
    ) -> None:
        self._open_state = open_state
        self._store = store
        self._deliveries = deliveries
        self.claimant = claimant
        self.now = now
        self.today = today
        self.stale_after_days = stale_after_days
        self._sleep = sleep
        self.interval = interval
        self.hooks = hooks
        self._settled: set[str] = set()  # keys this process has seen to the end: not claimed again

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("checking review dates failed")
            await self._sleep(self.interval)

    async def check(self) -> int:
        """Send every reminder due and not yet sent; return how many went out."""
        from bot.state import reviews

        store = self._store()
        state = await self._open_state()
        reviewed = await reviews.reviewed_days(state)
        owned = [d for d in store.documents.values() if getattr(d.model, "owner", None)]
        sent = 0
        for due in due_documents(
            owned, self.today(), self.stale_after_days, people=people_of(store), reviewed=reviewed
        ):
            if due.recipient is None:
                continue
            doc = store.documents[due.path]
            key = f"{due.recipient}|review|{due.path}|{due.due_on.isoformat()}"
            if key in self._settled or not store.visible_documents([doc], str(due.recipient)):
                continue
            topic = doc.id if doc.kind == "topic" else None
            request = PostRequest(
                kind=PostKind.REVIEW_DUE,
                key=key,
                target=due.recipient,
                deal=doc.deal_id or doc.id,
                local_date=self.today(),
                deadline=self.now() + REMINDER_WINDOW,
                reply=reminder(due, topic, doc.deal_id),
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
            if result.delivered:
                sent += 1
            elif result.outcome not in (PostOutcome.DONE, PostOutcome.NOT_OURS):
                log.warning("review reminder %s: %s", key, result.error or result.outcome)
            if result.outcome not in (PostOutcome.NOT_OURS, PostOutcome.FAILED):  # those are tried again
                self._settled.add(key)
        return sent
