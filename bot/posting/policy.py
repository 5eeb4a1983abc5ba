"""The one retry policy for posts that must go out once, with the reasons for its defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    # Rate limits (a Retry-After) waited out per post. They are not failed attempts: the deadline bounds them; this
    # only stops a platform that never lets up (or a clock that never moves) from keeping a post forever.
    rate_limits: int = 100
    base_delay: float = 2.0  # seconds before the second attempt, doubled each time, unless Retry-After says
    max_delay: float = 60.0
    # How long a claim is held without news from its claimant; renewed by a heartbeat while a call is in flight.
    lease: dt.timedelta = dt.timedelta(minutes=2)
    # One platform call may take this long (real seconds) before it is given up as uncertain. Kept well inside the
    # lease, so a call can never outlive a claim even if the heartbeat cannot reach the database.
    call_timeout: float = 30.0
    # A post can be recorded by the platform after its caller gave up on it (Slack has been seen committing a post
    # 40 s after a 30 s client timeout). After an uncertain outcome, look for the post again for this long before
    # concluding that it did not go out.
    late_commit: dt.timedelta = dt.timedelta(seconds=60)
    look_interval: float = 15.0  # seconds between those looks
    heartbeat: float = 20.0  # real seconds between lease renewals while a call is in flight
    busy_poll: float = 1.0  # seconds between looks at a claim another replica holds (it usually closes soon)

    def __post_init__(self) -> None:
        if self.call_timeout >= self.lease.total_seconds():
            raise ValueError("call_timeout must be shorter than the lease, or a call could outlive its claim")
        if self.heartbeat >= self.lease.total_seconds():
            raise ValueError("heartbeat must be shorter than the lease")

    def backoff(self, attempt: int) -> float:
        return float(min(self.base_delay * 2 ** (attempt - 1), self.max_delay))
