"""The fake Slack with Slack's limits on ``chat.postMessage``: one post per second per channel, and a workspace-wide
tier above that, each a token bucket; a post over either is answered ``429`` with a ``Retry-After`` in whole
seconds, as Slack answers it, and is not recorded.

Slack documents chat.postMessage as a special tier: "1 message per second to a specific channel", short bursts
allowed, and "several hundred messages per minute" to the workspace as a whole, with generous bursts. The
defaults here: 1 per second per channel with no burst (the strictest reading), and 600 a minute (10 per second)
for the workspace with a burst of 30. The fake also counts what a test or a benchmark wants to know: 429s by tier,
the most posts in flight at once, and when each post was accepted (on ``clock``, seconds).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.slack_api import Call, FakeSlack, _arguments


@dataclass
class Bucket:
    """``rate`` tokens a second, at most ``burst`` saved up; full at the start."""

    rate: float
    burst: float
    start: float | None = None  # tokens at the first post (None: a full bucket)
    tokens: float = 0.0
    updated: float | None = None

    def take(self, now: float) -> float:
        """Take a token and return 0, or return the seconds until one is there (nothing taken)."""
        if self.updated is None:
            self.tokens, self.updated = (self.burst if self.start is None else self.start), now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimitedSlack(FakeSlack):
    channel_rate: float = 1.0  # posts a second to one channel
    channel_burst: float = 1.0
    workspace_rate: float = 10.0  # posts a second to the workspace (600 a minute)
    workspace_burst: float = 30.0
    workspace_start: float | None = None  # posts the workspace takes at once at the start (None: a full burst)
    latency: float = 0.0  # seconds each post takes to answer (real Slack: around 0.1 to 0.3)
    clock: Callable[[], float] = time.monotonic
    limited: dict[str, int] = field(default_factory=lambda: {"channel": 0, "workspace": 0})
    accepted: dict[str, list[float]] = field(default_factory=dict)  # channel -> when each post was taken
    in_flight: int = 0
    max_in_flight: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        self._channels: dict[str, Bucket] = {}
        self._workspace = Bucket(self.workspace_rate, self.workspace_burst, self.workspace_start)
        self._busy: set[str] = set()

    def busy(self, channel: str) -> None:
        """The app posted in ``channel`` a moment before its next post arrives: that post gets a per-channel 429."""
        self._busy.add(channel)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "chat.postMessage":
            return await super()._api(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            args = await _arguments(request)
            channel = str(args.get("channel") or "")
            now = self.clock()
            if channel in self._busy:
                self._busy.discard(channel)
                return self._limit("channel", 1.0)
            wait = self._channel(channel).take(now)
            if wait:
                return self._limit("channel", wait)
            wait = self._workspace.take(now)
            if wait:
                self._channel(channel).tokens += 1  # the channel's token was not used after all
                return self._limit("workspace", wait)
            # The body is read once (aiohttp cannot read it again), so the parent's dispatch is called directly.
            token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            self.calls.append(Call("chat.postMessage", args, token))
            response = self._dispatch("chat.postMessage", args)
            self.accepted.setdefault(channel, []).append(now)
            return response
        finally:
            self.in_flight -= 1

    def _channel(self, channel: str) -> Bucket:
        return self._channels.setdefault(channel, Bucket(self.channel_rate, self.channel_burst))

    def _limit(self, tier: str, wait: float) -> web.Response:
        self.limited[tier] += 1
        headers = {"Retry-After": str(max(1, math.ceil(wait)))}
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
