"""What a one-shot `briefbot` command imports: only what its answer uses (start-up time, issue 17).

Each library below costs milliseconds to import on every `briefbot ask` or `briefbot check`, for an answer that
never touches it. Timing belongs in bench/cli_startup.py; this only checks which modules a real process loaded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import BUNDLED_STORE

# The app's services, chat platforms, feeds, mail and charts, the scheduler, and what only a mistake needs
# (rapidfuzz: did-you-mean and fuzzy names) or only French needs (Babel).
NEVER_FOR_A_LOOKUP = [
    "bot.app",
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "aiohttp",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "matplotlib",
    "feedgen",
    "icalendar",
    "aiosmtplib",
    "apscheduler",
    "prompt_toolkit",
    "rich",
    "babel",
    "rapidfuzz",
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env["BRIEFBOT_STATE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/state.db"
    env["BRIEFBOT_CACHE_DIR"] = str(tmp_path / "cache")  # the compiled store `ask` keeps (bot.store.cache)
    return env


def _loaded(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``briefbot ARGS`` in a fresh interpreter: its result, and the top-level packages of everything it
    imported (``bot.app`` and ``bot.briefing.compose`` are kept whole). Its stderr also names the store models
    whose pydantic validator was built (``VALIDATORS``)."""
    code = (
        "import sys\nfrom bot.cli import main\n"
        f"sys.argv = ['briefbot', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('LOADED', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "model = sys.modules.get('bot.store.model')\n"
        "built = [n for n, c in vars(model).items() if getattr(c, '__pydantic_complete__', False)] if model else []\n"
        "print('VALIDATORS', ' '.join(sorted(built)), file=sys.stderr)\n"
        "import gc\nprint('COLLECTOR', 'on' if gc.isenabled() else 'off', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(tmp_path), timeout=120, check=False
    )
    found = re.search(r"^LOADED (.*)$", result.stderr, re.MULTILINE)
    assert found, result.stderr
    modules = set(found.group(1).split())
    return result, modules | {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    ("command", "shown"),
    [("/status tariffs", "U.S. tariffs on Canadian goods"), ("/deal", "Canada–U.S. trade and security talks")],
)
def test_an_english_lookup_loads_none_of_the_libraries_it_does_not_use(
    tmp_path: Path, command: str, shown: str
) -> None:
    result, loaded = _loaded(["ask", command], tmp_path)
    assert shown in result.stdout
    # nor the briefing's composer, nor SQLite (the full-text index is built by the first /search)
    assert sorted(loaded.intersection([*NEVER_FOR_A_LOOKUP, "bot.briefing.compose", "sqlite3"])) == []


def test_a_french_answer_loads_babel_for_its_catalog(tmp_path: Path) -> None:
    """The other side of the check above: Babel is loaded when it is needed, so its absence means something."""
    result, loaded = _loaded(["ask", "/status tariffs lang:fr"], tmp_path)
    assert "Droits de douane américains sur les produits canadiens" in result.stdout
    assert "babel" in loaded


def test_a_mistyped_name_still_finds_its_topic(tmp_path: Path) -> None:
    """Fuzzy matching (rapidfuzz) is loaded only when a name is not found as typed, and then it still works."""
    result, loaded = _loaded(["ask", "/status tarrifs"], tmp_path)
    assert "U.S. tariffs on Canadian goods" in result.stdout
    assert "rapidfuzz" in loaded


def test_check_loads_none_of_the_libraries_it_does_not_use(tmp_path: Path) -> None:
    result, loaded = _loaded(["check"], tmp_path)
    assert "no problems" in result.stderr
    # nor the compiled store `ask` keeps: check reads the files a maintainer has just edited
    assert sorted(loaded.intersection([*NEVER_FOR_A_LOOKUP, "handlers", "markdown_it", "bot.store.cache"])) == []


def _cacheable_store(tmp_path: Path) -> Path:
    """A copy of the bundled store whose files were saved an hour ago: files saved in the last seconds are never
    cached, so this one's compiled copy is kept after the first answer."""
    store = tmp_path / "store"
    shutil.copytree(BUNDLED_STORE, store)
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in store.rglob("*"):
        os.utime(path, ns=(hour_ago, hour_ago))
    return store


def _validators(result: subprocess.CompletedProcess[str]) -> list[str]:
    found = re.search(r"^VALIDATORS ?(.*)$", result.stderr, re.MULTILINE)
    assert found, result.stderr
    return found.group(1).split()


def test_an_answer_from_the_compiled_store_builds_no_validator(tmp_path: Path) -> None:
    """Store models build their pydantic validators on first validation (defer_build): an answer from the cached
    store validates nothing, so it builds none. The first answer, which reads the files, shows they get built."""
    store = _cacheable_store(tmp_path)
    first, _ = _loaded(["ask", "/status tariffs", "--store", str(store)], tmp_path)
    assert "Topic" in _validators(first)
    assert list((tmp_path / "cache").glob("*.pickle"))
    second, _ = _loaded(["ask", "/status tariffs", "--store", str(store)], tmp_path)
    assert second.stdout == first.stdout
    assert _validators(second) == []


def test_an_answer_from_the_compiled_store_reads_no_yaml_and_runs_no_check(tmp_path: Path) -> None:
    """The second answer comes from the compiled store and the kept config parse (bot.config_cache): PyYAML, the
    store's checks and the live store's reload machinery are for reading files, and it reads none."""
    store = _cacheable_store(tmp_path)
    first, loaded_first = _loaded(["ask", "/status tariffs", "--store", str(store)], tmp_path)
    assert {"yaml", "bot.store.crosscheck", "bot.store.live"} <= loaded_first
    second, loaded = _loaded(["ask", "/status tariffs", "--store", str(store)], tmp_path)
    assert second.stdout == first.stdout
    assert sorted(loaded.intersection(["yaml", "bot.store.crosscheck", "bot.store.checks", "bot.store.live"])) == []


def test_only_a_one_shot_answer_turns_the_cyclic_collector_off(tmp_path: Path) -> None:
    """`ask` answers and exits, so collections during its imports are wasted; `check` may read a huge store and
    keeps collecting."""
    asked, _ = _loaded(["ask", "/deal"], tmp_path)
    checked, _ = _loaded(["check"], tmp_path)
    assert re.search(r"^COLLECTOR off$", asked.stderr, re.MULTILINE), asked.stderr
    assert re.search(r"^COLLECTOR on$", checked.stderr, re.MULTILINE), checked.stderr
