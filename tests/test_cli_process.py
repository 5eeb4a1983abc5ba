"""`briefbot` as a real process, the way people run it: in pipelines, on a terminal, misconfigured."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shlex
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from bot.render_text import render_text

BRIEFBOT = [sys.executable, "-m", "bot.cli"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_")) and k not in ("NO_COLOR", "COLUMNS", "LINES")
    }
    env.update(BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db", BRIEFBOT_HTTP__PORT="0")
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return _exec([*BRIEFBOT, *args], env, stdin)


def _exec(
    argv: list[str], env: dict[str, str], stdin: str = "", timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, timeout=timeout, check=False)


def _sh(pipeline: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _exec(["sh", "-c", pipeline], env, timeout=60)  # a hang fails here


# Pipes ------------------------------------------------------------------------------------------------------


def test_console_in_a_pipeline_that_closes_early_ends_quietly(tmp_path: Path) -> None:
    """`yes /deal | briefbot console | head -2`: endless input, a reader that leaves after two lines."""
    briefbot = shlex.join([*BRIEFBOT, "console"])
    result = _sh(f"yes /deal | {briefbot} 2>{tmp_path}/err | head -2", _env(tmp_path))  # it used to hang here
    assert result.stdout.splitlines() == ["Canada–U.S. trade and security talks", "Canada · United States"]
    err = (tmp_path / "err").read_text()
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_console_reads_piped_commands_line_by_line_and_exits_at_the_end(tmp_path: Path) -> None:
    result = _run(["console"], _env(tmp_path), stdin="/who clow\n/status tariffs date:2025-05-02\n")
    assert result.returncode == 0, result.stderr
    assert "Brian Clow" in result.stdout and "U.S. tariffs on Canadian goods" in result.stdout
    assert "briefbot>" not in result.stdout  # no prompt into a pipe


def test_ask_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    briefbot = shlex.join([*BRIEFBOT, "ask", "/deal"])
    result = _sh(f"{briefbot} | head -1", _env(tmp_path))
    assert result.stdout == "Canada–U.S. trade and security talks\n"
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr


# On a terminal ----------------------------------------------------------------------------------------------


def _on_terminal(args: list[str], env: dict[str, str], columns: int) -> str:
    """Run with stdout on a pseudo-terminal ``columns`` wide; what the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen(
        [*BRIEFBOT, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_on_a_terminal_answers_wrap_to_its_width_with_a_rule_and_colour(tmp_path: Path) -> None:
    shown = _on_terminal(["ask", "/status tariffs", "--date", "2025-05-02"], _env(tmp_path), columns=60)
    assert ANSI.search(shown), "no colour on a terminal"
    lines = ANSI.sub("", shown).splitlines()
    assert max(len(line) for line in lines) <= 60
    assert "═" * 60 in lines  # the rule under the title spans the terminal
    words = set(ANSI.sub("", shown).split())
    assert {"relationship", "tariffs", "legislation"} <= words  # wrapped between words, never inside one


def test_no_color_turns_colour_off_but_keeps_the_layout(tmp_path: Path) -> None:
    shown = _on_terminal(["ask", "/status tariffs", "--date", "2025-05-02"], _env(tmp_path, NO_COLOR="1"), 60)
    assert "\x1b[" not in shown
    assert "═" * 60 in shown.splitlines()


def test_into_a_pipe_answers_are_plain_text(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    result = _run(["ask", "/status tariffs", "--date", "2025-05-02"], _env(tmp_path))
    assert "\x1b[" not in result.stdout
    assert result.stdout.splitlines()[2].startswith("=====")
    assert max(len(line) for line in result.stdout.splitlines()) > 100  # a pipe is not wrapped


# Start-up failures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "BRIEFBOT_SLACK__MODE": "http"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_incomplete_slack_credentials_are_an_error_not_a_console(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    result = _run(["run"], _env(tmp_path, **variables), stdin="/who clow\n")
    assert result.returncode == 2
    assert result.stdout == ""  # no console, no answer
    (line,) = result.stderr.splitlines()
    assert line.startswith("briefbot: ") and named in line


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there once the socket is closed


@pytest.mark.parametrize("platform", ["slack", "discord"])
def test_an_unreachable_platform_is_one_line_not_a_traceback(tmp_path: Path, platform: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/api/"
    variables = (
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "BRIEFBOT_SLACK__API_URL": url}
        if platform == "slack"
        else {"DISCORD_TOKEN": "token", "BRIEFBOT_DISCORD__API_URL": url + "v10"}
    )
    result = _run(["run"], _env(tmp_path, BRIEFBOT_LOG_LEVEL="WARNING", **variables))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("briefbot: ") and ("127.0.0.1" in last), last


def test_an_unreadable_config_is_one_line(tmp_path: Path) -> None:
    result = _run(["ask", "/deal", "--config", str(tmp_path / "missing.yaml")], _env(tmp_path))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("briefbot: ") and "missing.yaml" in line


# Help and version -------------------------------------------------------------------------------------------

COMMANDS = ["run", "console", "ask", "brief", "check", "schema", "slack-manifest", "status", "reload"]


def test_short_help_version_and_help_text_without_markup(tmp_path: Path) -> None:
    env = _env(tmp_path)
    short = _run(["-h"], env)
    assert short.returncode == 0 and "Usage: " in short.stdout and "ask" in short.stdout
    version = _run(["--version"], env)
    assert version.returncode == 0 and re.fullmatch(r"briefbot \d+\.\d+\.\d+\n", version.stdout), version.stdout
    for command in ["", *COMMANDS]:
        shown = _run([command, "-h"] if command else ["--help"], env)
        assert shown.returncode == 0, shown.stderr
        assert "``" not in shown.stdout, f"briefbot {command} --help shows RST markup"


# What a one-shot command loads ------------------------------------------------------------------------------


def _loaded(
    args: list[str], modules: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``briefbot ARGS`` in a fresh interpreter; which of ``modules`` it imported."""
    code = (
        "import sys\nfrom bot.cli import main\n"
        f"sys.argv = ['briefbot', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print('LOADED', [m for m in {modules!r} if m in sys.modules], file=sys.stderr)\n"
    )
    result = _exec([sys.executable, "-c", code], env)
    found = re.search(r"LOADED (\[.*\])", result.stderr)
    assert found, result.stderr
    return result, eval(found.group(1))


def test_a_store_lookup_does_not_load_the_app_or_the_terminal_libraries(tmp_path: Path) -> None:
    """`ask` into a pipe answers without the app, its HTTP server, prompt_toolkit or rich: start-up time."""
    result, loaded = _loaded(
        ["ask", "/status tariffs"], ["bot.app", "aiohttp.web", "prompt_toolkit", "rich"], _env(tmp_path)
    )
    assert "U.S. tariffs on Canadian goods" in result.stdout
    assert loaded == []


def test_check_loads_neither_the_commands_nor_the_app(tmp_path: Path) -> None:
    result, loaded = _loaded(["check"], ["handlers", "bot.router", "bot.app", "rich"], _env(tmp_path))
    assert "no problems" in result.stderr
    assert loaded == []


def test_pipe_output_matches_the_plain_renderer(tmp_path: Path, router, store) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from tests.conftest import make_ask

    expected = render_text(asyncio.run(make_ask(router, store)("/who clow")))
    assert _run(["ask", "/who clow", "--date", "2025-05-02"], _env(tmp_path)).stdout == expected
