"""Briefbot's exceptions, in one tree. Foreign errors are wrapped with ``raise ... from exc``.

    BriefbotError
    ├── UserError               the user's input is wrong; the message tells them how to fix it
    │   ├── UnknownCommand
    │   └── BadArgument
    ├── Clarify                 not an error: the answer is a question (carries the Reply to send)
    ├── ConfigError             configuration is invalid or incomplete
    └── DeliveryError           a reply could not be delivered to a target
        ├── TransientDeliveryError   try again later (rate limit, timeout, 5xx); may carry retry_after, and says
        │                            whether the post may exist anyway (``uncertain``: look before posting again)
        └── PermanentDeliveryError   retrying will not help (archived, not in channel, revoked token)

The router maps these to replies by walking the exception's MRO (see ``bot.router``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.reply import Reply


class BriefbotError(Exception):
    """Base of every error Briefbot raises on purpose."""


class UserError(BriefbotError):
    """Input that cannot be answered as given; ``str(error)`` is shown to the user."""


class UnknownCommand(UserError):
    pass


class BadArgument(UserError):
    pass


class Clarify(BriefbotError):
    """Raised by a handler whose answer is a question, such as "which deal?"; the router returns ``reply``."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.title)
        self.reply = reply


class ConfigError(BriefbotError):
    pass


class DeliveryError(BriefbotError):
    def __init__(self, message: str, *, target: str | None = None) -> None:
        super().__init__(message)
        self.target = target


class TransientDeliveryError(DeliveryError):
    """``uncertain``: the platform may have recorded the post (a dropped connection, a timeout, a 5xx on a create),
    so whoever retries must look for it by its key first. A rate limit is certain: nothing was posted."""

    def __init__(
        self, message: str, *, target: str | None = None, retry_after: float | None = None, uncertain: bool = False
    ) -> None:
        super().__init__(message, target=target)
        self.retry_after = retry_after
        self.uncertain = uncertain


class PermanentDeliveryError(DeliveryError):
    """``reason`` is a short code such as ``not_in_channel`` or ``missing_permissions``; ``fix`` says, in the
    platform's own terms, what a human should do (the adapter knows them; handlers only show it)."""

    def __init__(self, message: str, *, target: str | None = None, reason: str = "", fix: str = "") -> None:
        super().__init__(message, target=target)
        self.reason = reason
        self.fix = fix
