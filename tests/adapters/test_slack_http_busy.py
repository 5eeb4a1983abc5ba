"""Slack HTTP mode with every evaluation slot taken (issue 22): a slash command is acked at once with "Working on
it" and answered through its response_url; what is not one of our commands still goes to bolt."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bot.adapters.slack import WORKING
from bot.app import App
from bot.credentials import Secrets
from handlers import CORE_COMMANDS
from tests.adapters.conftest import BOT_TOKEN, SIGNING_SECRET, slack_settings
from tests.adapters.test_command_limit import held_command
from tests.adapters.test_slack_http import PATH, signed
from tests.fakes.slack_api import FakeSlack


async def test_a_command_behind_a_full_router_is_acked_at_once_and_answered_later(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    release = asyncio.Event()
    running: list[str] = []
    busy = asyncio.Event()
    settings = slack_settings(tmp_path, fake_slack, mode="http").model_copy(update={"max_concurrent_commands": 1})
    app = App(
        settings,
        Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET),
        commands=[*CORE_COMMANDS, held_command(release, running, busy)],
    )
    service = app.platform_service("slack")
    runner = await app.start_http()
    assert runner is not None
    await service.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}", timeout=30) as client:
            slow = urlencode(fake_slack.command_payload("/slow", "first"))
            first = asyncio.create_task(client.post(PATH, content=slow, headers=signed(slow)))
            await asyncio.wait_for(busy.wait(), timeout=30)
            body = urlencode(fake_slack.command_payload("/status", "cod"))
            acked = await client.post(PATH, content=body, headers=signed(body))
            unknown = urlencode(fake_slack.command_payload("/nosuch", "x"))
            other = await client.post(PATH, content=unknown, headers=signed(unknown))
            release.set()
            assert (await first).json()["blocks"][0]["text"]["text"] == "Slow first"
            answer = await fake_slack.next_response()
    finally:
        release.set()
        await service.stop()
        await runner.cleanup()
    assert acked.status_code == 200
    assert acked.json() == {"text": WORKING, "response_type": "ephemeral"}
    assert answer["blocks"][0]["text"]["text"] == "Cod quota"
    assert "two seasons" in json.dumps(answer)
    assert answer["replace_original"] is True
    assert other.status_code == 404  # bolt's answer to a command nobody listens to, as before
