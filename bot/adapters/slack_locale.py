"""The Slack user's language: slash commands and button clicks do not carry it, ``users.info`` does.

``users.info`` with ``include_locale=true`` (scope ``users:read``) gives ``user.locale`` such as ``fr-CA``. Each user
is asked once an hour at most, within a short timeout (inside the ack budget); a workspace that has not granted
``users:read`` answers ``missing_scope``, and then no one is asked again until a restart: answers fall back to the
channel's language.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT = 0.8  # seconds: a slow lookup answers in the channel's language rather than hold the answer
REMEMBER_SECONDS = 3600.0
_FOR_GOOD = {"missing_scope", "not_allowed_token_type", "no_permission", "invalid_auth"}


class SlackLocales:
    def __init__(self, client: AsyncWebClient, *, timeout: float = LOOKUP_TIMEOUT) -> None:
        self.client = client
        self.timeout = timeout
        self._known: dict[str, tuple[float, str | None]] = {}
        self.disabled = False

    async def locale(self, user: str | None) -> str | None:
        """The user's Slack locale (``fr-CA``), or None when unknown; never raises."""
        if not user or self.disabled:
            return None
        known = self._known.get(user)
        now = time.monotonic()
        if known is not None and now - known[0] < REMEMBER_SECONDS:
            return known[1]
        locale = await self._ask(user)
        self._known[user] = (now, locale)
        return locale

    async def _ask(self, user: str) -> str | None:
        try:
            # wait_for, not asyncio.timeout: the lookup starts eagerly on the HTTP request's turn of the loop
            # (bot.eager), where the "current task" a timeout cancels is the request's, which then drops its ack
            lookup = self.client.users_info(user=user, include_locale=True)
            response = await asyncio.wait_for(lookup, self.timeout)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) if exc.response is not None else ""
            if error in _FOR_GOOD:
                self.disabled = True
                log.warning(
                    "Slack users.info refused (%s): answers follow the channel's language; grant users:read "
                    "for each user's own",
                    error,
                )
            return None
        except (TimeoutError, OSError, ValueError) as exc:
            log.debug("no Slack locale for %s: %s", user, exc)
            return None
        data: Any = response.data if isinstance(response.data, dict) else {}
        locale = (data.get("user") or {}).get("locale")
        return str(locale) if locale else None
