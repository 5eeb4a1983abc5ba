"""The scheduler's knobs, with the reasons for their defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.posting import RetryPolicy


@dataclass(frozen=True, slots=True)
class SchedulerOptions:
    # A briefing up to this late is still this morning's briefing: after a restart or a stalled loop it is posted
    # once; later than this it is recorded as skipped rather than posted into the afternoon. Transient delivery
    # errors are retried only within this window too.
    grace: dt.timedelta = dt.timedelta(minutes=30)
    # How long a claim is held without news from its claimant. Longer than one platform call (the adapters' HTTP
    # timeouts are ~30 s), renewed between retries, and far shorter than ``grace`` so a dead replica's claim is
    # taken over while the briefing is still worth posting.
    lease: dt.timedelta = dt.timedelta(minutes=2)
    # How often subscriptions made from chat on any replica are re-read ("within a minute").
    reload_seconds: float = 30.0
    delivery_attempts: int = 5
    retry_base_delay: float = 2.0
    retry_max_delay: float = 60.0
    # One platform call is given up as uncertain after this long (real seconds); then the post is looked for, and
    # looked for again for ``late_commit`` before it is posted again (see bot.posting.poster).
    call_timeout: float = 30.0
    late_commit: dt.timedelta = dt.timedelta(seconds=60)
    heartbeat: float = 20.0

    def retry_policy(self) -> RetryPolicy:
        """The one retry policy, fitted inside the lease: a call and a heartbeat period both end well before it, and
        a late commit is looked for at most one lease long (a taken-over claim is already a lease old)."""
        lease = self.lease.total_seconds()
        return RetryPolicy(
            attempts=self.delivery_attempts,
            base_delay=self.retry_base_delay,
            max_delay=self.retry_max_delay,
            lease=self.lease,
            call_timeout=min(self.call_timeout, lease / 2),
            late_commit=min(self.late_commit, self.lease),
            look_interval=min(15.0, max(min(self.late_commit, self.lease).total_seconds() / 4, 0.01)),
            heartbeat=min(self.heartbeat, lease / 4),
        )
