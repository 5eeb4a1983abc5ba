"""Incoming webhooks (Slack, Discord, Microsoft Teams Workflows) as deliveries, over httpx.

A webhook target names its URL, never holds it: ``teams-webhook:ops`` posts to the secret ``BRIEFBOT_WEBHOOK_OPS``
(or the file ``BRIEFBOT_WEBHOOK_OPS_FILE`` names). Whoever has the URL can post as the bot, so it is treated like a
token: read from the environment only, never written to config, errors or logs (``Secrets.values`` gives it to the
log redactor, and the errors raised here never quote it).

What "exactly once" means for a webhook. A webhook can post but cannot read, so an earlier post cannot be looked
for by its key (these deliveries do not implement ``FindsPosts``). The post-once path (``bot.posting``) still
claims the post before sending it, so replicas and restarts never both send it; what is given up is the repair of
an uncertain outcome. The rules:

- a failure that surely happened before the platform saw the request (the connection could not be opened, a rate
  limit, a 4xx refusal) is certain: retried (or refused) as for any platform;
- a failure after the request was sent (a timeout waiting for the answer, a dropped connection, a 5xx) is
  *uncertain*: the post may exist. It is never sent again; the claim is closed as ``uncertain`` and the
  maintainers' channel is told which briefing may be missing (see ``bot.scheduler.runner``). A gap that a person
  is told about is better than a duplicate no one can take back;
- a crash between sending and recording (the ``after_deliver`` kill point) leaves a ``sending`` claim; whoever
  takes it over cannot look, so it closes it as ``uncertain`` in the same way.

The same key goes in every post (Discord's embed footer, the Teams card's last line) so a reader can tell a resend.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from bot.adapters.discord_render import render_embed
from bot.adapters.slack_render import render_message
from bot.adapters.teams_render import message, render_card
from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.reply import Reply
from bot.targets import WEBHOOKS, Target

UrlOf = Callable[[str], "str | None"]  # a webhook name -> its URL (from the secrets), or None
NO_MENTIONS: dict[str, list[str]] = {"parse": []}  # Discord: nothing in a briefing may ping anyone
GONE = (401, 403, 404, 410)  # the webhook was deleted, disabled, or its URL is wrong


def variable_for(target: Target) -> str:
    from bot.credentials import WEBHOOK_PREFIX, webhook_env_name

    return WEBHOOK_PREFIX + webhook_env_name(target.channel)


def payload(target: Target, reply: Reply, key: str) -> dict[str, Any]:
    """The JSON body posted for ``reply`` to a webhook target (also what ``briefbot brief`` prints)."""
    if target.platform == "slack-webhook":
        body = render_message(reply, share=False)
        return {**body, "unfurl_links": False, "unfurl_media": False}
    if target.platform == "discord-webhook":
        return {"embeds": [render_embed(reply, key=key).to_dict()], "allowed_mentions": NO_MENTIONS}
    if target.platform == "teams-webhook":
        return message(render_card(reply, key=key))
    raise ValueError(f"{target} is not a webhook target")


class WebhookDelivery:
    """One delivery per webhook platform (``slack-webhook``, ``discord-webhook``, ``teams-webhook``)."""

    def __init__(
        self,
        platform: str,
        url_of: UrlOf,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if platform not in WEBHOOKS:
            raise ValueError(f"{platform} is not a webhook platform")
        self.platform = platform
        self._url_of = url_of
        self._timeout = timeout
        self._transport = transport

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        """POST the rendered reply once; return the platform's message id (Discord) or a receipt."""
        url = self._url(target)
        if self.platform == "discord-webhook":
            url = str(httpx.URL(url).copy_merge_params({"wait": "true"}))  # answer with the message, and its id
        body = payload(target, reply, key)
        where = str(target)
        # A client per post: a few posts a day, and no connection outlives an event loop (one-shot commands).
        # httpx never retries a request that reached the server, and redirects are not followed (a moved
        # webhook is a configuration error, not something to post to blindly).
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
            try:
                response = await client.post(url, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                raise TransientDeliveryError(
                    f"{where}: the webhook could not be reached ({type(exc).__name__})", target=where
                ) from None  # ``from None``: httpx's exceptions carry the URL
            except httpx.TransportError as exc:
                raise TransientDeliveryError(
                    f"{where}: no answer from the webhook after sending ({type(exc).__name__}); the post may exist",
                    target=where,
                    uncertain=True,
                ) from None
        return _receipt(response, target, key)

    async def check(self, target: Target) -> None:
        """A subscription to a webhook whose URL is not set is refused when it is made, not at 08:00."""
        self._url(target)

    def _url(self, target: Target) -> str:
        if target.platform != self.platform:
            raise PermanentDeliveryError(f"{target} is not a {self.platform} target", target=str(target))
        url = self._url_of(target.channel)
        if not url:
            name = variable_for(target)
            raise PermanentDeliveryError(
                f"{target}: no URL is set for webhook '{target.channel}'",
                target=str(target),
                reason="no_webhook_url",
                fix=f"Set {name} (or {name}_FILE) in Briefbot's environment to the webhook's URL and restart it.",
            )
        return url


def _receipt(response: httpx.Response, target: Target, key: str) -> str:
    where, status = str(target), response.status_code
    if 200 <= status < 300:
        if target.platform == "discord-webhook":
            try:
                return str(response.json()["id"])
            except (ValueError, KeyError, TypeError):
                pass
        for header in ("x-slack-req-id", "x-ms-workflow-run-id"):
            if response.headers.get(header):
                return response.headers[header]
        return f"webhook-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    said = _said(response)
    if status == 429:
        raise TransientDeliveryError(f"{where}: rate limited", target=where, retry_after=_retry(response))
    if status >= 500:  # the platform may have recorded the post before failing
        raise TransientDeliveryError(f"{where}: webhook error {status} {said}".strip(), target=where, uncertain=True)
    if status in GONE:
        name = variable_for(target)
        raise PermanentDeliveryError(
            f"{where}: the webhook is gone or its URL is wrong ({status} {said})".strip(),
            target=where,
            reason="webhook_gone",
            fix=f"Make a new incoming webhook, set {name} to its URL, and run /subscribe again.",
        )
    raise PermanentDeliveryError(
        f"{where}: the webhook refused the post ({status} {said})".strip(), target=where, reason="webhook_refused"
    )


def _said(response: httpx.Response) -> str:
    """A short reason from the answer (Slack: ``no_service``; Discord: ``Unknown Webhook``), never a URL."""
    text = response.text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("message"):
        text = str(data["message"])
    text = text.split("\n", 1)[0][:80]
    return "" if "://" in text else text


def _retry(response: httpx.Response) -> float:
    raw: Any = response.headers.get("retry-after")
    if raw is None:
        try:
            raw = response.json().get("retry_after")  # Discord puts it in the body, in seconds
        except (ValueError, AttributeError):
            raw = None
    try:
        return max(float(raw), 0.0)
    except (TypeError, ValueError):
        return 1.0


__all__ = ["WebhookDelivery", "payload", "variable_for"]
