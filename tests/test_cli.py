"""The `briefbot` command line, as a new user and a maintainer use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from tests.store.minimal import FILES, write_store

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_STATE_URL", f"sqlite+aiosqlite:///{tmp_path}/state.db")


def test_ask_answers_in_plain_text() -> None:
    result = runner.invoke(cli, ["ask", "/status tariffs", "--date", "2025-05-02"])
    assert result.exit_code == 0, result.output
    assert "25%" in result.output and "steel" in result.output


def test_ask_unknown_command_exits_2() -> None:
    result = runner.invoke(cli, ["ask", "/frobnicate"])
    assert result.exit_code == 2
    assert "no /frobnicate command" in result.output


def test_ask_unknown_topic_exits_1_with_what_exists() -> None:
    result = runner.invoke(cli, ["ask", "/status fisheries"])
    assert result.exit_code == 1
    assert "No topic matches" in result.output and "Dairy" in result.output


def test_ask_with_channel_sees_restricted_documents(tmp_path: Path) -> None:
    store = str(Path(__file__).parent / "fixtures" / "second_store")
    hidden = runner.invoke(cli, ["ask", "/status export-levy deal:northwind-timber", "--store", store])
    assert hidden.exit_code == 1
    shown = runner.invoke(
        cli,
        ["ask", "/status export-levy deal:northwind-timber", "--store", store, "--channel", "slack:T0SECOND:C0PRIVATE"],
    )
    assert shown.exit_code == 0, shown.output


def test_brief_prints_the_briefing() -> None:
    result = runner.invoke(cli, ["brief", "--date", "2025-05-02"])
    assert result.exit_code == 0, result.output
    assert "Daily briefing" in result.output and "Coming up" in result.output


def test_check_clean_store_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", str(write_store(tmp_path))])
    assert result.exit_code == 0
    assert "no problems" in result.output


def test_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    root = write_store(
        tmp_path,
        {
            "people/ada-lind.md": FILES["people/ada-lind.md"].replace("updated: 2025-05-01", "updated: soon"),
            "deals/north-south/topics/fish.md": FILES["deals/north-south/topics/fish.md"].replace(
                "status: in_talks", "status: talking"
            ),
        },
    )
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == [
        "deals/north-south/topics/fish.md:5: 'status': 'talking' is not allowed; use one of 'open', 'in_talks', "
        "'stalled', 'agreed', 'resolved', 'dropped'",
        "people/ada-lind.md:9: 'updated': 'soon' is not a date: write 2025-05-06, ~2025-05-01 (about), 2025-05 or 2025",
    ]
    assert "2 problem(s)" in lines[2]


def test_schema_exports_every_kind(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["schema"])
    schemas = json.loads(result.output)
    assert set(schemas) == {"sources", "person", "deal", "topic", "events"}
    assert "status" in schemas["topic"]["properties"]
    assert schemas["topic"]["additionalProperties"] is False
    result = runner.invoke(cli, ["schema", "--out", str(tmp_path)])
    assert (tmp_path / "person.schema.json").is_file()


def test_bad_date_flag_is_a_clear_error() -> None:
    result = runner.invoke(cli, ["ask", "/deal", "--date", "May 2"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_slack_manifest_lists_every_command_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_SLACK__COMMAND_PREFIX", "trade-")
    manifest = json.loads(runner.invoke(cli, ["slack-manifest"]).output)
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert {"/trade-status", "/trade-who", "/trade-deal", "/trade-brief", "/trade-help"} <= commands
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_slack_manifest_with_a_request_url_is_for_http_mode() -> None:
    manifest = json.loads(runner.invoke(cli, ["slack-manifest", "--request-url", "https://bot.example.org"]).output)
    assert manifest["settings"]["socket_mode_enabled"] is False
    urls = {c.get("url") for c in manifest["features"]["slash_commands"]}
    assert len(urls) == 1
    assert next(iter(urls)).startswith("https://bot.example.org/")


def test_schema_date_pattern_agrees_with_the_loader() -> None:
    import re

    from bot.store.dates import ApproxDate

    pattern = json.loads(runner.invoke(cli, ["schema", "--kind", "topic"]).output)["properties"]["updated"]["pattern"]
    for text in ("2025-05-06", "~2025-05-01", "2025-05", "2025", "~2025-05", "2025-13-01", "2025-5-6", "soon"):
        try:
            ApproxDate.parse(text)
            loads = True
        except ValueError:
            loads = False
        assert bool(re.match(pattern, text)) == loads, text
