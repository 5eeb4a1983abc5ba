"""Delivery: the one small protocol every adapter implements, and the one place retries live.

``deliver(target, reply, key)`` posts a reply and returns the platform's message id, or raises
:class:`~bot.errors.TransientDeliveryError` (worth retrying) or :class:`~bot.errors.PermanentDeliveryError`
(not). ``key`` is an idempotency key the adapter carries in the post (Slack metadata, Discord nonce) so a
replica unsure whether a post went out can look for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.reply import Reply
from bot.targets import Target

log = logging.getLogger(__name__)


@runtime_checkable
class Delivery(Protocol):
    platform: str

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        """Post ``reply`` to ``target``; return the platform's message id."""
        ...


async def deliver_with_retry(
    delivery: Delivery,
    target: Target,
    reply: Reply,
    key: str,
    *,
    attempts: int = 5,
    base_delay: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> str:
    """Deliver, retrying transient errors with exponential backoff (honouring ``retry_after``).

    Permanent errors, and the last transient one, propagate to the caller.
    """
    delay = base_delay
    for attempt in range(1, attempts + 1):
        try:
            return await delivery.deliver(target, reply, key)
        except PermanentDeliveryError:
            raise
        except TransientDeliveryError as exc:
            if attempt == attempts:
                raise
            wait = exc.retry_after if exc.retry_after is not None else delay
            log.warning("delivery to %s failed (%s); retry %d/%d in %.1fs", target, exc, attempt, attempts - 1, wait)
            await sleep(min(wait, max_delay))
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")


# Optional abilities a Delivery may also have (check with isinstance). The scheduler and /subscribe use them
# when present and say what they could not do when absent.


@runtime_checkable
class FindsPosts(Protocol):
    async def find_post(self, target: Target, key: str) -> str | None:
        """The message id of a recent post in ``target`` carrying idempotency ``key``, or None if there is none.

        Asked before reposting after a crash *while sending*; raise a DeliveryError if the platform cannot tell.
        """
        ...


@runtime_checkable
class EditsPosts(Protocol):
    async def update(self, target: Target, message_id: str, reply: Reply, key: str) -> str:
        """Replace a post in place (Slack ``chat.update``, Discord message edit); return its message id."""
        ...


@runtime_checkable
class ChecksTargets(Protocol):
    async def check(self, target: Target) -> None:
        """Raise PermanentDeliveryError (reason ``not_in_channel``, ``missing_permissions``...) if a post to
        ``target`` would fail; used when a subscription is made."""
        ...
