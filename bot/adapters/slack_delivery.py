"""Posting to Slack for the scheduler: :class:`SlackDelivery` implements :class:`bot.delivery.Delivery`.

- ``chat.postMessage`` with link unfurling off, carrying the briefing's idempotency key in message
  ``metadata`` (``{"event_type": "briefbot_post", "event_payload": {"key": ...}}``), so a replica unsure whether
  a post went out can find it in ``conversations.history`` (:meth:`SlackDelivery.find_post`).
- ``chat.update`` for a reissued briefing (:meth:`SlackDelivery.update`).
- Direct messages: a target whose channel is ``@U123`` is opened with ``conversations.open`` first.
- :meth:`SlackDelivery.check` tells a new subscription up front that the bot cannot post there.

Retries of posts live in :mod:`bot.posting` only; this module classifies failures, and says when a post may exist
although the call failed (``uncertain``: a dropped connection, a timeout, a 5xx). The web client's SDK retry
handlers (see :func:`make_web_client`) never repeat ``chat.postMessage``: a connection dropped after Slack recorded a
post made the SDK post it twice, and a ``Retry-After`` waited out inside the SDK outlived the claim's lease.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_render import render_message
from bot.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from bot.reply import Reply
from bot.targets import Target

log = logging.getLogger(__name__)

EVENT_TYPE = "briefbot_post"
HISTORY_PAGE = 200
HISTORY_PAGES = 3  # a briefing being looked for is recent: a few hundred messages is plenty

# Retrying cannot help: the reason says what a human has to fix.
PERMANENT_REASONS: dict[str, str] = {
    "not_in_channel": "the bot is not in that channel: invite it with /invite @Briefbot",
    "channel_not_found": "the channel does not exist or the bot cannot see it",
    "is_archived": "the channel is archived",
    "account_inactive": "the bot's token belongs to a deactivated account or an uninstalled app",
    "token_revoked": "the bot token was revoked: reinstall the app",
    "invalid_auth": "the bot token is not valid: check SLACK_BOT_TOKEN",
    "not_authed": "no bot token was sent: check SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a scope it needs: reinstall it from the manifest",
    "restricted_action": "the workspace does not allow the bot to post there",
    "cannot_dm_bot": "bots cannot be sent direct messages",
    "user_not_found": "no such user",
    "user_disabled": "that user is deactivated",
    "msg_too_long": "the message was too long",
    "invalid_blocks": "Slack refused the message layout",
}
# What a human does about each refusal, in Slack's own terms (shown by /subscribe and in pause notices).
FIXES = {
    "not_in_channel": "Invite Briefbot to the channel (type `/invite @Briefbot` there), then run /subscribe again.",
    "channel_not_found": "Briefbot cannot see that channel: invite it, or check the channel id.",
    "is_archived": "That channel is archived: pick another one.",
}
TRANSIENT_REASONS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}

T = TypeVar("T")


def make_web_client(token: str, base_url: str, *, timeout: int = 30) -> AsyncWebClient:
    """An ``AsyncWebClient`` for ``base_url`` (GovSlack, tests) whose SDK retries (connection errors, rate limits,
    one 5xx) apply to every call except those that create a post."""
    return AsyncWebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",  # the SDK joins paths onto it
        timeout=timeout,
        retry_handlers=[
            _ConnectionErrorRetryHandler(),
            _RateLimitErrorRetryHandler(max_retry_count=1),
            _ServerErrorRetryHandler(max_retry_count=1),
        ],
    )


POST_CREATING_METHODS = ("chat.postMessage",)


def _creates_post(request: HttpRequest) -> bool:
    return request.url.rstrip("/").rsplit("/", 1)[-1] in POST_CREATING_METHODS


class _NeverRepeatsPosts(AsyncRetryHandler):
    """Mixed into each SDK retry handler: a call that creates a post is never repeated by the SDK; the post-once
    path decides, after looking for the post by its key."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _creates_post(request):
            return False
        return bool(await super()._can_retry_async(state=state, request=request, response=response, error=error))


class _ConnectionErrorRetryHandler(_NeverRepeatsPosts, AsyncConnectionErrorRetryHandler):
    pass


class _RateLimitErrorRetryHandler(_NeverRepeatsPosts, AsyncRateLimitErrorRetryHandler):
    pass


class _ServerErrorRetryHandler(_NeverRepeatsPosts, AsyncServerErrorRetryHandler):
    pass


class SlackDelivery:
    platform = "slack"

    def __init__(self, client: AsyncWebClient, *, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix
        self._dm_channels: dict[str, str] = {}

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        """Post ``reply`` visibly in ``target``; return the message ``ts``. A failure after which the post may
        exist raises ``TransientDeliveryError(uncertain=True)``: never post again without looking for ``key``."""
        channel = await self.channel_id(target)
        message = render_message(reply, prefix=self.prefix, share=False)
        try:
            response = await self._call(
                target,
                self.client.chat_postMessage(
                    channel=channel,
                    text=message["text"],
                    blocks=message["blocks"],
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata=_metadata(key),
                ),
            )
        except TransientDeliveryError as exc:
            if exc.retry_after is not None:  # a rate limit means "not posted"
                raise
            raise TransientDeliveryError(str(exc), target=exc.target, uncertain=True) from exc
        return str(response["ts"])

    async def update(self, target: Target, message_id: str, reply: Reply, key: str) -> str:
        """Replace a posted briefing (a reissue) in place with ``chat.update``; return its ``ts``."""
        channel = await self.channel_id(target)
        message = render_message(reply, prefix=self.prefix, share=False)
        response = await self._call(
            target,
            self.client.chat_update(
                channel=channel,
                ts=message_id,
                text=message["text"],
                blocks=message["blocks"],
                metadata=_metadata(key),
            ),
        )
        return str(response["ts"])

    async def find_post(self, target: Target, key: str, *, oldest: float | None = None) -> str | None:
        """The ``ts`` of the message carrying idempotency ``key`` in ``target``'s recent history, if any."""
        channel = await self.channel_id(target)
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            args: dict[str, Any] = {"channel": channel, "limit": HISTORY_PAGE, "include_all_metadata": True}
            if oldest is not None:
                args["oldest"] = f"{oldest:.6f}"
            if cursor:
                args["cursor"] = cursor
            response = await self._call(target, self.client.conversations_history(**args))
            for message in response.get("messages") or []:
                if _carries_key(message, key):
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return None

    async def check(self, target: Target) -> None:
        """Raise :class:`PermanentDeliveryError` if posting to ``target`` would fail (not invited, archived,
        unknown): reading one message of history needs the same membership as posting does."""
        channel = await self.channel_id(target)
        await self._call(target, self.client.conversations_history(channel=channel, limit=1))

    async def channel_id(self, target: Target) -> str:
        """The channel to post in: the target's own, or the DM channel opened for ``@U123``."""
        if target.platform != self.platform:
            raise PermanentDeliveryError(f"{target} is not a Slack target", target=str(target), reason="wrong_platform")
        if not target.is_direct:
            return target.channel
        user = target.channel[1:]
        if user not in self._dm_channels:
            response = await self._call(target, self.client.conversations_open(users=user))
            self._dm_channels[user] = str(response["channel"]["id"])
        return self._dm_channels[user]

    async def _call(self, target: Target, call: Awaitable[T]) -> T:
        try:
            return await call
        except SlackApiError as exc:
            raise delivery_error(exc, target) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:  # asyncio.TimeoutError is TimeoutError on 3.11
            raise TransientDeliveryError(f"Slack could not be reached ({exc!r})", target=str(target)) from exc


def delivery_error(exc: SlackApiError, target: Target) -> DeliveryError:
    """Classify a Slack API error as transient (worth a retry) or permanent (with a reason a human can act on)."""
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    error = str(data.get("error") or "") if isinstance(data, Mapping) else ""
    where = str(target)
    if status == 429 or error == "ratelimited":
        retry_after = _retry_after(getattr(response, "headers", None))
        return TransientDeliveryError(f"Slack rate limit on {where}", target=where, retry_after=retry_after)
    if error in PERMANENT_REASONS:
        return PermanentDeliveryError(
            f"{where}: {PERMANENT_REASONS[error]}", target=where, reason=error, fix=FIXES.get(error, "")
        )
    if status >= 500 or error in TRANSIENT_REASONS:
        return TransientDeliveryError(f"Slack error on {where}: {error or status}", target=where)
    return PermanentDeliveryError(f"{where}: Slack refused the post ({error or status})", target=where, reason=error)


def _retry_after(headers: Any) -> float:
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if str(name).lower() == "retry-after":
                raw = value[0] if isinstance(value, list | tuple) and value else value
                try:
                    return max(float(raw), 0.0)
                except (TypeError, ValueError):
                    break
    return 1.0  # Slack always sends one; be patient if it did not


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def _carries_key(message: Mapping[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == EVENT_TYPE and (metadata.get("event_payload") or {}).get("key") == key


__all__ = ["EVENT_TYPE", "PERMANENT_REASONS", "SlackDelivery", "delivery_error", "make_web_client"]
