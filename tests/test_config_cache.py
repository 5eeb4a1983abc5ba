"""The config file's parse is kept between commands (bot.config_cache): never when the file changed since, and a
command answered from it needs no PyYAML."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError

HOUR_NS = 3600 * 10**9
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('YAML', 'yaml' in sys.modules, file=sys.stderr))\n"
    "from bot.cli_entry import main\nmain()\n"
)


def _write(path: Path, text: str, *, ago_ns: int = HOUR_NS) -> None:
    """Write ``text`` dated ``ago_ns`` back (a file changed in the last two seconds is never kept)."""
    path.write_text(text, encoding="utf-8")
    when = time.time_ns() - ago_ns
    os.utime(path, ns=(when, when))


def _store_of(config: Path) -> Path:
    return load_settings(config).store


def test_an_edited_config_file_is_read_again(tmp_path: Path) -> None:
    """The same size, only a later modification time: read again."""
    config = tmp_path / "briefbot.yaml"
    _write(config, f"store: {tmp_path / 'one'}\n")
    assert _store_of(config) == tmp_path / "one"
    assert _store_of(config) == tmp_path / "one"  # from the kept parse
    _write(config, f"store: {tmp_path / 'two'}\n", ago_ns=HOUR_NS // 2)
    assert _store_of(config) == tmp_path / "two"


def test_a_file_changed_just_now_is_not_kept(tmp_path: Path) -> None:
    config = tmp_path / "briefbot.yaml"
    _write(config, f"store: {tmp_path / 'first'}\n", ago_ns=0)
    assert _store_of(config) == tmp_path / "first"
    assert not list((Path(os.environ["BRIEFBOT_CACHE_DIR"]) / "config").glob("*.pickle"))


def test_a_broken_file_is_still_an_error_after_a_good_one(tmp_path: Path) -> None:
    config = tmp_path / "briefbot.yaml"
    _write(config, "language: en\n")
    load_settings(config)
    _write(config, "language: [en\n", ago_ns=HOUR_NS // 2)
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(config)


def test_the_environment_still_wins_over_a_kept_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "briefbot.yaml"
    _write(config, f"store: {tmp_path / 'first'}\n")
    assert _store_of(config) == tmp_path / "first"
    monkeypatch.setenv("BRIEFBOT_STORE", str(tmp_path / "from-env"))
    assert _store_of(config) == tmp_path / "from-env"


def test_an_answer_with_a_kept_config_imports_no_yaml(tmp_path: Path) -> None:
    config = tmp_path / "briefbot.yaml"
    _write(config, "language: en\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.update(BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db", BRIEFBOT_CACHE_DIR=str(tmp_path / "c"))
    runs = [
        subprocess.run(
            [sys.executable, "-c", PROBE, "ask", "/deal", "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert "YAML True" in runs[0].stderr  # the first reads the file (and the store)
    assert "YAML False" in runs[1].stderr, runs[1].stderr
