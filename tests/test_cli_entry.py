"""The console script's fast path (bot.cli_entry): a plain `briefbot ask` or `briefbot check` never imports typer,
and says, prints and exits exactly what the typer app says, prints and exits for the same arguments."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from bot.cli import cli
from bot.cli_entry import SHAPES, Parsed, parse
from tests.store.minimal import FILES, write_store

# Runs the console script's entry point, then says on stderr whether typer (or click, which it vendors) was loaded.
ENTRY = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('TYPER', 'typer' in sys.modules or 'click' in sys.modules, file=sys.stderr))\n"
    "from bot.cli_entry import main\nmain()\n"
)
TYPER_APP = [sys.executable, "-c", "from bot.cli import main; main()"]  # the typer app, whatever the arguments


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.update(BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db", BRIEFBOT_CACHE_DIR="off")
    env.update(extra)
    return env


def _entry(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], bool]:
    """``briefbot ARGS`` through the console script: the result (stderr without the probe) and whether typer
    was imported."""
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    lines = result.stderr.splitlines(keepends=True)
    assert lines and lines[-1].startswith("TYPER "), result.stderr
    result.stderr = "".join(lines[:-1])
    return result, lines[-1].strip() == "TYPER True"


def _typer_app(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TYPER_APP, *args], capture_output=True, text=True, env=env, timeout=120, check=False)


def _broken_store(tmp_path: Path) -> Path:
    return write_store(
        tmp_path / "broken",
        {"people/ada-lind.md": FILES["people/ada-lind.md"].replace("updated: 2025-05-01", "updated: soon")},
    )


# Parsing ----------------------------------------------------------------------------------------------------------


def test_the_plain_shapes_are_read_here() -> None:
    assert parse(["ask", "/status tariffs"]) == Parsed("ask", ("/status tariffs",), {})
    assert parse(["ask", "--date=2025-05-02", "/deal", "--channel", "slack:T1:C2"]) == Parsed(
        "ask", ("/deal",), {"--date": "2025-05-02", "--channel": "slack:T1:C2"}
    )
    assert parse(["check"]) == Parsed("check", (), {})
    assert parse(["check", "store", "--stale", "--format", "gnu"]) == Parsed(
        "check", ("store",), {"--stale": True, "--format": "gnu"}
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--version"],
        ["run"],
        ["ask"],
        ["ask", "--help"],
        ["ask", "/deal", "-h"],
        ["ask", "/deal", "/who"],
        ["ask", "/deal", "--date"],
        ["ask", "/deal", "--date", "--store", "x"],
        ["ask", "/deal", "--date", "2025-05-02", "--date", "2025-05-03"],
        ["ask", "--", "/deal"],
        ["ask", ""],
        ["ask", "/deal", "--dat", "2025-05-02"],
        ["check", "a", "b"],
        ["check", "--stale=yes"],
        ["check", "--format"],
        ["check", "--channel", "slack:T1:C2"],
    ],
)
def test_everything_else_is_left_to_the_typer_app(args: list[str]) -> None:
    assert parse(args) is None


def test_the_shapes_are_the_typer_commands_options() -> None:
    """An option added to `ask` or `check` in typer, and not here, would be an error on the fast path."""
    group = typer.main.get_command(cli)
    for name, shape in SHAPES.items():
        command = group.commands[name]  # type: ignore[attr-defined]
        options = [p for p in command.params if p.param_type_name == "option" and "--help" not in p.opts]
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        assert {o for p in options if p.is_flag for o in p.opts} == shape.flags, name
        assert {o for p in options if not p.is_flag for o in p.opts} == shape.valued, name
        assert shape.arguments == (sum(1 for a in arguments if a.required), len(arguments)), name


# The same answers as the typer app ------------------------------------------------------------------------------


def _cases(tmp_path: Path) -> list[list[str]]:
    broken = str(_broken_store(tmp_path))
    return [
        ["ask", "/status tariffs", "--date", "2025-05-02"],
        ["ask", "/deal"],
        ["ask", "/frobnicate"],  # unknown command: exit 2
        ["ask", "/status fisheries"],  # no such topic: exit 1
        ["ask", "/deal", "--date=May 2"],  # a bad date: exit 2
        ["ask", "/deal", "--channel", "nowhere"],  # a bad channel: exit 2
        ["ask", "/deal", "--store", str(tmp_path / "missing")],  # no store there: exit 2
        ["check"],
        ["check", broken],  # problems: exit 1
        ["check", "--store", broken, "--format", "github"],
        ["check", broken, "--format=xml"],  # an unknown format: exit 2
        ["check", str(write_store(tmp_path / "clean")), "--stale", "--date", "2031-01-01"],
    ]


def test_ask_and_check_answer_as_the_typer_app_does_without_importing_typer(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for args in _cases(tmp_path):
        fast, imported_typer = _entry(args, env)
        slow = _typer_app(args, env)
        assert not imported_typer, args
        assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr), args


def test_help_and_mistakes_go_through_the_typer_app(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for args in (["ask", "--help"], ["ask"], ["check", "--bogus"], ["--version"]):
        fast, imported_typer = _entry(args, env)
        slow = _typer_app(args, env)
        assert imported_typer, args
        assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr), args


# Settings: the same rules on the fast path -----------------------------------------------------------------------


def test_the_environment_and_the_config_file_still_choose_the_store(tmp_path: Path) -> None:
    broken = _broken_store(tmp_path)
    result, imported_typer = _entry(["check"], _env(tmp_path, BRIEFBOT_STORE=str(broken)))
    assert (result.returncode, imported_typer) == (1, False)
    assert "people/ada-lind.md:9: 'updated': 'soon' is not a date" in result.stdout

    config = tmp_path / "briefbot.yaml"
    config.write_text(f"store: {tmp_path / 'elsewhere'}\n", encoding="utf-8")
    for env, args in (
        (_env(tmp_path), ["ask", "/deal", "--config", str(config)]),
        (_env(tmp_path, BRIEFBOT_CONFIG=str(config)), ["ask", "/deal"]),
        (_env(tmp_path, BRIEFBOT_CONFIG=str(config)), ["check"]),
    ):
        result, imported_typer = _entry(args, env)
        assert (result.returncode, imported_typer) == (2, False), args
        assert str(tmp_path / "elsewhere") in result.stderr, args


def test_a_store_chosen_in_the_environment_answers(tmp_path: Path) -> None:
    store = Path(__file__).parent / "fixtures" / "second_store"
    bundled, _ = _entry(["ask", "/deal"], _env(tmp_path))
    chosen, imported_typer = _entry(["ask", "/deal"], _env(tmp_path, BRIEFBOT_STORE=str(store)))
    assert (chosen.returncode, imported_typer) == (0, False)
    assert chosen.stdout != bundled.stdout
    assert chosen.stdout == _typer_app(["ask", "/deal", "--store", str(store)], _env(tmp_path)).stdout


def test_a_reader_that_leaves_early_ends_it_as_under_the_typer_app(tmp_path: Path) -> None:
    """`briefbot ask /deal | true`: the pipe is closed before the answer is written; exit 1 and nothing on stderr."""
    env = _env(tmp_path)
    ends = []
    for argv in ([sys.executable, "-c", "from bot.cli_entry import main; main()"], TYPER_APP):
        pipeline = f"set -o pipefail; {shlex.join([*argv, 'ask', '/deal'])} 2>{tmp_path}/err | true"
        result = subprocess.run(
            ["bash", "-c", pipeline], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        ends.append((result.returncode, (tmp_path / "err").read_text()))
    assert ends[0] == ends[1] == (1, "")
