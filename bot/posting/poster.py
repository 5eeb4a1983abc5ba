"""claim -> compose -> deliver -> finish, once, for every post that must go out exactly once.

The rules that make a second post impossible, each the answer to a fault seen from outside:

- Only this module retries a post. Adapters never let their SDK repeat a call that creates a post (a dropped
  connection after the platform recorded it made slack_sdk post twice); they raise ``TransientDeliveryError`` with
  ``uncertain=True`` when the post may exist.
- After an uncertain outcome (ours, or a dead claimant's ``sending`` row) the post is looked for by its key, and
  looked for again for ``late_commit`` (a platform may record it after the caller gave up), before posting again.
  Where the platform cannot be searched, the claim is closed as uncertain: a gap is better than a duplicate.
- A call never outlives the claim: it is bounded by ``call_timeout`` (shorter than the lease) and a heartbeat renews
  the lease while it is in flight; a retry that cannot finish before the deadline is not started, and a
  ``Retry-After`` is waited out by us, with the lease renewed, never inside the SDK.
- A rate limit (``retry_after``) says the post was not taken: waiting it out is not a failed attempt, so it does
  not use up ``attempts``; the deadline (and ``rate_limits``) bound those waits instead. A busy workspace must not
  cost a channel its briefing.

With ``turns`` (:mod:`bot.posting.turns`) at most that many posts are at work at once; a post gives its turn up
while it waits out a Retry-After or a backoff, or another replica's lease, so other channels go on. It keeps it
while it looks for a late commit: the post may exist, and its lease must not lapse waiting for a turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from bot.delivery import Delivery, FindsPosts
from bot.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from bot.posting.policy import RetryPolicy
from bot.posting.request import PostOutcome, PostRequest, PostResult
from bot.posting.turns import Turns
from bot.reply import Reply
from bot.state import State, claims
from bot.state.claims import Claim, Outcome, PostState

log = logging.getLogger(__name__)

Now = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]
Kill = Callable[[str], None]
OnResult = Callable[[PostRequest, PostResult], None]  # how every post ended (the metrics count it)
OnRetryAfter = Callable[[PostRequest, float], None]  # a platform's Retry-After about to be waited out, in seconds


def _no_kill(point: str) -> None:
    return None


def _no_result(request: PostRequest, result: PostResult) -> None:
    return None


def _no_wait(request: PostRequest, seconds: float) -> None:
    return None


@dataclass(frozen=True)
class PostHooks:
    """Observers of every post, passed down by the composition root (the metrics): they never change an outcome."""

    on_result: OnResult = _no_result
    on_retry_after: OnRetryAfter = _no_wait


@dataclass
class _Turn:
    """The turn of the post running in this task (a context variable: the waits are deep in the call)."""

    turns: Turns
    task: asyncio.Task[object] | None  # a task started inside a post copies the variable; only this one may nap
    held: bool = False


_TURN: ContextVar[_Turn | None] = ContextVar("briefbot_post_turn", default=None)


class _LeaseLapsed(Exception):
    """Our lease lapsed between marking the post "sending" and making the call: the call was not made."""


class _ClaimLost(Exception):
    """Our lease was taken over while a call was in flight; the new owner looks for the post before posting."""


class Poster:
    def __init__(
        self,
        *,
        state: State,
        deliveries: Mapping[str, Delivery],
        claimant: str,
        now: Now,
        sleep: Sleep = asyncio.sleep,
        policy: RetryPolicy = RetryPolicy(),
        kill: Kill = _no_kill,
        hooks: PostHooks | None = None,
        turns: Turns | None = None,
    ) -> None:
        self.turns = turns  # at most this many posts at work at once (a batch due together); None: no bound
        self.state = state
        self.deliveries = deliveries
        self.claimant = claimant
        self.now = now
        self.sleep = sleep  # waits that the tests' controlled clock should see pass (leases, retries)
        self.policy = policy
        self.kill = kill  # named crash points for the exactly-once tests (bot.scheduler.killpoints)
        self.hooks = hooks or PostHooks()

    async def post(self, request: PostRequest, compose: Callable[[], Reply] | None = None) -> PostResult:
        """Post ``request.reply`` (or what ``compose`` returns, called only once the claim is ours) exactly once."""
        result = await self._in_turn(request, compose)
        try:
            self.hooks.on_result(request, result)
        except Exception:  # an observer must never change what happened to a post
            log.exception("%s: on_result failed", request.key)
        return result

    async def _in_turn(self, request: PostRequest, compose: Callable[[], Reply] | None) -> PostResult:
        if self.turns is None:
            return await self._post(request, compose)
        turn = _Turn(self.turns, asyncio.current_task())
        token = _TURN.set(turn)
        try:
            await self.turns.take()  # before the claim: a post waiting for its turn holds no lease
            turn.held = True
            return await self._post(request, compose)
        finally:
            _TURN.reset(token)
            if turn.held:
                self.turns.give()

    async def _nap(self, seconds: float) -> None:
        """Sleep, with this post's turn given to another meanwhile and taken back (before new posts) after."""
        turn = _TURN.get()
        if turn is None or not turn.held or turn.turns is not self.turns or turn.task is not asyncio.current_task():
            await self.sleep(seconds)
            return
        turn.turns.give()
        turn.held = False
        await self.sleep(seconds)
        await turn.turns.take(resuming=True)
        turn.held = True

    async def _post(self, request: PostRequest, compose: Callable[[], Reply] | None) -> PostResult:
        delivery = self.deliveries.get(request.target.platform)
        if delivery is None:
            log.info("no %s delivery here; leaving %s to a replica that has one", request.target.platform, request.key)
            return PostResult(PostOutcome.NOT_OURS)
        claim = await self._claim(request)
        if claim is None:
            return PostResult(PostOutcome.DONE)
        self.kill("after_claim")
        if self.now() > request.deadline and claim.outcome is Outcome.TAKEN_OVER:
            return await self._close(request.key, PostState.SKIPPED, "claimant died; too late to post")
        try:
            reply = compose() if compose is not None else request.reply
            if reply is None:
                raise ValueError("nothing to post: neither a reply nor a way to compose one")
        except Exception as exc:  # a bug here would fail the same way on every replica: close the claim
            log.exception("%s could not be composed", request.key)
            return await self._close(request.key, PostState.FAILED, f"could not compose: {exc!r}")
        if claim.outcome is Outcome.TAKEN_OVER_SENDING:
            # Its claimant died mid-call. A call starts only while its lease covers it (``_while_live``), so it
            # started no later than a call_timeout before the lease ran out: a late commit is seen within
            # late_commit of that.
            since = self.now() - dt.timedelta(seconds=self.policy.call_timeout)
            settled = await self._settle(delivery, request, "crashed while sending", since=since)
            if settled is not None:
                return settled
            if self.now() > request.deadline:
                return await self._close(request.key, PostState.SKIPPED, "claimant died while sending; not found")
        return await self._send(delivery, request, reply)

    async def _claim(self, request: PostRequest) -> Claim | None:
        """Our claim on the key, waiting out a live lease held by another run; None when there is nothing to do."""
        while True:
            claim = await claims.claim(
                self.state,
                request.key,
                kind=request.kind.value,
                target=str(request.target),
                deal=request.deal,
                local_date=request.local_date,
                claimant=self.claimant,
                now=self.now(),
                lease=self.policy.lease,
                scheduled_for=request.scheduled_for,
            )
            if claim.mine:
                return claim
            if claim.outcome is Outcome.DONE:
                return None
            # BUSY: a live lease. Its holder renews it while working; if it dies, the lease expires and we take
            # over. A claim that outlives the window is closed by whoever wakes last.
            if self.now() > request.deadline + self.policy.lease:
                return None
            until = claim.post.lease_until or self.now()
            remaining = (until - self.now()).total_seconds() + 0.05
            await self._nap(min(max(remaining, 0.05), self.policy.busy_poll))

    async def _send(self, delivery: Delivery, request: PostRequest, reply: Reply) -> PostResult:
        key, target, policy = request.key, request.target, self.policy
        last: TransientDeliveryError | None = None
        attempt = limited = 0  # failed attempts, and rate limits waited out (they are not failures)
        while True:
            if not await claims.mark_sending(self.state, key, self.claimant, now=self.now(), lease=policy.lease):
                log.warning("%s: claim lost before sending (lease expired); leaving it to its new owner", key)
                return PostResult(PostOutcome.DONE)
            started = self.now()
            # The call must end inside the lease just set: one that starts later (a stalled process) could post
            # after another replica took the claim over and looked for it.
            live_until = started + policy.lease - dt.timedelta(seconds=policy.call_timeout)
            self.kill("before_call")
            try:
                message_id = await self._call(self._while_live(delivery.deliver(target, reply, key), live_until), key)
            except _LeaseLapsed:
                if self.now() > request.deadline:
                    break
                log.warning("%s: the lease lapsed before the call went out; renewing it first", key)
                continue
            except _ClaimLost:
                log.warning("%s: claim taken over during the call; its new owner looks before posting", key)
                return PostResult(PostOutcome.DONE)
            except PermanentDeliveryError as exc:
                result = await self._close(key, PostState.FAILED, f"permanent: {exc.reason or exc}")
                return PostResult(PostOutcome.REFUSED, error=result.error, refusal=exc)
            except TransientDeliveryError as exc:
                last = exc
                if exc.uncertain:
                    settled = await self._settle(delivery, request, f"uncertain outcome ({exc})", since=started)
                    if settled is not None:
                        return settled
                if exc.retry_after is not None and not exc.uncertain:
                    limited += 1
                    if limited > policy.rate_limits:
                        break
                else:
                    attempt += 1
                    if attempt >= policy.attempts:
                        break
                wait = exc.retry_after if exc.retry_after is not None else policy.backoff(attempt)
                if self.now() + dt.timedelta(seconds=wait + policy.call_timeout) > request.deadline:
                    log.error("%s: %s; a retry in %.0f s would end past the deadline: giving up", key, exc, wait)
                    break
                if exc.retry_after is not None:
                    log.info("%s to %s: %s; posting again in %.1fs, as asked", key, target, exc, wait)
                    with contextlib.suppress(Exception):  # an observer must never stop a retry
                        self.hooks.on_retry_after(request, wait)
                else:
                    log.warning(
                        "%s to %s failed (%s); retry %d/%d in %.1fs",
                        key,
                        target,
                        exc,
                        attempt,
                        policy.attempts - 1,
                        wait,
                    )
                await self._wait_holding(key, wait)
            except Exception as exc:  # an adapter bug: the post may or may not exist, so never retry it blindly
                log.exception("%s: delivery raised", key)
                return await self._close(key, PostState.FAILED, f"delivery raised {exc!r}")
            else:
                self.kill("after_deliver")
                if not await self._finish(key, PostState.SENT, message_id=message_id):
                    log.error("%s was posted (%s) but its claim had moved on", key, message_id)
                return PostResult(PostOutcome.SENT, message_id=message_id)
        return await self._close(key, PostState.FAILED, f"transient, retries exhausted: {last}")

    async def _while_live(self, call: Coroutine[object, object, str], live_until: dt.datetime) -> str:
        """``call``, started only if the lease still covers it (checked when the call's task first runs)."""
        if self.now() > live_until:
            call.close()  # never started: nothing went out
            raise _LeaseLapsed
        return await call

    async def _call(self, call: Awaitable[str], key: str) -> str:
        """Await one platform call, renewing the lease every ``heartbeat`` seconds, for at most ``call_timeout``."""
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(call)
        give_up = loop.time() + self.policy.call_timeout
        try:
            while True:
                remaining = give_up - loop.time()
                if remaining <= 0:
                    raise TransientDeliveryError(
                        f"no answer within {self.policy.call_timeout:g} s; the post may exist", uncertain=True
                    )
                done, _ = await asyncio.wait({task}, timeout=min(self.policy.heartbeat, remaining))
                if done:
                    return task.result()
                if not await self._renew(key, 0.0):
                    raise _ClaimLost(key)
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    async def _settle(
        self, delivery: Delivery, request: PostRequest, why: str, *, since: dt.datetime
    ) -> PostResult | None:
        """After an uncertain outcome: the recorded result if the post is found (or cannot be looked for), None
        if it surely did not go out (not found, and no late commit can still appear)."""
        key, target = request.key, request.target
        if not isinstance(delivery, FindsPosts):
            log.error("%s: %s, and %s cannot be searched: not reposting", key, why, target.platform)
            return await self._close(key, PostState.UNCERTAIN, f"{why}; this platform cannot be searched for the post")
        last_look = since + self.policy.late_commit
        # Bounded by count as well as by time, so a clock that does not move (a test's) cannot spin here.
        looks = int(self.policy.late_commit.total_seconds() // max(self.policy.look_interval, 0.001)) + 2
        for _ in range(looks):
            try:
                found = await delivery.find_post(target, key)
            except DeliveryError as exc:
                return await self._close(key, PostState.UNCERTAIN, f"{why}; the search failed: {exc}")
            if found is not None:
                log.info("%s had gone out after all (%s): recorded, not reposted", key, found)
                await self._finish(key, PostState.SENT, message_id=found)
                return PostResult(PostOutcome.FOUND, message_id=found)
            if self.now() >= last_look:
                break
            # The turn is kept: the post may exist, so the lease must not lapse while this run waits for a turn.
            wait = min(self.policy.look_interval, (last_look - self.now()).total_seconds())
            await self._wait_holding(key, wait, give_turn=False)
        return None

    async def _wait_holding(self, key: str, seconds: float, *, give_turn: bool = True) -> None:
        """Sleep with the claim's lease extended past the wake-up, so no replica takes over meanwhile. The turn is
        given up only where a lapsed lease would be harmless: the post surely did not go out (a rate limit, or an
        uncertain attempt already looked for), so a replica taking over would post it once."""
        await self._renew(key, seconds)
        if give_turn:
            await self._nap(seconds)
        else:
            await self.sleep(seconds)

    async def _renew(self, key: str, extra: float) -> bool:
        lease = self.policy.lease + dt.timedelta(seconds=extra)
        try:
            return await claims.renew(self.state, key, self.claimant, now=self.now(), lease=lease)
        except Exception:  # the database is away: the call timeout, shorter than the lease, still bounds us
            log.warning("%s: could not renew the claim", key, exc_info=True)
            return True

    async def _finish(
        self, key: str, outcome: PostState, *, message_id: str | None = None, error: str | None = None
    ) -> bool:
        return await claims.finish(
            self.state, key, self.claimant, outcome, now=self.now(), message_id=message_id, error=error
        )

    async def _close(self, key: str, state: PostState, error: str) -> PostResult:
        await self._finish(key, state, error=error)
        outcome = {
            PostState.SKIPPED: PostOutcome.SKIPPED,
            PostState.UNCERTAIN: PostOutcome.UNCERTAIN,
        }.get(state, PostOutcome.FAILED)
        return PostResult(outcome, error=error)
