"""Structured logs: JSON lines when stderr is not a terminal (BRIEFBOT_LOG_FORMAT overrides), never a secret."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import logs

SLACK_BOT = "xoxb-logs-secret-bot-token"
SLACK_APP = "xapp-logs-secret-app-token"
OPERATOR = "operator-logs-secret-token"


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    test_logger = logging.getLogger("briefbot.test.logs")
    handler = logs.handler(stream, fmt="json", secrets=[SLACK_BOT])
    test_logger.addHandler(handler)
    test_logger.setLevel(logging.DEBUG)
    test_logger.propagate = False
    yield test_logger, stream
    test_logger.removeHandler(handler)


def _events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_one_event_per_line_with_the_fields_passed_as_extra(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.info(
        "briefing %s sent", "k1", extra={"target": "slack:T1:C1", "deal": "canada-us", "key": "k1", "outcome": "sent"}
    )
    log.warning("two\nlines of message")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("a handler failed")
    sent, two, failed = _events(stream.getvalue())  # three events, three lines, however many lines inside
    assert sent["message"] == "briefing k1 sent" and sent["level"] == "INFO" and sent["logger"] == log.name
    assert {k: sent[k] for k in ("target", "deal", "key", "outcome")} == {
        "target": "slack:T1:C1",
        "deal": "canada-us",
        "key": "k1",
        "outcome": "sent",
    }
    assert sent["time"].endswith("+00:00")
    assert "target" not in two and two["message"] == "two\nlines of message"
    assert failed["level"] == "ERROR" and "RuntimeError: boom" in failed["exception"]


def test_a_secret_is_redacted_wherever_it_appears(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.warning("calling with %s", SLACK_BOT, extra={"key": f"Bearer {SLACK_BOT}"})
    try:
        raise ValueError(f"refused {SLACK_BOT}")
    except ValueError:
        log.exception("failed")
    text = stream.getvalue()
    assert SLACK_BOT not in text
    warned, failed = _events(text)
    assert warned["message"] == f"calling with {logs.REDACTED}" and warned["key"] == f"Bearer {logs.REDACTED}"
    assert logs.REDACTED in failed["exception"]


def test_text_is_for_terminals_json_for_everything_else_and_the_variable_decides() -> None:
    primary, secondary = os.openpty()
    with open(secondary, "w", encoding="utf-8") as terminal:
        assert logs.chosen_format(terminal, {}) == "text"
        assert logs.chosen_format(terminal, {logs.FORMAT_VARIABLE: "json"}) == "json"
    os.close(primary)
    assert logs.chosen_format(io.StringIO(), {}) == "json"
    assert logs.chosen_format(io.StringIO(), {logs.FORMAT_VARIABLE: "TEXT"}) == "text"
    assert logs.chosen_format(io.StringIO(), {logs.FORMAT_VARIABLE: "yaml"}) == "json"  # unknown: the default


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _run_unreachable_slack(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """``briefbot run`` with a Slack that refuses connections (loopback): it logs at DEBUG, then stops."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.update(
        BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        BRIEFBOT_HTTP__PORT="0",
        BRIEFBOT_LOG_LEVEL="DEBUG",
        BRIEFBOT_SLACK__API_URL=f"http://127.0.0.1:{_closed_port()}/api/",
        SLACK_BOT_TOKEN=SLACK_BOT,
        SLACK_APP_TOKEN=SLACK_APP,
        BRIEFBOT_OPERATOR_TOKEN=OPERATOR,
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_a_service_logs_json_lines_without_secrets(tmp_path: Path) -> None:
    result = _run_unreachable_slack(tmp_path)
    assert result.returncode == 1
    # The one-line failure is for people, not a log event; a library's thread may still log a line after it.
    people = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(people) == 1 and people[0].startswith("briefbot: ")
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]  # one event a line
    assert len(events) > 3 and {"time", "level", "logger", "message"} <= set(events[0])
    assert any(e["logger"].startswith("bot.") for e in events)
    for secret in (SLACK_BOT, SLACK_APP, OPERATOR):
        assert secret not in result.stderr


def test_log_format_text_keeps_the_readable_lines(tmp_path: Path) -> None:
    result = _run_unreachable_slack(tmp_path, BRIEFBOT_LOG_FORMAT="text")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert not any(line.startswith("{") for line in lines)
    assert any(" DEBUG " in line or " INFO " in line for line in lines)
    for secret in (SLACK_BOT, SLACK_APP, OPERATOR):
        assert secret not in result.stderr


def test_library_setup_chatter_stays_out_of_the_start_up_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Alembic announces each of its plugins at INFO on every start; Briefbot's own INFO lines still show."""
    from bot.logs import configure

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # basicConfig adds ours here; put the test runner's back afterwards
    monkeypatch.setattr(root, "level", root.level)
    chatty = logging.getLogger("alembic.runtime.plugins")
    monkeypatch.setattr(chatty, "level", chatty.level)
    stream = io.StringIO()
    configure("INFO", stream, environ={"BRIEFBOT_LOG_FORMAT": "text"})
    chatty.info("setup plugin alembic.autogenerate.schemas")
    logging.getLogger("bot.store.live").info("store loaded: 22 documents")
    assert "setup plugin" not in stream.getvalue()
    assert "store loaded: 22 documents" in stream.getvalue()
