"""Start a coroutine at once, on the caller's turn of the event loop, as Python 3.12's eager tasks do.

Most slash commands are answered from caches without ever waiting (``/status tariffs`` in Slack HTTP mode): run
as a task, each cost a task, a turn of the event loop to start it and another to wake its waiter. Started eagerly,
such an answer is done before :func:`start` returns; one that does wait goes on as an ordinary task from where it
stopped, in the same copy of the context vars.

Until its first wait the coroutine runs in the caller's task: ``asyncio.current_task()`` there is the caller's, so an
``asyncio.timeout`` entered before that wait would cancel the caller (an HTTP request, whose ack is then never sent)
rather than the coroutine. Code that may run eagerly bounds its waits with ``asyncio.wait_for`` instead.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def start(coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """``coro`` run up to its first wait; a done future when it never waited, else a task that carries on."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    try:
        waiting_on = context.run(coro.send, None)
    except StopIteration as stop:
        done: asyncio.Future[T] = loop.create_future()
        done.set_result(stop.value)
        return done
    except asyncio.CancelledError:
        cancelled: asyncio.Future[T] = loop.create_future()
        cancelled.cancel()
        return cancelled
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # as a task would: the failure is the future's, for whoever awaits it
        failed: asyncio.Future[T] = loop.create_future()
        failed.set_exception(exc)
        return failed
    return loop.create_task(_carry_on(_Resumed(coro, waiting_on)), context=context)


async def _carry_on(resumed: _Resumed[T]) -> T:
    return await resumed


class _Resumed(Generic[T]):
    """``coro``, already suspended on ``waiting_on``: awaiting it hands that wait to the task, then resumes it."""

    def __init__(self, coro: Coroutine[Any, Any, T], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, None, T]:
        pending = self.waiting_on
        while True:
            try:
                yield pending  # the task waits for what the coroutine was waiting for
            except GeneratorExit:
                self.coro.close()
                raise
            except BaseException as exc:  # cancelled (or thrown into) while waiting: the coroutine handles it
                try:
                    pending = self.coro.throw(exc)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                continue
            return (yield from self.coro.__await__())


__all__ = ["start"]
