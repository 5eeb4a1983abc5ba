"""One scheduled briefing, start to finish: the run for one (subscription, local date).

skip date? -> deal restricted away from the target? -> too late? -> claim -> compose (diff against the channel's
last posted snapshot) -> deliver with retries -> mark sent -> save the snapshot. Every step that can race another
replica goes through the claim row (see ``bot.state.claims``); APScheduler only decides when this runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum

from bot.briefing import BriefingOptions
from bot.briefing.snapshot import Snapshot, channel_briefing
from bot.config import SchedulerOptions
from bot.delivery import Delivery
from bot.errors import PermanentDeliveryError
from bot.i18n import DEFAULT
from bot.posting import Poster, PostHooks, PostKind, PostOutcome, PostRequest
from bot.posting.turns import Turns
from bot.reply import Reply, Section, Tone
from bot.schedule_plan import local_date, post_key
from bot.scheduler.killpoints import kill_point
from bot.state import State, claims, reviews, snapshots, subscriptions
from bot.state.subscriptions import Subscription
from bot.store import Store
from bot.store.index import EntityKind
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


def restricted_away(store: Store, deal_id: str, target: str) -> str | None:
    """Why ``target`` may not get this deal's briefing (its ``restricted_to`` leaves it out), else None."""
    deal = store.deals.get(deal_id)
    if deal is None or store.index.visible(EntityKind.DEAL, deal_id, None, target):
        return None
    return f"deal '{deal_id}' is restricted_to other targets, not {target}"


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
        hooks: PostHooks | None = None,
        channel_language: Callable[[str], str] = lambda target: DEFAULT,
    ) -> None:
        self.state = state
        self.channel_language = channel_language  # a target's language from config, for subscriptions without one
        self.commit = commit
        self.store = store
        self.deliveries = deliveries
        self.claimant = claimant
        self.options = options
        self.briefing_options = briefing_options
        self.maintainers = maintainers
        self.now = now
        self.poster = Poster(
            state=state,
            deliveries=deliveries,
            claimant=claimant,
            now=now,
            sleep=sleep,
            policy=options.retry_policy(),
            kill=kill,
            hooks=hooks,
            turns=Turns(options.post_concurrency),  # a batch due together goes out a few at a time
        )

    async def run(self, sub: Subscription, occurrence: dt.datetime) -> Result:
        day = local_date(sub, occurrence)
        key = post_key(sub.target, sub.deal, day)
        target = Target.parse(sub.target)
        if target.platform not in self.deliveries:
            log.info("no %s delivery on this replica; leaving %s to one that has it", target.platform, key)
            return Result.NOT_OURS
        if day in sub.skip_dates:
            await self._skip(sub, day, occurrence, "skip date")
            return Result.SKIPPED
        store = self.store()
        restricted = restricted_away(store, sub.deal, sub.target)
        if restricted is not None:  # never composed for a target off the deal's list, whatever the schedule says
            if await self._skip(sub, day, occurrence, restricted):
                log.error("briefing %s not posted: %s", key, restricted)
            return Result.SKIPPED
        late = self.now() - occurrence
        if late > self.options.grace:
            reason = f"missed by {_minutes(late)}, beyond the {_minutes(self.options.grace)} grace window"
            if await self._skip(sub, day, occurrence, reason):
                log.warning("briefing %s not posted: %s", key, reason)
            return Result.SKIPPED
        deal = store.deals.get(sub.deal)
        previous = await snapshots.previous(self.state, sub.target, sub.deal, before=day)
        reviewed = await reviews.reviewed_days(self.state)  # /verify: reviewed documents are not stale
        snapshot: list[Snapshot] = []  # what compose() saw, saved once the post is out

        def compose() -> Reply:
            if deal is None:
                raise LookupError(f"deal '{sub.deal}' is not in the store")
            reply, snap = channel_briefing(
                store,
                deal,
                day,
                viewer=sub.target,
                previous=previous.data if previous else None,
                previous_date=previous.local_date if previous else None,
                options=self.briefing_options,
                commit=self.commit(),
                reviewed=reviewed,
                language=sub.language or self.channel_language(sub.target),
            )
            snapshot.append(snap)
            return reply.shared()

        request = PostRequest(
            kind=PostKind.BRIEFING,
            key=key,
            target=target,
            deal=sub.deal,
            local_date=day,
            deadline=occurrence + self.options.grace,
            scheduled_for=occurrence,
        )
        result = await self.poster.post(request, compose)
        if result.delivered and snapshot:
            await snapshots.save(self.state, sub.target, sub.deal, day, snapshot[0], post_key=key, now=self.now())
        if result.outcome is PostOutcome.REFUSED and result.refusal is not None:
            await self._pause(sub, day, result.refusal)
        elif result.outcome is PostOutcome.FAILED:
            log.error("briefing %s failed: %s", key, result.error)
        elif result.outcome is PostOutcome.UNCERTAIN:
            await self._report_uncertain(sub, day, key, result.error or "uncertain outcome")
        return OUTCOMES[result.outcome]

    async def _report_uncertain(self, sub: Subscription, day: dt.date, key: str, why: str) -> None:
        """A briefing that may or may not have gone out, to a target that cannot be searched (a webhook, a
        mailbox): it is not sent again, and the maintainers are told once (the notice is claimed like a post)."""
        log.error("briefing %s may not have been delivered, and is not sent again: %s", key, why)
        if not self.maintainers or self.maintainers == sub.target:
            return
        notice = Reply(
            title=f"Daily briefing may be missing in {sub.target}",
            tone=Tone.ERROR,
            sections=(
                Section(
                    text=f"The {day.isoformat()} briefing of **{sub.deal}** may or may not have arrived ({why}). "
                    "Briefbot cannot look there, so it does not send it again: check the destination, and if it "
                    f"is missing, run `briefbot brief --channel {sub.target}` to see what it was."
                ),
            ),
        ).shared()
        await self._tell_maintainers(sub, day, f"uncertain|{key}", notice)

    async def _skip(self, sub: Subscription, day: dt.date, occurrence: dt.datetime, reason: str) -> bool:
        return await claims.record_skipped(
            self.state,
            post_key(sub.target, sub.deal, day),
            kind=PostKind.BRIEFING.value,
            target=sub.target,
            deal=sub.deal,
            local_date=day,
            reason=reason,
            now=self.now(),
            scheduled_for=occurrence,
        )

    async def _pause(self, sub: Subscription, day: dt.date, exc: PermanentDeliveryError) -> None:
        """Stop posting to a channel that refuses us, say why, and tell the maintainers once (claimed, retried)."""
        reason = f"{exc.reason or 'refused'}: {exc}"
        if not await subscriptions.pause(self.state, sub.target, sub.deal, reason, now=self.now()):
            return  # already paused (by us or another replica): the notice is theirs to send
        log.error("subscription %s paused: %s", sub.key, reason)
        if not self.maintainers:
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
        await self._tell_maintainers(sub, day, f"notice|{sub.key}|{day.isoformat()}", notice)

    async def _tell_maintainers(self, sub: Subscription, day: dt.date, key: str, notice: Reply) -> None:
        """A notice to the maintainers' channel, once per ``key`` (claimed and retried like a briefing)."""
        if not self.maintainers:
            return
        request = PostRequest(
            kind=PostKind.PAUSE_NOTICE,
            key=key,
            target=Target.parse(self.maintainers),
            deal=sub.deal,
            local_date=day,
            deadline=self.now() + self.options.grace,
            reply=notice,
        )
        result = await self.poster.post(request)
        if not result.delivered and result.outcome is not PostOutcome.DONE:
            log.error("could not tell the maintainers (%s): %s", self.maintainers, result.error or result.outcome)


OUTCOMES = {
    PostOutcome.SENT: Result.SENT,
    PostOutcome.FOUND: Result.FOUND,
    PostOutcome.DONE: Result.DONE,
    PostOutcome.SKIPPED: Result.SKIPPED,
    PostOutcome.FAILED: Result.FAILED,
    PostOutcome.REFUSED: Result.PAUSED,
    PostOutcome.UNCERTAIN: Result.UNCERTAIN,
    PostOutcome.NOT_OURS: Result.NOT_OURS,
}


def _minutes(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
