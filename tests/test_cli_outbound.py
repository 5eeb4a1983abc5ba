"""``briefbot brief --channel email:ADDRESS`` prints the MIME message that would be sent; a webhook target prints
the JSON body. Both carry the key of that day's scheduled briefing."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.adapters.email_render import message_id
from bot.cli import cli

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_STATE_URL", f"sqlite+aiosqlite:///{tmp_path}/state.db")


def test_brief_to_an_email_target_prints_the_message_that_would_be_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_EMAIL__FROM_ADDRESS", "briefs@example.com")

    result = runner.invoke(cli, ["brief", "--date", "2025-05-02", "--channel", "email:x@example.org"])

    assert result.exit_code == 0, result.output
    parsed = email.message_from_string(result.output, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    key = "email:x@example.org|canada-us|2025-05-02"
    assert parsed["To"] == "x@example.org" and parsed["X-Briefbot-Key"] == key
    assert parsed["Message-ID"] == message_id(key, "briefs@example.com")
    assert parsed["List-Unsubscribe"] and "Canada" in str(parsed["Subject"])
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert "Coming up" in plain.get_content() and "<h2" in html.get_content()


def test_brief_to_a_webhook_target_prints_the_json_body() -> None:
    result = runner.invoke(cli, ["brief", "--date", "2025-05-02", "--channel", "discord-webhook:ops"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["allowed_mentions"] == {"parse": []}
    assert "discord-webhook:ops|canada-us|2025-05-02" in body["embeds"][0]["footer"]["text"]


def test_brief_to_a_chat_channel_still_prints_text() -> None:
    result = runner.invoke(cli, ["brief", "--date", "2025-05-02", "--channel", "slack:T1:C1"])

    assert result.exit_code == 0 and result.output.startswith("Daily briefing")
