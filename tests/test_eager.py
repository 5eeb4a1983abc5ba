"""bot.eager.start: a coroutine that never waits is done when start returns; one that waits carries on as a task,
cancellable, with its failures and context vars its own."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from bot import eager

where: contextvars.ContextVar[str] = contextvars.ContextVar("where", default="caller")


async def quick(value: int) -> int:
    where.set("inside")
    return value * 2


async def waits(gate: asyncio.Event, log: list[str]) -> str:
    where.set("inside")
    log.append("started")
    try:
        await gate.wait()
        await asyncio.sleep(0)
        return where.get()
    finally:
        log.append("finished")


async def test_a_coroutine_that_never_waits_is_done_at_once_and_its_context_stays_its_own() -> None:
    future = eager.start(quick(21))
    assert future.done() and future.result() == 42
    assert where.get() == "caller"


async def test_one_that_waits_has_started_and_carries_on_as_a_task() -> None:
    gate, log = asyncio.Event(), list[str]()
    future = eager.start(waits(gate, log))
    assert log == ["started"] and not future.done()
    gate.set()
    assert await future == "inside"
    assert log == ["started", "finished"] and where.get() == "caller"


async def test_cancelling_it_while_it_waits_reaches_the_coroutine() -> None:
    gate, log = asyncio.Event(), list[str]()
    future = eager.start(waits(gate, log))
    await asyncio.sleep(0)
    future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await future
    assert log == ["started", "finished"]


async def test_a_failure_is_the_futures_whether_it_came_before_or_after_a_wait() -> None:
    async def fails_at_once() -> None:
        raise ValueError("at once")

    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise ValueError("later")

    for coro, message in ((fails_at_once(), "at once"), (fails_later(), "later")):
        with pytest.raises(ValueError, match=message):
            await eager.start(coro)
