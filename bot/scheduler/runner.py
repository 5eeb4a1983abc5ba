"""One scheduled briefing, start to finish: the run for one (subscription, local date).

skip date? -> too late? -> claim -> compose (diff against the channel's last posted snapshot) -> deliver with
retries -> mark sent -> save the snapshot. Every step that can race another replica goes through the claim row
(see ``bot.state.claims``); APScheduler only decides when this runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum

from bot.briefing import BriefingOptions
from bot.briefing.snapshot import channel_briefing
from bot.delivery import Delivery, FindsPosts, deliver_with_retry
from bot.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from bot.reply import Reply, Section, Tone
from bot.scheduler.killpoints import kill_point
from bot.scheduler.options import SchedulerOptions
from bot.scheduler.plan import local_date, post_key
from bot.state import State, claims, snapshots, subscriptions
from bot.state.claims import Claim, Outcome, PostState
from bot.state.subscriptions import Subscription
from bot.store import Store
from bot.targets import Target

log = logging.getLogger(__name__)

Now = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]


class Result(StrEnum):
    SENT = "sent"
    FOUND = "found"  # a crashed replica's post was found in the channel and recorded; not reposted
    DONE = "done"  # another run (or replica) already dealt with this date
    SKIPPED = "skipped"
    FAILED = "failed"
    PAUSED = "paused"  # failed for good: the subscription is paused until an admin runs /subscribe again
    UNCERTAIN = "uncertain"
    NOT_OURS = "not_ours"  # this replica cannot post to that platform; one that can will


class BriefingRunner:
    def __init__(
        self,
        *,
        state: State,
        store: Callable[[], Store],
        deliveries: Mapping[str, Delivery],
        claimant: str,
        options: SchedulerOptions = SchedulerOptions(),
        briefing_options: BriefingOptions = BriefingOptions(),
        maintainers: str | None = None,
        now: Now,
        sleep: Sleep,
        kill: Callable[[str], None] = kill_point,
        commit: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.state = state
        self.commit = commit
        self.store = store
        self.deliveries = deliveries
        self.claimant = claimant
        self.options = options
        self.briefing_options = briefing_options
        self.maintainers = maintainers
        self.now = now
        self.sleep = sleep
        self.kill = kill

    async def run(self, sub: Subscription, occurrence: dt.datetime) -> Result:
        day = local_date(sub, occurrence)
        key = post_key(sub.target, sub.deal, day)
        target = Target.parse(sub.target)
        delivery = self.deliveries.get(target.platform)
        if delivery is None:
            log.info("no %s delivery on this replica; leaving %s to one that has it", target.platform, key)
            return Result.NOT_OURS
        if day in sub.skip_dates:
            await self._skip(sub, day, occurrence, "skip date")
            return Result.SKIPPED
        deadline = occurrence + self.options.grace
        late = self.now() - occurrence
        if late > self.options.grace:
            reason = f"missed by {_minutes(late)}, beyond the {_minutes(self.options.grace)} grace window"
            if await self._skip(sub, day, occurrence, reason):
                log.warning("briefing %s not posted: %s", key, reason)
            return Result.SKIPPED

        claim = await self._claim(sub, day, occurrence, deadline)
        if claim is None:
            return Result.DONE
        self.kill("after_claim")
        if self.now() > deadline and claim.outcome is Outcome.TAKEN_OVER:
            # its claimant died and the window closed before anyone could take over: too late to post
            await self._finish(key, PostState.SKIPPED, error="claimant died; grace window over")
            return Result.SKIPPED

        store = self.store()
        deal = store.deals.get(sub.deal)
        if deal is None:
            await self._finish(key, PostState.FAILED, error=f"deal '{sub.deal}' is not in the store")
            log.error("briefing %s: deal '%s' is not in the store", key, sub.deal)
            return Result.FAILED
        previous = await snapshots.previous(self.state, sub.target, sub.deal, before=day)
        try:
            reply, snapshot = channel_briefing(
                store,
                deal,
                day,
                viewer=sub.target,
                previous=previous.data if previous else None,
                previous_date=previous.local_date if previous else None,
                options=self.briefing_options,
                commit=self.commit(),
            )
        except Exception as exc:  # a bug here would fail the same way on every replica: close the claim
            log.exception("briefing %s could not be composed", key)
            await self._finish(key, PostState.FAILED, error=f"could not compose: {exc!r}")
            return Result.FAILED
        reply = reply.shared()

        if claim.outcome is Outcome.TAKEN_OVER_SENDING:
            known, found = await self._look_for(delivery, target, key)
            if not known:
                return Result.UNCERTAIN
            if found:
                await self._finish(key, PostState.SENT, message_id=found)
                await snapshots.save(self.state, sub.target, sub.deal, day, snapshot, post_key=key, now=self.now())
                return Result.FOUND
            if self.now() > deadline:
                await self._finish(key, PostState.SKIPPED, error="claimant died while sending; not found; too late")
                return Result.SKIPPED
        if not await claims.mark_sending(self.state, key, self.claimant, now=self.now(), lease=self.options.lease):
            log.warning("briefing %s: claim lost before sending (lease expired); leaving it to its new owner", key)
            return Result.DONE
        try:
            message_id = await deliver_with_retry(
                delivery,
                target,
                reply,
                key,
                attempts=self.options.delivery_attempts,
                base_delay=self.options.retry_base_delay,
                max_delay=self.options.retry_max_delay,
                sleep=self._retry_sleep(key, deadline),
            )
        except PermanentDeliveryError as exc:
            await self._finish(key, PostState.FAILED, error=f"permanent: {exc.reason or exc}")
            await self._pause(sub, day, exc)
            return Result.PAUSED
        except DeliveryError as exc:
            await self._finish(key, PostState.FAILED, error=f"transient, retries exhausted: {exc}")
            log.error("briefing %s failed: %s", key, exc)
            return Result.FAILED
        except Exception as exc:  # an adapter bug: the post may or may not exist, so never retry it blindly
            log.exception("briefing %s: delivery raised", key)
            await self._finish(key, PostState.FAILED, error=f"delivery raised {exc!r}")
            return Result.FAILED
        self.kill("after_deliver")
        if not await self._finish(key, PostState.SENT, message_id=message_id):
            log.error("briefing %s was posted (%s) but its claim had moved on", key, message_id)
        await snapshots.save(self.state, sub.target, sub.deal, day, snapshot, post_key=key, now=self.now())
        return Result.SENT

    async def _skip(self, sub: Subscription, day: dt.date, occurrence: dt.datetime, reason: str) -> bool:
        return await claims.record_skipped(
            self.state,
            post_key(sub.target, sub.deal, day),
            kind="brief",
            target=sub.target,
            deal=sub.deal,
            local_date=day,
            reason=reason,
            now=self.now(),
            scheduled_for=occurrence,
        )

    async def _claim(
        self, sub: Subscription, day: dt.date, occurrence: dt.datetime, deadline: dt.datetime
    ) -> Claim | None:
        """Our claim on ``key``, waiting out a live lease held by another run; None when there is nothing to do."""
        while True:
            claim = await claims.claim(
                self.state,
                post_key(sub.target, sub.deal, day),
                kind="brief",
                target=sub.target,
                deal=sub.deal,
                local_date=day,
                claimant=self.claimant,
                now=self.now(),
                lease=self.options.lease,
                scheduled_for=occurrence,
            )
            if claim.mine:
                return claim
            if claim.outcome is Outcome.DONE:
                return None
            # BUSY: someone holds a live lease. If it dies, its lease expires and we take over; if it posts, the
            # next look finds the row closed. A claim that outlives the window is closed by whoever wakes last.
            until = claim.post.lease_until or self.now()
            wait = (until - self.now()).total_seconds() + 0.05
            if self.now() > deadline + self.options.lease:
                return None
            await self.sleep(max(wait, 0.05))

    async def _look_for(self, delivery: Delivery, target: Target, key: str) -> tuple[bool, str | None]:
        """After a crash while sending: (known, message id or None). When the platform cannot tell, the claim is
        closed as uncertain: a repost might be a duplicate, which is worse than a gap."""
        if not isinstance(delivery, FindsPosts):
            await self._finish(
                key, PostState.UNCERTAIN, error="crashed while sending; this platform cannot be searched for the post"
            )
            log.error("briefing %s: a replica died while posting it and %s cannot be searched", key, target.platform)
            return False, None
        try:
            found = await delivery.find_post(target, key)
        except DeliveryError as exc:
            await self._finish(key, PostState.UNCERTAIN, error=f"crashed while sending; search failed: {exc}")
            return False, None
        return True, found

    def _retry_sleep(self, key: str, deadline: dt.datetime) -> Sleep:
        """Sleep between delivery retries: keep our lease alive, and stop retrying when the window closes."""

        async def sleep(seconds: float) -> None:
            if self.now() + dt.timedelta(seconds=seconds) > deadline:
                raise TransientDeliveryError("grace window over; no more retries")
            lease = max(self.options.lease, dt.timedelta(seconds=seconds) + self.options.lease)
            await claims.renew(self.state, key, self.claimant, now=self.now(), lease=lease)
            await self.sleep(seconds)

        return sleep

    async def _finish(
        self, key: str, outcome: PostState, *, message_id: str | None = None, error: str | None = None
    ) -> bool:
        return await claims.finish(
            self.state, key, self.claimant, outcome, now=self.now(), message_id=message_id, error=error
        )

    async def _pause(self, sub: Subscription, day: dt.date, exc: PermanentDeliveryError) -> None:
        """Stop posting to a channel that refuses us, say why, and tell the maintainers once."""
        reason = f"{exc.reason or 'refused'}: {exc}"
        if not await subscriptions.pause(self.state, sub.target, sub.deal, reason, now=self.now()):
            return  # already paused (by us or another replica): they have been told
        log.error("subscription %s paused: %s", sub.key, reason)
        if not self.maintainers:
            return
        target = Target.parse(self.maintainers)
        delivery = self.deliveries.get(target.platform)
        if delivery is None:
            return
        notice = Reply(
            title=f"Daily briefing paused for {sub.target}",
            tone=Tone.ERROR,
            sections=(
                Section(
                    text=f"The {day.isoformat()} briefing of **{sub.deal}** could not be posted: {reason}. "
                    "Fix access to the channel, then run /subscribe there again to resume."
                ),
            ),
        ).shared()
        try:
            await delivery.deliver(target, notice, f"notice|{sub.key}|{day.isoformat()}")
        except DeliveryError as notify_exc:
            log.error("could not tell the maintainers (%s): %s", self.maintainers, notify_exc)


def _minutes(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
