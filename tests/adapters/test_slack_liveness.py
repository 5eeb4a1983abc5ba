"""Slack Socket Mode liveness: a revoked app token is reported and ends the service, never retried silently.

The real slack_bolt / slack_sdk Socket Mode client against the loopback fake Slack; ``/healthz`` read with httpx
from the app's own aiohttp server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.adapters.slack import SlackService
from bot.app import App
from bot.errors import ConfigError
from bot.health import PartFailed
from tests.adapters.conftest import socket_app, started
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def app(tmp_path: Path, fake_slack: FakeSlack) -> App:
    return socket_app(tmp_path, fake_slack)


@pytest.fixture
async def healthz(app: App) -> AsyncIterator[httpx.AsyncClient]:
    runner = web.AppRunner(app.http, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        yield client
    await runner.cleanup()


async def _health(client: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await client.get("/healthz")
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def test_a_revoked_app_token_turns_healthz_to_503_naming_slack_and_why(
    app: App, fake_slack: FakeSlack, healthz: httpx.AsyncClient
) -> None:
    service = await started(app, fake_slack)
    try:
        await fake_slack.slash_command("/who", "lindqvist")  # answered: the session is up, and reported so
        status, body = await _health(healthz)
        assert (status, body["status"], body["parts"]["slack"]["state"]) == (200, "ok", "ok")

        opens = len(fake_slack.calls_to("apps.connections.open"))
        await fake_slack.revoke_app_token()
        async with asyncio.timeout(10):
            await app.health.fatal.wait()

        status, body = await _health(healthz)
        assert status == 503 and body["status"] == "down"
        slack = body["parts"]["slack"]
        assert slack["state"] == "down"
        assert "invalid_auth" in slack["reason"] and "SLACK_APP_TOKEN" in slack["reason"]
        assert len(fake_slack.calls_to("apps.connections.open")) == opens + 1  # asked once, then gave up
    finally:
        await service.stop()


async def test_a_dropped_socket_that_reconnects_stays_healthy(
    app: App, fake_slack: FakeSlack, healthz: httpx.AsyncClient
) -> None:
    service = await started(app, fake_slack)
    try:
        await fake_slack.disconnect()
        await fake_slack.connected()
        await fake_slack.slash_command("/who", "lindqvist")  # answered on the new session
        status, body = await _health(healthz)
        assert (status, body["parts"]["slack"]["state"]) == (200, "ok")
        assert not app.health.fatal.is_set()
    finally:
        await service.stop()


async def test_an_app_token_refused_at_start_fails_the_start_with_the_reason(app: App, fake_slack: FakeSlack) -> None:
    fake_slack.app_token_error = "invalid_auth"
    service = app.platform_service("slack")
    with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN.*invalid_auth"):
        async with asyncio.timeout(10):
            await service.start()
    assert len(fake_slack.calls_to("apps.connections.open")) == 1  # not retried forever


async def test_a_refused_websocket_at_start_fails_the_start_instead_of_hanging(app: App, fake_slack: FakeSlack) -> None:
    fake_slack.websocket_refused = True
    service = app.platform_service("slack")
    assert isinstance(service, SlackService)
    service.connect_timeout, service.ping_interval = 1.0, 0.1
    with pytest.raises(ConfigError, match="did not connect within 1 s"):
        async with asyncio.timeout(10):
            await service.start()


async def test_run_stops_with_the_reason_when_socket_mode_fails_for_good(app: App, fake_slack: FakeSlack) -> None:
    running = asyncio.create_task(app.run(console=False))
    await fake_slack.connected()
    await fake_slack.revoke_app_token()
    with pytest.raises(PartFailed, match=r"^slack failed: Slack refused SLACK_APP_TOKEN"):
        async with asyncio.timeout(15):
            await running
