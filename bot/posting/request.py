"""What is to be posted once, and how it ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import PermanentDeliveryError
from bot.reply import Reply
from bot.targets import Target


class PostKind(StrEnum):
    """The ``kind`` column of the post log."""

    BRIEFING = "brief"
    WATCH_ALERT = "alert"
    STORE_ALERT = "store-alert"
    PAUSE_NOTICE = "notice"
    REVIEW_DUE = "review"  # one direct message to a document's owner when it falls due (bot.alerts.review_due)


@dataclass(frozen=True, slots=True)
class PostRequest:
    kind: PostKind
    key: str  # the claim key, also carried in the post so it can be found again
    target: Target
    deal: str  # the deal (or ``deal/topic``, ``(store)``) the post is about, for the log
    local_date: dt.date
    deadline: dt.datetime  # no claim is waited for, no retry started, no repost made after this
    reply: Reply | None = None  # or composed once the claim is won (see Poster.post)
    scheduled_for: dt.datetime | None = None


class PostOutcome(StrEnum):
    SENT = "sent"
    FOUND = "found"  # an earlier attempt's post was found by its key and recorded; not posted again
    DONE = "done"  # another run (or replica) already dealt with this key, or took it over from us
    SKIPPED = "skipped"  # too late to post: recorded as skipped
    FAILED = "failed"
    REFUSED = "refused"  # a permanent delivery error: the target will not take posts until a human acts
    UNCERTAIN = "uncertain"  # it may have gone out and the platform cannot tell: never reposted blindly
    NOT_OURS = "not_ours"  # this replica has no delivery for that platform; one that has will post


@dataclass(frozen=True, slots=True)
class PostResult:
    outcome: PostOutcome
    message_id: str | None = None
    error: str | None = None
    refusal: PermanentDeliveryError | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome in (PostOutcome.SENT, PostOutcome.FOUND)
