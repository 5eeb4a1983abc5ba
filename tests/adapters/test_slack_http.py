"""Slack HTTP mode: requests to the route on the app's own aiohttp server, sent with httpx over loopback and signed
the way Slack signs them. Only a correctly signed, fresh request runs anything."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack import build_service, choose_mode
from bot.app import App
from bot.config import Secrets, SlackConfig
from bot.context import Context
from bot.errors import ConfigError
from bot.reply import Reply
from tests.adapters.conftest import BOT_TOKEN, SIGNING_SECRET, slack_settings
from tests.fakes.slack_api import FakeSlack

PATH = "/slack/events"


class Spy:
    """Stands in for ``router.handle_args`` to prove whether a request reached Briefbot at all."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, name: str, rest: str, ctx: Context) -> Reply:
        self.calls.append((name, rest))
        reply: Reply = await self.real(name, rest, ctx)
        return reply


@pytest.fixture
async def http_app(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[tuple[App, httpx.AsyncClient, Spy]]:
    secrets = Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET)
    app = App(slack_settings(tmp_path, fake_slack, mode="http"), secrets)
    service = build_service(app)  # mounts the route before the server starts
    spy = Spy(app.router.handle_args)
    app.router.handle_args = spy  # type: ignore[method-assign]
    runner = await app._start_http()
    assert runner is not None
    port = runner.addresses[0][1]
    await service.start()
    fake_slack.calls.clear()  # start-up's auth.test; each test looks at what its request caused
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield app, client, spy
    finally:
        await service.stop()
        await runner.cleanup()


def signed(body: str, *, secret: str = SIGNING_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


async def test_a_correctly_signed_slash_command_is_answered(
    http_app: tuple[App, httpx.AsyncClient, Spy], fake_slack: FakeSlack
) -> None:
    _, client, spy = http_app
    body = urlencode(fake_slack.command_payload("/status", "tariffs"))

    response = await client.post(PATH, content=body, headers=signed(body))

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "U.S. tariffs on Canadian goods"
    assert "25%" in json.dumps(answer) and "steel, aluminum" in json.dumps(answer)
    assert spy.calls == [("status", "tariffs")]


@pytest.mark.parametrize(
    ("why", "headers"),
    [
        ("wrong secret", lambda body: signed(body, secret="not-the-secret")),
        ("stale timestamp", lambda body: signed(body, age=301)),
        (
            "tampered body",
            lambda body: signed(body.replace("tariffs", "dairy")),
        ),
        ("unsigned", lambda body: {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_a_bad_or_stale_signature_gets_401_and_runs_nothing(
    http_app: tuple[App, httpx.AsyncClient, Spy], fake_slack: FakeSlack, why: str, headers: Any
) -> None:
    _, client, spy = http_app
    body = urlencode(fake_slack.command_payload("/status", "tariffs"))

    response = await client.post(PATH, content=body, headers=headers(body))

    assert response.status_code == 401, why
    assert "tariffs" not in response.text
    assert spy.calls == []
    assert fake_slack.calls == [] and fake_slack.responses == []


async def test_a_share_click_over_http_reposts_through_the_response_url(
    http_app: tuple[App, httpx.AsyncClient, Spy], fake_slack: FakeSlack
) -> None:
    _, client, _ = http_app
    payload = {
        "type": "block_actions",
        "team": {"id": "T0FAKE"},
        "user": {"id": "U0USER01"},
        "channel": {"id": "C0CHAN01"},
        "container": {"type": "message", "is_ephemeral": True, "channel_id": "C0CHAN01"},
        "response_url": f"{fake_slack.base_url}/respond/http-share",
        "actions": [{"type": "button", "action_id": "briefbot_share", "value": "/status tariffs"}],
    }
    body = urlencode({"payload": json.dumps(payload)})

    response = await client.post(PATH, content=body, headers=signed(body))
    posted = await fake_slack.next_response()

    assert response.status_code == 200
    assert posted["response_type"] == "in_channel"
    assert "25%" in json.dumps(posted["blocks"])


@pytest.mark.parametrize(
    ("mode", "secrets", "chosen"),
    [
        ("socket", {"slack_app_token": "xapp-1"}, "socket"),
        ("socket", {"slack_signing_secret": "s"}, "http"),  # only HTTP credentials: use them
        ("http", {"slack_signing_secret": "s"}, "http"),
        ("http", {"slack_app_token": "xapp-1"}, "socket"),
        ("socket", {}, None),
        ("http", {}, None),
    ],
)
def test_the_transport_follows_the_config_and_the_credentials_present(
    mode: str, secrets: dict[str, str], chosen: str | None
) -> None:
    config = SlackConfig(mode=mode)  # type: ignore[arg-type]
    given = Secrets(slack_bot_token=BOT_TOKEN, **secrets)
    if chosen is None:
        with pytest.raises(ConfigError):
            choose_mode(config, given)
    else:
        assert choose_mode(config, given) == chosen
