"""At most ``max_concurrent_commands`` evaluations run at once; a command queued behind them is acked at once
("Working on it") and answered through the response_url when its turn comes."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from aiohttp import web

from bot.adapters.slack import WORKING
from bot.app import App
from bot.commands import Command, CommandSpec
from bot.context import Context
from bot.credentials import Secrets
from bot.reply import Reply, Section
from bot.router import CommandDef, Router
from bot.store import load_store
from handlers import CORE_COMMANDS
from tests.adapters.conftest import APP_TOKEN, BOT_TOKEN, slack_settings, started
from tests.adapters.test_slack_e2e import texts
from tests.fakes.slack_api import FakeSlack


def held_command(release: asyncio.Event, running: list[str], busy: asyncio.Event, *, at: int = 1) -> CommandDef:
    """A command that waits for ``release``; ``busy`` is set once ``at`` of them are running."""

    async def slow(command: Command, ctx: Context) -> Reply:
        running.append(command.arg)
        if len(running) >= at:
            busy.set()
        await release.wait()
        running.remove(command.arg)
        return Reply(title=f"Slow {command.arg}", sections=(Section(text="Done."),))

    return CommandDef(CommandSpec("slow", "Takes its time."), slow)


async def test_the_router_runs_at_most_limit_handlers_and_queues_the_rest(tmp_path: Path) -> None:
    release = asyncio.Event()
    running: list[str] = []
    busy = asyncio.Event()
    router = Router([held_command(release, running, busy, at=2)], limit=2)
    ctx = Context(store=load_store(Path("briefings")), today=dt.date(2025, 5, 2))
    tasks = [asyncio.create_task(router.handle_text(f"/slow {n}", ctx)) for n in ("a", "b", "c")]
    await asyncio.wait_for(busy.wait(), timeout=30)
    for _ in range(20):  # give the third every chance to start: it must not
        await asyncio.sleep(0)
    assert sorted(running) == ["a", "b"]
    assert router.saturated
    release.set()
    replies = await asyncio.gather(*tasks)
    assert [r.title for r in replies] == ["Slow a", "Slow b", "Slow c"]
    assert not router.saturated


async def test_a_command_queued_behind_the_limit_is_acked_at_once_and_answered_later(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    release = asyncio.Event()
    running: list[str] = []
    busy = asyncio.Event()
    settings = slack_settings(tmp_path, fake_slack).model_copy(update={"max_concurrent_commands": 1})
    app = App(
        settings,
        Secrets(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN),
        commands=[*CORE_COMMANDS, held_command(release, running, busy)],
    )
    service = await started(app, fake_slack)
    service.ack_budget = 60.0  # a queued command must not wait out the budget: it is acked as soon as it queues
    try:
        first = asyncio.create_task(fake_slack.slash_command("/slow", "first"))
        await asyncio.wait_for(busy.wait(), timeout=30)
        ack = await asyncio.wait_for(fake_slack.slash_command("/status", "cod"), timeout=30)
        assert ack == {"text": WORKING, "response_type": "ephemeral"}
        release.set()
        assert (await first)["blocks"][0]["text"]["text"] == "Slow first"
        follow_up = await asyncio.wait_for(fake_slack.next_response(), timeout=30)
    finally:
        release.set()
        await service.stop()
    assert "two seasons" in texts(follow_up)


class HeldLocales(FakeSlack):
    """A fake Slack whose ``users.info`` (the reader's language, asked before a command is evaluated) answers only
    once ``release`` is set: commands wait there without holding an evaluation slot."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.asked = asyncio.Event()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "users.info":
            self.asked.set()
            await self.release.wait()
        return await super()._api(request)


async def test_commands_in_flight_count_toward_the_limit_even_before_they_are_evaluated(tmp_path: Path) -> None:
    # a burst: every command is still in its first await when the next arrives, so no evaluation slot is taken yet
    fake = HeldLocales()
    await fake.start()
    settings = slack_settings(tmp_path, fake).model_copy(update={"max_concurrent_commands": 1})
    app = App(settings, Secrets(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN))
    service = await started(app, fake)
    service.ack_budget = 60.0
    try:
        first = asyncio.create_task(fake.slash_command("/status", "cod", user="U0FIRST1"))
        await asyncio.wait_for(fake.asked.wait(), timeout=30)
        ack = await asyncio.wait_for(fake.slash_command("/status", "cod", user="U0SECND2"), timeout=30)
        assert ack == {"text": WORKING, "response_type": "ephemeral"}
        fake.release.set()
        assert "two seasons" in texts(await first)
        assert "two seasons" in texts(await asyncio.wait_for(fake.next_response(), timeout=30))
    finally:
        fake.release.set()
        await service.stop()
        await fake.close()
