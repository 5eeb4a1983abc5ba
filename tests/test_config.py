"""Configuration precedence, validation and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import BUNDLED_STORE, load_settings
from bot.credentials import Secrets
from bot.errors import ConfigError


def test_packaged_defaults_use_the_bundled_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config/briefbot.yaml here
    monkeypatch.delenv("BRIEFBOT_CONFIG", raising=False)
    settings = load_settings()
    assert settings.store.resolve() == BUNDLED_STORE.resolve()
    assert str(settings.as_of) == "2025-05-02"


def test_env_overrides_file_and_flags_override_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config" / "briefbot.yaml"
    config.parent.mkdir()
    config.write_text("store: mystore\ntimezone: Europe/London\nslack:\n  mode: http\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFBOT_TIMEZONE", "America/Toronto")
    monkeypatch.setenv("BRIEFBOT_SLACK__COMMAND_PREFIX", "trade-")
    settings = load_settings(config)
    assert settings.store == (tmp_path / "mystore").resolve()  # relative to the project folder
    assert settings.timezone == "America/Toronto"
    assert settings.slack.mode == "http" and settings.slack.command_prefix == "trade-"
    assert load_settings(config, store=Path("/elsewhere")).store == Path("/elsewhere")


def test_invalid_config_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(
        "subscriptions:\n  - target: slack:T1:C1\n    deal: canada-us\n    time: '25:00'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"subscriptions.0.time.*HH:MM"):
        load_settings(config)
    config.write_text("stor: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="stor"):
        load_settings(config)


def test_secrets_from_env_or_file_and_never_in_repr(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("xoxb-from-file\n", encoding="utf-8")
    secrets = Secrets.from_env({"SLACK_BOT_TOKEN_FILE": str(token_file), "SLACK_APP_TOKEN": "xapp-1"})
    assert secrets.slack_bot_token == "xoxb-from-file"
    assert secrets.slack_ready
    assert "xoxb" not in repr(secrets) and "xapp" not in repr(secrets)
    with pytest.raises(ConfigError, match="DISCORD_TOKEN_FILE"):
        Secrets.from_env({"DISCORD_TOKEN_FILE": str(tmp_path / "missing")})


def test_command_line_overrides_are_validated_like_the_file(tmp_path: Path) -> None:
    config = tmp_path / "briefbot.yaml"
    config.write_text("timezone: Europe/London\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_file_bytes"):
        load_settings(config, max_file_bytes=10)  # below the minimum: refused, not copied in unchecked
    with pytest.raises(ConfigError, match="timezone"):
        load_settings(config, timezone="Mars/Olympus_Mons")
    assert load_settings(config, timezone="Asia/Tokyo").timezone == "Asia/Tokyo"  # a flag wins over the file


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("timezone: [unclosed\n", "is not valid YAML"),
        ("- just\n- a list\n", "must be a mapping of settings"),
    ],
)
def test_a_bad_config_file_is_named_with_what_is_wrong(tmp_path: Path, content: str, problem: str) -> None:
    config = tmp_path / "briefbot.yaml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"config file {config} {problem}"):
        load_settings(config)


def test_a_config_file_that_is_not_there_is_an_error_not_the_defaults(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_settings(tmp_path)


def test_a_wrong_value_in_the_file_is_reported_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "briefbot.yaml"
    config.write_text(
        "timezone: UTC\nsubscriptions:\n  - target: slack:T1:C1\n    deal: canada-us\n    time: '25:00'\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=rf"^{config}:5: subscriptions.0.time"):
        load_settings(config)
    # A wrong value that came from the environment is not blamed on a line of the file.
    monkeypatch.setenv("BRIEFBOT_TIMEZONE", "Mars/Olympus_Mons")
    config.write_text("timezone: UTC\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{config}: timezone") as caught:
        load_settings(config)
    assert ":1:" not in str(caught.value)
