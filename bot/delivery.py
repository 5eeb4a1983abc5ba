"""Delivery: the one small protocol every adapter implements (retries live in :mod:`bot.posting`, nowhere else).

``deliver(target, reply, key)`` posts a reply and returns the platform's message id, or raises
:class:`~bot.errors.TransientDeliveryError` (worth retrying; ``uncertain`` when the post may exist anyway) or
:class:`~bot.errors.PermanentDeliveryError` (not). ``key`` is an idempotency key the adapter carries in the post
(Slack metadata, Discord nonce) so whoever is unsure whether a post went out can look for it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.reply import Reply
from bot.targets import Target


@runtime_checkable
class Delivery(Protocol):
    platform: str

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        """Post ``reply`` to ``target``; return the platform's message id."""
        ...


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
