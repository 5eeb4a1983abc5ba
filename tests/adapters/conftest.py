"""Fixtures for the Slack adapter tests: a fake Slack on loopback and Briefbot apps wired to it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack import SlackService
from bot.app import App
from bot.commands import Command, CommandSpec
from bot.config import HttpConfig, Settings, SlackConfig
from bot.context import Context
from bot.credentials import Secrets
from bot.delivery import Delivery
from bot.posting import Poster, PostKind, PostRequest, PostResult, RetryPolicy
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.state import open_state
from bot.targets import Target
from handlers import CORE_COMMANDS
from tests.conftest import SECOND_STORE
from tests.fakes.slack_api import FakeSlack

# Adapter tests run on the small fixture store, so they test the adapter, not the bundled content.
AS_OF = dt.date(2030, 3, 10)
BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def slack_settings(
    tmp_path: Path, fake: FakeSlack, *, store: Path = SECOND_STORE, as_of: dt.date = AS_OF, **slack: str
) -> Settings:
    return Settings(
        as_of=as_of,
        store=store,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        http=HttpConfig(host="127.0.0.1", port=0),
        slack=SlackConfig(api_url=fake.api_url, **slack),
    )


def socket_app(
    tmp_path: Path,
    fake: FakeSlack,
    *,
    commands: Sequence[CommandDef] = CORE_COMMANDS,
    store: Path = SECOND_STORE,
    as_of: dt.date = AS_OF,
    **slack: str,
) -> App:
    secrets = Secrets(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN)
    return App(slack_settings(tmp_path, fake, store=store, as_of=as_of, **slack), secrets, commands=commands)


def slow_command(release: asyncio.Event) -> CommandDef:
    """``/slow``: answers "Slow answer" only once ``release`` is set, so its ack budget runs out first."""

    async def slow(command: Command, ctx: Context) -> Reply:
        await release.wait()
        return Reply(title="Slow answer", sections=(Section(text="Done **now**."),))

    return CommandDef(CommandSpec("slow", "Takes its time."), slow)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.fixture
async def slack_app(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[App]:
    """A Briefbot app connected to the fake Slack over Socket Mode."""
    app = socket_app(tmp_path, fake_slack)
    service = app.platform_service("slack")
    await service.start()
    await fake_slack.connected()
    yield app
    await service.stop()


async def started(app: App, fake: FakeSlack) -> SlackService:
    service = app.platform_service("slack")
    assert isinstance(service, SlackService)
    await service.start()
    await fake.connected()
    return service


PostOnce = Callable[..., Awaitable[PostResult]]


@pytest.fixture
async def post_once(tmp_path: Path) -> AsyncIterator[PostOnce]:
    """Post through the one post-once path (bot.posting) on a real SQLite post log, as the scheduler does."""
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/posts.db")

    async def post(
        delivery: Delivery, target: Target, reply: Reply, key: str, *, sleep: Any = None, policy: Any = None
    ) -> PostResult:
        now = dt.datetime.now(dt.UTC)
        poster = Poster(
            state=state,
            deliveries={target.platform: delivery},
            claimant="test",
            now=lambda: dt.datetime.now(dt.UTC),
            sleep=sleep or asyncio.sleep,
            policy=policy or RetryPolicy(),
        )
        request = PostRequest(
            kind=PostKind.BRIEFING,
            key=key,
            target=target,
            deal="test",
            local_date=now.date(),
            deadline=now + dt.timedelta(minutes=30),
            reply=reply,
        )
        return await poster.post(request)

    yield post
    await state.close()
