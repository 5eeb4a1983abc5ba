"""A probed part (the state database) under load: /healthz answers at once with what the part last said, asks it
one question at a time, and calls it down only when it has not answered for the probe timeout.

Before, every /healthz ran its own probe and called the part down after 2 s without an answer: in a burst of 1,000
commands the database query queued behind them and one health poll came back 503, which an orchestrator would
count towards restarting a bot that was busy, not broken.
"""

from __future__ import annotations

import asyncio

import pytest

from bot import health as health_module
from bot.health import Health, PartState


class GatedProbe:
    """A probe that answers only while its gate is open, counting the questions it was asked."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.asked = 0
        self.error: Exception | None = None

    async def __call__(self) -> tuple[PartState, str]:
        self.asked += 1
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return PartState.OK, "sqlite"


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_module, "PROBE_WAIT", 0.05)
    monkeypatch.setattr(health_module, "PROBE_TIMEOUT", 0.5)
    monkeypatch.setattr(health_module, "PROBE_FRESH", 0.0)  # each check asks (the tests below follow each question)


async def _state_of(health: Health) -> tuple[bool, str, str]:
    healthy, body = await health.report_json()
    part = body["parts"]["state"]
    return healthy, part["state"], part["reason"]


async def test_a_slow_answer_keeps_what_the_part_last_said() -> None:
    probe = GatedProbe()
    health = Health()
    health.probe("state", probe)
    try:
        probe.gate.set()
        assert await _state_of(health) == (True, "ok", "sqlite")
        probe.gate.clear()  # the database is slow now (a burst of commands ahead of the query)
        healthy, state, _ = await _state_of(health)
        assert (healthy, state) == (True, "ok")
        probe.gate.set()
        assert await _state_of(health) == (True, "ok", "sqlite")
    finally:
        await health.close()


async def test_many_health_checks_at_once_ask_the_part_once() -> None:
    probe = GatedProbe()
    health = Health()
    health.probe("state", probe)
    try:
        answers = await asyncio.gather(*(_state_of(health) for _ in range(20)))
        assert probe.asked == 1
        assert {state for _, state, _ in answers} == {"connecting"}  # no answer yet, and none before
        probe.gate.set()
        await asyncio.sleep(0)
        assert await _state_of(health) == (True, "ok", "sqlite")
    finally:
        await health.close()


async def test_a_part_silent_for_the_probe_timeout_is_down() -> None:
    probe = GatedProbe()
    health = Health()
    health.probe("state", probe)
    try:
        probe.gate.set()
        await _state_of(health)
        probe.gate.clear()  # hangs from now on
        await _state_of(health)
        await asyncio.sleep(health_module.PROBE_TIMEOUT + 0.1)
        healthy, state, reason = await _state_of(health)
        assert (healthy, state) == (False, "down")
        assert "no answer within" in reason
    finally:
        await health.close()


async def test_a_probe_that_fails_is_down_with_its_error() -> None:
    probe = GatedProbe()
    probe.error = ConnectionRefusedError("connection refused")
    probe.gate.set()
    health = Health()
    health.probe("state", probe)
    try:
        healthy, state, reason = await _state_of(health)
        assert (healthy, state) == (False, "down")
        assert "connection refused" in reason
    finally:
        await health.close()


async def test_checks_in_quick_succession_reuse_a_fresh_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """An orchestrator (or a load balancer) polling often costs the database one question per PROBE_FRESH, and a
    check during a burst answers at once instead of queueing a question behind the burst's own queries."""
    monkeypatch.setattr(health_module, "PROBE_FRESH", 3600.0)
    probe = GatedProbe()
    probe.gate.set()
    health = Health()
    health.probe("state", probe)
    try:
        answers = [await _state_of(health) for _ in range(5)]
        assert probe.asked == 1
        assert set(answers) == {(True, "ok", "sqlite")}
    finally:
        await health.close()
