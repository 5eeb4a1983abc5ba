"""Posting anything that must go out exactly once: briefings, watch alerts, maintainers' alerts, pause notices.

``claim -> compose -> deliver (with one retry policy) -> finish``, written once in :mod:`bot.posting.poster`. The
claim row in the post log (:mod:`bot.state.claims`) makes replicas take turns; the key carried in the post (Slack
metadata, Discord nonce and footer) lets whoever is unsure whether a post went out look for it before posting again.
"""

from bot.posting.policy import RetryPolicy
from bot.posting.poster import Poster, PostHooks
from bot.posting.request import PostKind, PostOutcome, PostRequest, PostResult

__all__ = ["PostHooks", "PostKind", "PostOutcome", "PostRequest", "PostResult", "Poster", "RetryPolicy"]
