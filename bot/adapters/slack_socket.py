"""Slack Socket Mode that says how its connection is, and gives up when only a restart can help.

slack_sdk's Socket Mode client reconnects by itself, forever: with a revoked app token it logs
``invalid_auth`` every few seconds while the bot answers nobody. This client reports each state to a callback
(ok once a session is up, connecting while it reconnects) and, when Slack refuses the app token itself, stops
its reconnect loops and reports the connection down for good, so ``briefbot run`` exits and is restarted.
"""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.health import PartState

# apps.connections.open errors that no retry can fix: the app token is wrong, revoked or of the wrong kind.
REFUSED_TOKEN = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
    }
)

Report = Callable[[PartState, str], None]


def refused_reason(error: str) -> str:
    return (
        f"Slack refused SLACK_APP_TOKEN for Socket Mode ({error}): the token is wrong or was revoked; "
        "set a valid xapp- token with connections:write and restart"
    )


class ReportingSocketModeClient(SocketModeClient):
    def __init__(
        self, app_token: str, *, report: Report, logger: Logger, web_client: AsyncWebClient, ping_interval: float
    ) -> None:
        super().__init__(app_token=app_token, logger=logger, web_client=web_client, ping_interval=ping_interval)
        self._report = report

    async def issue_new_wss_url(self) -> str:
        try:
            url: str = await super().issue_new_wss_url()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in REFUSED_TOKEN:
                # The SDK's loops retry any error forever; ``closed`` is what ends them (as close() does).
                self.closed = True
                self._report(PartState.DOWN, refused_reason(error))
            raise
        return url

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        if not self.closed and not await self.is_connected():
            self._report(PartState.CONNECTING, "the Socket Mode connection was lost; reconnecting")
        await super().connect_to_new_endpoint(force)

    async def connect(self) -> None:
        await super().connect()  # type: ignore[no-untyped-call]
        session = self.current_session
        if not self.closed and session is not None and not session.closed:
            self._report(PartState.OK, "")


class ReportingSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler on a :class:`ReportingSocketModeClient`."""

    def __init__(self, app: AsyncApp, client: ReportingSocketModeClient) -> None:
        # Not super().__init__(): it would build a second client, with an aiohttp session left unclosed.
        self.app = app
        self.app_token = client.app_token
        self.client = client
        client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


__all__ = ["REFUSED_TOKEN", "ReportingSocketModeClient", "ReportingSocketModeHandler", "refused_reason"]
