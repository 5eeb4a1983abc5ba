"""Slack HTTP mode in a burst (issue 22): every command is acked at once with "Working on it", the first ones
waiting in their ack budget included, and only a bounded number of answers are under way at a time (each asks
Slack for its reader's locale first); the rest wait their turn and are all answered through their response_urls."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bot.adapters.slack import WORKING, SlackService
from bot.app import App
from bot.credentials import Secrets
from tests.adapters.conftest import BOT_TOKEN, SIGNING_SECRET, slack_settings
from tests.adapters.test_slack_http import PATH, signed
from tests.adapters.test_slack_slow_locale import HeldLocales
from tests.fakes.slack_api import TIMEOUT


async def test_a_burst_is_acked_at_once_and_answered_a_few_at_a_time(tmp_path: Path) -> None:
    fake = HeldLocales()
    await fake.start()
    settings = slack_settings(tmp_path, fake, mode="http").model_copy(update={"max_concurrent_commands": 1})
    app = App(settings, Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET))
    service = app.platform_service("slack")
    assert isinstance(service, SlackService)
    service.in_flight = 2
    service.ack_budget = 3600.0  # the first command's ack would wait for its answer: only the burst releases it
    service.locales.timeout = 3600.0  # each answer holds at its locale lookup until the test lets them go
    runner = await app.start_http()
    assert runner is not None
    await service.start()

    async def post(client: httpx.AsyncClient, user: str) -> httpx.Response:
        body = urlencode(fake.command_payload("/status", "cod", user=user))
        return await client.post(PATH, content=body, headers=signed(body))

    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}", timeout=30) as client:
            first = asyncio.create_task(post(client, "U0FIRST"))
            await fake.holding(1)
            burst = [post(client, f"U0BURST{i}") for i in range(5)]
            acks = await asyncio.wait_for(asyncio.gather(first, *burst), TIMEOUT)
            await fake.holding(2)  # the first, and one more started from the backlog
            fake.held.set()
            answers = [await fake.next_response() for _ in acks]
    finally:
        fake.held.set()
        await service.stop()
        await runner.cleanup()
        await fake.close()
    assert [ack.json() for ack in acks] == [{"text": WORKING, "response_type": "ephemeral"}] * 6
    assert [answer["blocks"][0]["text"]["text"] for answer in answers] == ["Cod quota"] * 6
    assert fake.most_waiting == 2  # never more answers under way than service.in_flight
    assert len(fake.calls_to("users.info")) == 6
