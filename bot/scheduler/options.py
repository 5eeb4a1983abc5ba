"""The scheduler's knobs, with the reasons for their defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
