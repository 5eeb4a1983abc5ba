"""Discord liveness: a gateway close discord.py will not retry (4004, the token was reset) is reported, not hidden.

The real discord.py client against the loopback fake Discord; ``/healthz`` read with httpx from the app's own
aiohttp server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.app import App
from bot.health import PartFailed
from tests.adapters.conftest_discord import connected, discord_app, running_fake
from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def app(tmp_path: Path, fake: FakeDiscord) -> App:
    return discord_app(tmp_path, fake)


@pytest.fixture
async def healthz(app: App) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the app's own HTTP server (its routes, its middleware), on a free loopback port."""
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


async def test_a_reset_token_turns_healthz_to_503_naming_discord_and_why(
    app: App, fake: FakeDiscord, healthz: httpx.AsyncClient
) -> None:
    async with connected(app, fake) as service:
        async with asyncio.timeout(5):
            await service.ready.wait()  # on_ready reports ok
        status, body = await _health(healthz)
        assert status == 200
        assert body["status"] == "ok"
        assert body["parts"]["discord"]["state"] == "ok"

        await fake.reset_token()
        async with asyncio.timeout(10):
            await app.health.fatal.wait()

        status, body = await _health(healthz)
        assert status == 503
        assert body["status"] == "down"
        discord = body["parts"]["discord"]
        assert discord["state"] == "down"
        assert "4004" in discord["reason"] and "DISCORD_TOKEN" in discord["reason"]


async def test_a_dropped_gateway_that_resumes_stays_healthy(
    app: App, fake: FakeDiscord, healthz: httpx.AsyncClient
) -> None:
    """A network blip (a resumable close) is not a failure: discord.py resumes and health says ok again."""
    async with connected(app, fake) as service:
        resumes = fake.resumes
        await fake.drop(4000)
        await fake.wait_until(lambda: fake.resumes > resumes)
        async with asyncio.timeout(10):
            await service.connected.wait()  # set again by on_resumed, which reports ok in the same step
        status, body = await _health(healthz)
        assert status == 200 and body["parts"]["discord"]["state"] == "ok"
        assert not app.health.fatal.is_set()


async def test_run_stops_with_the_reason_when_discord_fails_for_good(tmp_path: Path, fake: FakeDiscord) -> None:
    app = discord_app(tmp_path, fake)
    running = asyncio.create_task(app.run(console=False))
    await fake.wait_until(lambda: ("send", 0, "READY") in fake.gateway_log)
    await fake.reset_token()
    with pytest.raises(PartFailed) as failed:
        async with asyncio.timeout(15):
            await running
    assert str(failed.value).startswith("discord failed: the gateway closed with code 4004")
