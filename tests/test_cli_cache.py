"""`briefbot ask` answers from a compiled copy of the store (bot.store.cache), and never from a stale one.

The copy is kept in ``BRIEFBOT_CACHE_DIR`` (a private folder per test, see conftest). Files are dated an hour back
where a test needs a copy kept: files changed in the last two seconds are deliberately never cached.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import cli as cli_module
from bot.store import Store, load_store
from bot.store import cache as store_cache
from bot.store.cache import cached_store

runner = CliRunner()
TARIFFS = "deals/canada-us/topics/tariffs.md"
HOUR_NS = 3600 * 10**9


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_STATE_URL", f"sqlite+aiosqlite:///{tmp_path}/state.db")


@pytest.fixture
def cache_dir() -> Path:
    return Path(os.environ["BRIEFBOT_CACHE_DIR"])


def _age(root: Path, seconds_ago: int = 3600) -> None:
    """Date every file as last changed ``seconds_ago``, as a store checked out earlier today would be."""
    when = time.time_ns() - seconds_ago * 10**9
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(when, when))


def _ask(root: Path, command: str = "/status tariffs") -> str:
    result = runner.invoke(cli_module.cli, ["ask", command, "--store", str(root)])
    assert result.exit_code == 0, result.output
    return result.output


def _edit(path: Path, old: str, new: str, *, mtime_ns: int) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _never_loads() -> Store:
    raise AssertionError("the store was read from its files, not from the cache")


def test_a_second_answer_comes_from_the_cached_store(store_copy: Path, cache_dir: Path) -> None:
    _age(store_copy)
    first = _ask(store_copy)
    assert "25% U.S. tariffs on steel" in first
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    cached = cached_store(store_copy, _never_loads, max_bytes=store_cache_max_bytes())
    assert sorted(cached.documents) == sorted(load_store(store_copy).documents)
    assert _ask(store_copy) == first


def store_cache_max_bytes() -> int:
    from bot.config import load_settings

    return load_settings(None).max_file_bytes


def test_an_edit_of_the_same_size_is_read_again(store_copy: Path) -> None:
    _age(store_copy)
    assert "25% U.S. tariffs on steel" in _ask(store_copy)
    path = store_copy / TARIFFS
    _edit(path, "25% U.S. tariffs", "35% U.S. tariffs", mtime_ns=path.stat().st_mtime_ns + 10**9)
    answer = _ask(store_copy)
    assert "35% U.S. tariffs on steel, aluminum" in answer
    assert "25% U.S. tariffs on steel, aluminum" not in answer  # the summary; an event still says 25%


def test_an_edit_that_keeps_the_time_but_not_the_size_is_read_again(store_copy: Path) -> None:
    _age(store_copy)
    _ask(store_copy)
    path = store_copy / TARIFFS
    _edit(path, "25% U.S. tariffs", "25 percent U.S. tariffs", mtime_ns=path.stat().st_mtime_ns)
    assert "25 percent U.S. tariffs on steel" in _ask(store_copy)


def test_a_new_file_is_read(store_copy: Path) -> None:
    _age(store_copy)
    missing = runner.invoke(cli_module.cli, ["ask", "/who lind", "--store", str(store_copy)])
    assert missing.exit_code == 1 and "Ada Lind" not in missing.output
    person = "name: Ada Lind\nrole: Negotiator\naffiliation: Global Affairs Canada\nparty: ca\nupdated: 2025-05-01\n"
    (store_copy / "people" / "ada-lind.md").write_text(f"---\n{person}deals: [canada-us]\n---\n", encoding="utf-8")
    _age(store_copy)
    result = runner.invoke(cli_module.cli, ["ask", "/who lind", "--store", str(store_copy)])
    assert "Ada Lind" in result.output, result.output


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data.split(b"\n", 2)[0] + b"\n" + data.split(b"\n", 2)[1] + b"\ngarbage",  # key kept, no pickle
        lambda data: b"\x00" * 64,  # not ours at all
    ],
    ids=["truncated", "garbage-after-the-key", "foreign"],
)
def test_a_damaged_cache_falls_back_to_the_files_and_is_rewritten(
    store_copy: Path, cache_dir: Path, damage: object
) -> None:
    _age(store_copy)
    first = _ask(store_copy)
    (kept,) = cache_dir.glob("*.pickle")
    assert callable(damage)
    kept.write_bytes(damage(kept.read_bytes()))
    assert _ask(store_copy) == first
    cached = cached_store(store_copy, _never_loads, max_bytes=store_cache_max_bytes())  # whole again
    assert "tariffs" in {entry.id for entry in cached.deals["canada-us"].topics.values()}


def test_a_store_with_problems_is_not_kept(store_copy: Path, cache_dir: Path) -> None:
    _edit(store_copy / TARIFFS, "status: open", "status: talking", mtime_ns=time.time_ns())
    _age(store_copy)
    runner.invoke(cli_module.cli, ["ask", "/deal", "--store", str(store_copy)])
    assert list(cache_dir.glob("*.pickle")) == []


def test_files_changed_just_now_are_not_kept(store_copy: Path, cache_dir: Path) -> None:
    """A second edit within one tick of the file system's clock could keep both size and time: not trusted."""
    os.utime(store_copy / TARIFFS)  # saved a moment ago
    _ask(store_copy)
    assert list(cache_dir.glob("*.pickle")) == []


def test_a_symbolic_link_in_the_store_turns_the_cache_off(store_copy: Path, cache_dir: Path) -> None:
    (store_copy / "people" / "elsewhere").symlink_to(store_copy.parent)
    _age(store_copy)
    _ask(store_copy)
    assert list(cache_dir.glob("*.pickle")) == []


def test_another_version_of_the_code_reads_the_files_again(
    store_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    module = code / "anything.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.setattr(store_cache, "CODE", code)
    _age(store_copy)
    _age(code)
    loads: list[Store] = []

    def load() -> Store:
        loads.append(load_store(store_copy))
        return loads[-1]

    cached_store(store_copy, load, max_bytes=1_000_000)
    cached_store(store_copy, load, max_bytes=1_000_000)
    assert len(loads) == 1
    module.write_text("VALUE = 2\n", encoding="utf-8")
    _age(code, seconds_ago=1800)
    cached_store(store_copy, load, max_bytes=1_000_000)
    assert len(loads) == 2
    cached_store(store_copy, load, max_bytes=2_000_000)  # another size limit keeps other files
    assert len(loads) == 3


def test_check_reads_the_files_even_when_ask_has_a_cached_store(store_copy: Path, cache_dir: Path) -> None:
    _age(store_copy)
    _ask(store_copy)
    assert list(cache_dir.glob("*.pickle"))
    path = store_copy / TARIFFS
    _edit(path, "status: open", "status: talking", mtime_ns=path.stat().st_mtime_ns)
    result = runner.invoke(cli_module.cli, ["check", str(store_copy)])
    assert result.exit_code == 1
    assert f"{TARIFFS}:" in result.output and "'talking' is not allowed" in result.output


def test_the_cache_can_be_turned_off(store_copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", "off")
    _age(store_copy)
    assert "25% U.S. tariffs on steel" in _ask(store_copy)
    assert list(cache_dir.glob("*.pickle")) == []
    assert not Path("off").exists()


def test_a_cache_folder_that_cannot_be_written_changes_nothing(
    store_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", str(blocked / "cache"))
    _age(store_copy)
    assert "25% U.S. tariffs on steel" in _ask(store_copy)
    assert "25% U.S. tariffs on steel" in _ask(store_copy)


def test_a_copy_others_could_have_written_is_not_unpickled(store_copy: Path, cache_dir: Path) -> None:
    _age(store_copy)
    _ask(store_copy)
    (kept,) = cache_dir.glob("*.pickle")
    kept.chmod(0o666)
    with pytest.raises(AssertionError, match="read from its files"):
        cached_store(store_copy, _never_loads, max_bytes=store_cache_max_bytes())
    assert "25% U.S. tariffs on steel" in _ask(store_copy)
    (kept,) = cache_dir.glob("*.pickle")  # replaced by a private copy
    assert kept.stat().st_mode & 0o077 == 0
    cached_store(store_copy, _never_loads, max_bytes=store_cache_max_bytes())
