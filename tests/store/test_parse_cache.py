"""A large store's parsed files are kept between loads (bot.store.parse_cache): a restart with the same files
parses none of them again, serves the same store, and never trusts a copy it cannot vouch for."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store import parse_cache, pool
from bot.store.live import LiveStore
from bot.store.load import discover
from tests.store.minimal import FILES, write_store
from tests.store.test_pool_load import EXPECTED, _broken_store, pooled  # noqa: F401  (a fixture)

ADA = FILES["people/ada-lind.md"]


@pytest.fixture
def small_chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every load of more than one file goes through the pool (``pooled``), in chunks of a few files."""
    request.getfixturevalue("pooled")
    monkeypatch.setattr(pool, "CHUNK", 3)


def _store(tmp_path: Path, people: int = 12) -> Path:
    extra: dict[str, str | None] = {
        f"people/p{i}.md": ADA.replace("Ada Lind", f"Person {i}").replace("[lind]", f"[p{i}x]") for i in range(people)
    }
    return write_store(tmp_path / "store", extra)


def _entries() -> list[Path]:
    folder = parse_cache.folder()
    assert folder is not None
    return sorted(folder.glob("*.pickle"))


def _served(live: LiveStore) -> dict[str, tuple[object, str, int]]:
    return {p: (d.model, d.body, d.mtime_ns) for p, d in live.current.documents.items()}


def _role(live: LiveStore, path: str) -> object:
    return getattr(live.current.documents[path].model, "role", None)


def test_a_restart_parses_nothing_again_and_serves_the_same_store(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path)
    files = len(discover(root)[0])
    first = LiveStore(root)
    assert (first.last_read.parsed, first.last_read.reused) == (files, 0)
    assert _entries()
    again = LiveStore(root)
    assert (again.last_read.parsed, again.last_read.reused) == (0, files)
    assert _served(again) == _served(first)
    assert "people/p3.md" in again.current.documents


def test_an_edit_that_keeps_the_size_and_the_time_is_still_seen(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path)
    LiveStore(root)
    path = root / "people/p3.md"
    before = path.stat()
    path.write_text(path.read_text().replace("Trade minister", "Trade ministry"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # what a stat-keyed cache would take as unchanged
    assert path.stat().st_size == before.st_size
    again = LiveStore(root)
    assert again.last_read.parsed > 0
    assert _role(again, "people/p3.md") == "Trade ministry"


def test_a_touched_file_keeps_its_parse_and_takes_its_new_time(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path)
    LiveStore(root)
    later = time.time_ns() + 3_600_000_000_000
    os.utime(root / "people/p3.md", ns=(later, later))
    again = LiveStore(root)
    assert again.last_read.parsed == 0
    assert again.current.documents["people/p3.md"].mtime_ns == later


def test_an_added_file_parses_only_the_chunk_it_lands_in(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path, people=40)
    LiveStore(root)
    known = {tuple(chunk) for chunk in pool.chunked(discover(root)[0])}
    (root / "people/zz-new.md").write_text(ADA.replace("Ada Lind", "Zed New").replace("[lind]", "[zed]"))
    paths = discover(root)[0]
    new = [chunk for chunk in pool.chunked(paths) if tuple(chunk) not in known]
    assert any("people/zz-new.md" in chunk for chunk in new) and sum(map(len, new)) < len(paths) / 3
    again = LiveStore(root)
    assert again.last_read.parsed == sum(map(len, new))
    assert again.last_read.reused == len(paths) - sum(map(len, new))
    assert "people/zz-new.md" in again.current.documents


def test_a_broken_store_reports_the_same_problems_from_its_parsed_copy(tmp_path: Path, small_chunks: None) -> None:
    root = _broken_store(tmp_path)
    first = LiveStore(root)
    again = LiveStore(root)
    assert again.last_read.reused > 0
    assert again.current.problems == first.current.problems
    shown = [str(p) for p in again.current.problems]
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in shown), expected


def test_an_unreadable_copy_is_parsed_afresh_and_replaced(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path)
    first = LiveStore(root)
    for entry in _entries():
        entry.write_bytes(entry.read_bytes()[:40])  # cut short: a disk that filled up, a crash mid-write
    again = LiveStore(root)
    assert again.last_read.reused == 0
    assert _served(again) == _served(first)
    assert LiveStore(root).last_read.parsed == 0  # rewritten whole by the load that could not use them


def test_a_kept_entry_that_does_not_unpickle_is_parsed_again(
    tmp_path: Path, small_chunks: None, caplog: pytest.LogCaptureFixture
) -> None:
    root = _store(tmp_path)
    first = LiveStore(root)
    folder = parse_cache.folder()
    assert folder is not None
    for entry in _entries():
        parse_cache.keep(folder, entry.stem, b"not a pickle")  # whole and ours, yet not what a parse gives
    again = LiveStore(root)
    assert again.last_read.reused == 0
    assert _served(again) == _served(first)
    assert "did not load; parsing them again" in caplog.text
    assert LiveStore(root).last_read.reused == len(discover(root)[0])  # replaced by the load that parsed them


def test_a_copy_others_may_write_to_is_never_used(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path)
    LiveStore(root)
    for entry in _entries():
        entry.chmod(0o666)  # unpickling runs code: only a copy no one else could have written
    again = LiveStore(root)
    assert again.last_read.reused == 0
    assert "people/p3.md" in again.current.documents


def test_with_the_cache_off_every_load_parses_every_file(
    tmp_path: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", "off")
    root = _store(tmp_path)
    files = len(discover(root)[0])
    LiveStore(root)
    assert LiveStore(root).last_read.parsed == files


def test_copies_unused_for_a_long_time_are_removed(tmp_path: Path, small_chunks: None) -> None:
    root = _store(tmp_path)
    LiveStore(root)
    folder = parse_cache.folder()
    assert folder is not None
    stale = folder / ("0" * 64 + ".pickle")
    stale.write_bytes(b"from a store edited long ago")
    old = time.time() - parse_cache.KEEP_UNUSED_S - 60
    os.utime(stale, (old, old))
    in_use = _entries()
    LiveStore(root)
    assert not stale.exists()
    assert [entry for entry in in_use if entry != stale] == _entries()


paths_st = st.lists(st.from_regex(r"people/[a-z0-9]{1,8}\.md", fullmatch=True), min_size=1, max_size=300, unique=True)


@given(paths=paths_st, new=st.from_regex(r"people/[a-z0-9]{1,8}\.md", fullmatch=True))
def test_a_new_path_changes_only_the_chunk_it_lands_in(paths: list[str], new: str) -> None:
    """Chunks end after paths picked by their own hash, not by position: one file more, the others' chunks stay.
    The chunk it joins changes, and so does the next when the new path ends a chunk itself or pushed its chunk
    over the largest size (then up to the next end)."""
    if new in paths:
        return
    size = 8
    before = {tuple(chunk) for chunk in pool.chunked(sorted(paths), size=size)}
    after = pool.chunked(sorted([*paths, new]), size=size)
    assert [p for chunk in after for p in chunk] == sorted([*paths, new])
    changed = [i for i, chunk in enumerate(after) if tuple(chunk) not in before]
    assert changed == list(range(changed[0], changed[-1] + 1))  # one run of chunks
    assert new in after[changed[0]]
    assert all(after[i][-1] == new or len(after[i]) == size * pool.CHUNK_CAP for i in changed[:-1])


def test_chunks_are_about_the_size_asked_for() -> None:
    chunks = pool.chunked([f"people/p{i}.md" for i in range(5000)], size=50)
    assert 50 <= len(chunks) <= 200  # about 5000 / 50
    assert max(map(len, chunks)) <= 50 * pool.CHUNK_CAP


def test_the_parser_identity_covers_every_module_a_parse_runs() -> None:
    """An entry is keyed by the parsing code: a module that parsing imports but the key leaves out could change
    what a file parses to while old entries are still reused."""
    import subprocess
    import sys

    script = (
        "import sys, bot.store.read as r, bot.store.yamlparse;"
        "r.parse_raw('people/a.md', b'---\\nname: A\\n---\\nbody\\n');"
        "print(' '.join(n for n in sys.modules if n.startswith('bot.store.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert set(loaded) <= set(parse_cache.PARSER_MODULES)
