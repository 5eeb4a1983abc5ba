"""Slack HTTP mode, what a slash command's answer looks like to Slack: the ack carries the answer (ephemeral or in
the channel, Block Kit), a slow answer is acked with "Working on it" and follows through the response_url, a
rendering bug still acks politely, a chart is uploaded after the ack, and every command is counted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.adapters.slack import RENDER_FAILED, WORKING, SlackService
from bot.app import App
from bot.commands import Command, CommandSpec
from bot.context import Context
from bot.credentials import Secrets
from bot.reply import Attachment, Reply, Section, Visibility
from bot.router import CommandDef
from handlers import CORE_COMMANDS
from tests.adapters.conftest import BOT_TOKEN, SIGNING_SECRET, slack_settings, slow_command
from tests.adapters.test_slack_http import PATH, signed
from tests.fakes.slack_api import FakeSlack


@asynccontextmanager
async def http_bot(
    tmp_path: Path, fake: FakeSlack, commands: Sequence[CommandDef] = CORE_COMMANDS, prefix: str = ""
) -> AsyncIterator[tuple[App, SlackService, httpx.AsyncClient]]:
    app = App(
        slack_settings(tmp_path, fake, mode="http", command_prefix=prefix),
        Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET),
        commands=commands,
    )
    service = app.platform_service("slack")
    assert isinstance(service, SlackService)
    runner = await app.start_http()
    assert runner is not None
    await service.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}", timeout=30) as client:
            yield app, service, client
    finally:
        await service.stop()
        await runner.cleanup()


async def command(client: httpx.AsyncClient, fake: FakeSlack, name: str, text: str = "") -> httpx.Response:
    body = urlencode(fake.command_payload(name, text))
    return await client.post(PATH, content=body, headers=signed(body))


def announce(visibility: Visibility) -> CommandDef:
    async def handle(command: Command, ctx: Context) -> Reply:
        return Reply(title="Levy news", sections=(Section(text="The levy **stays**."),), visibility=visibility)

    return CommandDef(CommandSpec("announce", "Says something."), handle)


async def test_the_ack_is_json_with_the_answer_in_block_kit(tmp_path: Path, fake_slack: FakeSlack) -> None:
    async with http_bot(tmp_path, fake_slack) as (_, _, client):
        first = await command(client, fake_slack, "/status", "cod")
        again = await command(client, fake_slack, "/status", "cod")  # the same answer, served again

    for response in (first, again):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        answer = response.json()
        assert answer["response_type"] == "ephemeral"
        assert answer["text"].startswith("Cod quota")
        assert answer["blocks"][0]["text"]["text"] == "Cod quota"
    assert first.json() == again.json()
    assert fake_slack.responses == []  # the answer rode in the ack: nothing through the response_url


async def test_only_the_commands_registered_with_their_prefix_are_answered(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with http_bot(tmp_path, fake_slack, prefix="trade-") as (_, _, client):
        ours = await command(client, fake_slack, "/trade-status", "cod")
        unprefixed = await command(client, fake_slack, "/status", "cod")
        shouting = await command(client, fake_slack, "/TRADE-STATUS", "cod")

    assert ours.json()["blocks"][0]["text"]["text"] == "Cod quota"
    assert unprefixed.status_code == shouting.status_code == 404  # bolt's answer to a command nobody listens to


@pytest.mark.parametrize(
    ("visibility", "shown"), [(Visibility.SHARED, "in_channel"), (Visibility.PRIVATE, "ephemeral")]
)
async def test_a_shared_answer_is_acked_in_the_channel_a_private_one_only_to_the_asker(
    tmp_path: Path, fake_slack: FakeSlack, visibility: Visibility, shown: str
) -> None:
    async with http_bot(tmp_path, fake_slack, [*CORE_COMMANDS, announce(visibility)]) as (_, _, client):
        response = await command(client, fake_slack, "/announce")

    answer = response.json()
    assert answer["response_type"] == shown
    assert answer["blocks"][0]["text"]["text"] == "Levy news"
    assert "The levy *stays*." in json.dumps(answer)


async def test_a_slow_answer_over_http_is_acked_at_once_and_follows_through_the_response_url(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    release = asyncio.Event()
    commands = [*CORE_COMMANDS, slow_command(release)]
    async with http_bot(tmp_path, fake_slack, commands) as (_, service, client):
        service.ack_budget = 0.01
        ack = await command(client, fake_slack, "/slow")
        release.set()
        follow_up = await fake_slack.next_response()

    assert ack.status_code == 200
    assert ack.json() == {"text": WORKING, "response_type": "ephemeral"}
    assert follow_up["blocks"][0]["text"]["text"] == "Slow answer"
    assert "Done *now*." in json.dumps(follow_up)
    assert follow_up["response_type"] == "ephemeral"
    assert follow_up["replace_original"] is True


async def test_a_rendering_bug_over_http_still_acks_politely(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("bug")

    async with http_bot(tmp_path, fake_slack) as (_, _, client):
        monkeypatch.setattr("bot.adapters.slack.render_message", broken)
        monkeypatch.setattr("bot.adapters.slack.render_ack", broken)
        response = await command(client, fake_slack, "/status", "cod")

    assert response.status_code == 200
    assert response.json() == {"text": RENDER_FAILED, "response_type": "ephemeral"}


async def test_a_chart_is_uploaded_after_the_ack(tmp_path: Path, fake_slack: FakeSlack) -> None:
    async def chart(command: Command, ctx: Context) -> Reply:
        picture = Attachment("progress.png", b"\x89PNG fake", "Progress over time")
        return Reply(title="Progress", sections=(Section(text="Up."),), attachments=(picture,))

    commands = [*CORE_COMMANDS, CommandDef(CommandSpec("chart", "Draws."), chart)]
    async with http_bot(tmp_path, fake_slack, commands) as (_, _, client):
        response = await command(client, fake_slack, "/chart")
        shared = await fake_slack.next_shared_file()

    assert response.json()["blocks"][0]["text"]["text"] == "Progress"
    assert "progress.png" in json.dumps(shared)


async def test_every_slash_command_over_http_is_counted(tmp_path: Path, fake_slack: FakeSlack) -> None:
    async with http_bot(tmp_path, fake_slack) as (app, _, client):
        for _ in range(3):
            await command(client, fake_slack, "/status", "cod")
        registry = app.metrics.registry

    assert registry.get_sample_value("briefbot_commands_total", {"command": "status", "outcome": "ok"}) == 3
    assert registry.get_sample_value("briefbot_answer_seconds_count", {"command": "status"}) == 3
