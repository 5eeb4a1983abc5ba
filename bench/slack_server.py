"""Briefbot in Slack HTTP mode on its own HTTP server on loopback, against the loopback fake Slack: the real bolt
app behind the request guard, as the Slack HTTP benchmarks and the HTTP fuzz drive it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bot.app import App
from bot.config import HttpConfig, Settings, SlackConfig
from bot.credentials import Secrets
from bot.runtime import PlatformService
from tests.fakes.slack_api import FakeSlack


@dataclass(frozen=True)
class SlackServer:
    fake: FakeSlack
    app: App
    base_url: str  # Briefbot's HTTP server; Slack posts to ``/slack/events`` there
    service: PlatformService  # the Slack service behind it, for profiling its parts in-process


@asynccontextmanager
async def slack_http_bot(state_dir: Path, signing_secret: str) -> AsyncIterator[SlackServer]:
    fake = await FakeSlack().start()
    try:
        settings = Settings(
            as_of=dt.date(2025, 5, 2),
            state_url=f"sqlite+aiosqlite:///{state_dir}/state.db",
            http=HttpConfig(host="127.0.0.1", port=0),
            slack=SlackConfig(api_url=fake.api_url, mode="http"),
        )
        app = App(settings, Secrets(slack_bot_token="xoxb-bench", slack_signing_secret=signing_secret))
        await app.open_state()
        app.start_evaluator()  # as ``briefbot run`` does: /status is evaluated on the evaluation threads
        service = app.platform_service("slack")
        runner = await app.start_http()
        assert runner is not None
        try:
            await service.start()
            yield SlackServer(fake, app, f"http://127.0.0.1:{runner.addresses[0][1]}", service)
        finally:
            await service.stop()
            await runner.cleanup()
            if app.evaluator is not None:
                await app.evaluator.close()
            if app.state is not None:
                await app.state.close()
    finally:
        await fake.close()


def signed_headers(verifier: SignatureVerifier, body: str) -> dict[str, str]:
    """The headers of a slash-command POST signed as Slack signs it, stamped now."""
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
    }
