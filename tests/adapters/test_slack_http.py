"""Slack HTTP mode: requests to the route on the app's own aiohttp server, sent with httpx over loopback and signed
the way Slack signs them. Only a correctly signed, fresh request runs anything."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack import choose_mode
from bot.app import App
from bot.config import SlackConfig
from bot.context import Context
from bot.credentials import Secrets
from bot.errors import ConfigError
from bot.reply import Reply
from bot.throttled_log import ThrottledLog
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
    service = app.platform_service("slack")  # mounts the route before the server starts
    spy = Spy(app.router.handle_args)
    app.router.handle_args = spy  # type: ignore[method-assign]
    runner = await app.start_http()
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
    assert signature is not None
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


async def test_a_correctly_signed_slash_command_is_answered(
    http_app: tuple[App, httpx.AsyncClient, Spy], fake_slack: FakeSlack
) -> None:
    _, client, spy = http_app
    body = urlencode(fake_slack.command_payload("/status", "cod"))

    response = await client.post(PATH, content=body, headers=signed(body))

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Cod quota"
    assert "two seasons" in json.dumps(answer) and "patrol fleet" in json.dumps(answer)
    assert spy.calls == [("status", "cod")]


@pytest.mark.parametrize(
    ("why", "headers"),
    [
        ("wrong secret", lambda body: signed(body, secret="not-the-secret")),
        ("stale timestamp", lambda body: signed(body, age=301)),
        (
            "tampered body",
            lambda body: signed(body.replace("cod", "levy")),
        ),
        ("unsigned", lambda body: {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_a_bad_or_stale_signature_gets_401_and_runs_nothing(
    http_app: tuple[App, httpx.AsyncClient, Spy], fake_slack: FakeSlack, why: str, headers: Any
) -> None:
    _, client, spy = http_app
    body = urlencode(fake_slack.command_payload("/status", "cod"))

    response = await client.post(PATH, content=body, headers=headers(body))

    assert response.status_code == 401, why
    assert "Cod quota" not in response.text
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
        "actions": [{"type": "button", "action_id": "briefbot_share", "value": "/status cod"}],
    }
    body = urlencode({"payload": json.dumps(payload)})

    response = await client.post(PATH, content=body, headers=signed(body))
    posted = await fake_slack.next_response()

    assert response.status_code == 200
    assert posted["response_type"] == "in_channel"
    assert "two seasons" in json.dumps(posted["blocks"])


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
    config = SlackConfig(mode=mode)
    given = Secrets(slack_bot_token=BOT_TOKEN, **secrets)
    if chosen is None:
        with pytest.raises(ConfigError):
            choose_mode(config, given)
    else:
        assert choose_mode(config, given) == chosen


# --- hostile requests: junk must be refused cheaply, never answered with a 500 and a traceback -----------------


def sign_bytes(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Slack signs the raw bytes; slack_sdk's helper only takes text, so invalid UTF-8 is signed by hand."""
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def hostile(body: bytes, *, content_type: str = "application/x-www-form-urlencoded", **extra: bytes | str) -> Any:
    """Headers for ``body``, correctly signed unless ``extra`` overrides the timestamp or signature."""
    timestamp = str(int(time.time()))
    headers: dict[str, bytes | str] = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign_bytes(body, timestamp),
    }
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    return body, headers


COMMAND = b"command=%2Fstatus&text=cod&team_id=T0FAKE&channel_id=C0CHAN01&user_id=U0USER01"
HOSTILE = {
    "non-numeric timestamp": hostile(COMMAND, X_Slack_Request_Timestamp="soon"),
    "float timestamp": hostile(COMMAND, X_Slack_Request_Timestamp=f"{time.time()}"),
    "400-digit timestamp": hostile(COMMAND, X_Slack_Request_Timestamp="9" * 400),
    "5000-digit timestamp": hostile(COMMAND, X_Slack_Request_Timestamp="9" * 5000),
    "non-ASCII signature": hostile(COMMAND, X_Slack_Signature="v0=é".encode()),
    "invalid UTF-8 body": hostile(b"command=%2Fstatus&text=\xff\xfe"),
    "payload not an object": hostile(b"payload=%5B1%2C2%5D"),
    "payload a number": hostile(b"payload=1"),
    "payload not JSON": hostile(b"payload=%7Bnot-json"),
    "malformed JSON": hostile(b'{"type": "url_verification",', content_type="application/json"),
    "JSON not an object": hostile(b"[1, 2]", content_type="application/json"),
    "form body that looks like JSON": hostile(b"{command=/status"),
    "gzip on a plain body": hostile(COMMAND, Content_Encoding="gzip"),
    "unknown charset": hostile(COMMAND, content_type="application/x-www-form-urlencoded; charset=klingon"),
    "deeply nested JSON": hostile(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", content_type="application/json"),
}


@pytest.mark.parametrize("signed_correctly", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("why", list(HOSTILE))
async def test_hostile_requests_get_400_or_401_and_no_traceback(
    http_app: tuple[App, httpx.AsyncClient, Spy],
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    why: str,
    signed_correctly: bool,
) -> None:
    _, client, spy = http_app
    body, headers = HOSTILE[why]
    if not signed_correctly:
        headers = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}

    with caplog.at_level(logging.DEBUG):
        responses = [await client.post(PATH, content=body, headers=headers) for _ in range(3)]

    assert {r.status_code for r in responses} <= {400, 401}, why
    assert spy.calls == [] and fake_slack.calls == []
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], why
    assert "Traceback" not in caplog.text
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # three alike: logged once
    assert body.decode(errors="replace") not in caplog.text  # untrusted input stays out of the log


async def test_a_correctly_signed_json_event_still_reaches_bolt(http_app: tuple[App, httpx.AsyncClient, Spy]) -> None:
    _, client, _ = http_app
    body, headers = hostile(b'{"type": "url_verification", "challenge": "abc123"}', content_type="application/json")

    response = await client.post(PATH, content=body, headers=headers)

    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"}


def test_refusals_are_logged_once_a_minute_per_cause(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    throttled = ThrottledLog(logging.getLogger("test.throttled"), clock=lambda: now[0])

    with caplog.at_level(logging.WARNING, logger="test.throttled"):
        for _ in range(5):
            throttled.warning("malformed timestamp", "refused: %s", "malformed timestamp")
        throttled.warning("signature mismatch", "refused: %s", "signature mismatch")
        now[0] += 59.9
        throttled.warning("malformed timestamp", "refused: %s", "malformed timestamp")
        now[0] += 0.2
        throttled.warning("malformed timestamp", "refused: %s", "malformed timestamp")

    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "refused: malformed timestamp"),
        (logging.WARNING, "refused: signature mismatch"),
        (logging.WARNING, "refused: malformed timestamp (and 5 more like it since the last report)"),
    ]


async def test_a_public_bind_exposes_only_the_slack_route_and_healthz(
    http_app: tuple[App, httpx.AsyncClient, Spy],
) -> None:
    app, client, _ = http_app
    loaded = app.live_store.reloads
    proxied = {"X-Forwarded-For": "203.0.113.7"}  # a caller from outside, through a proxy on this host

    reloads = [await client.post("/reload", headers=proxied) for _ in range(3)]
    status = await client.get("/status", headers=proxied)
    health = await client.get("/healthz", headers=proxied)
    other = await client.get("/admin", headers=proxied)

    assert [r.status_code for r in reloads] == [403, 403, 403] and status.status_code == 403
    assert app.live_store.reloads == loaded
    assert health.status_code == 200 and other.status_code == 404
