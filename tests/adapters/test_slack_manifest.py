"""The Slack app manifest: every command, the right transport, the fewest scopes."""

from __future__ import annotations

import json
import re

import pytest

from bot.adapters.slack_manifest import build_manifest
from bot.config import Settings, SlackConfig
from bot.errors import ConfigError
from bot.router import Router
from handlers import CORE_COMMANDS

SPECS = Router(CORE_COMMANDS).specs


def test_socket_mode_manifest_lists_every_command_without_urls() -> None:
    manifest = build_manifest(SPECS, Settings())

    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [f"/{name}" for name in SPECS]
    status = next(c for c in commands if c["command"] == "/status")
    assert status["usage_hint"].startswith("<topic>")
    assert status["should_escape"] is False
    assert all("url" not in c for c in commands)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert manifest["oauth_config"]["scopes"]["bot"][:2] == ["commands", "chat:write"]
    assert "chat:write.public" not in manifest["oauth_config"]["scopes"]["bot"]
    json.dumps(manifest)  # paste-ready: plain JSON types only


def test_http_mode_manifest_points_commands_and_buttons_at_the_request_url() -> None:
    settings = Settings(slack=SlackConfig(mode="http", command_prefix="trade-"))

    manifest = build_manifest(SPECS, settings, request_url="https://bot.example.org")

    url = "https://bot.example.org/slack/events"
    commands = manifest["features"]["slash_commands"]
    assert {c["url"] for c in commands} == {url}
    assert "/trade-status" in [c["command"] for c in commands]
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert build_manifest(SPECS, settings, request_url=url)["settings"]["interactivity"]["request_url"] == url


def test_with_a_prefix_the_descriptions_name_the_commands_users_type() -> None:
    settings = Settings(slack=SlackConfig(command_prefix="trade-"))

    long = build_manifest(SPECS, settings)["display_information"]["long_description"]

    assert "/trade-status tariffs" in long and "/trade-search" in long
    assert not re.search(r"(?<![\w-])/(status|who|deal|brief|timeline|search)\b", long)


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("example.org", "full URL"),
        ("bot.example.org/slack/events", "full URL"),
        ("http://bot.example.org", "https"),
        ("https://", "full URL"),
    ],
)
def test_a_request_url_must_be_a_full_https_url(given: str, problem: str) -> None:
    settings = Settings(slack=SlackConfig(mode="http"))
    with pytest.raises(ConfigError, match=problem):
        build_manifest(SPECS, settings, request_url=given)
