"""A large store is read and parsed in worker processes (bot.store.pool): the same documents and the same
``path:line: message`` problems as reading it in-process, and no worker left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.store import load_store, pool
from bot.store.live import LiveStore
from bot.store.load import discover
from bot.store.yamlsafe import MAX_FILE_BYTES
from tests.store.minimal import FILES, write_store

ADA = FILES["people/ada-lind.md"]
FISH = FILES["deals/north-south/topics/fish.md"]
DEAL = FILES["deals/north-south/deal.yaml"]

# problems the in-process load reports for the files below, word for word (tests/store/test_validation.py)
EXPECTED = [
    "deals/bomb/deal.yaml:2: YAML aliases (*name) are not allowed in a store file; write the value out",
    "deals/north-south/deal.yml:1: duplicate of deal.yaml; keep one spelling",
    "deals/north-south/topics/dup.md:3: duplicate key 'title' (first at line 2); keep one",
    "deals/tagged/deal.yaml:7: YAML tag '!!binary' is not allowed in a store file; write the plain value",
    "people/bad-utf8.md:3: not valid UTF-8 (byte 0xff); save the file as UTF-8",
    "people/eve.md:1: is a link that leads outside the store; refused",
    "people/listed.md:2: expected a mapping of fields (key: value), got a list",
    "people/loop.md:1: is a symlink loop; refused",
    "people/pipe.md:1: not a regular file",
    "topics/fish.md:1: not a place for a store document",
]


def _broken_store(tmp_path: Path) -> Path:
    """The minimal store with one file broken in each way a file can be, beside the good ones."""
    root = write_store(
        tmp_path / "store",
        {
            "people/typo.md": ADA.replace("name: Ada Lind", "nmae: Ada Lind").replace("[lind]", "[typo]"),
            "people/wrong-type.md": ADA.replace("role: Trade minister", "role: [a, b]").replace("[lind]", "[wt]"),
            "people/listed.md": "---\n- just\n- a list\n---\nbody\n",
            "people/Bad_Id.md": ADA.replace("[lind]", "[bad]"),
            "deals/north-south/topics/unclosed.md": FISH.replace("aliases: [cod]", "aliases: [cod, haddock"),
            "deals/north-south/topics/dup.md": FISH.replace("title: Fish quotas\n", "title: Fish quotas\ntitle: D\n"),
            "deals/north-south/deal.yml": DEAL,
            "deals/bomb/deal.yaml": 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: *c\n',
            "deals/tagged/deal.yaml": DEAL.replace("summary: Two", "summary: !!binary VHdv\n# Two"),
            "topics/fish.md": FISH,
        },
    )
    (root / "people/big.md").write_text(ADA + "x" * (MAX_FILE_BYTES + 10), encoding="utf-8")
    (root / "people/bad-utf8.md").write_bytes(b"---\nname: Ada\nrole: \xff\n---\n")
    (tmp_path / "secret.md").write_text(ADA, encoding="utf-8")
    (root / "people/eve.md").symlink_to(tmp_path / "secret.md")
    (root / "people/loop.md").symlink_to("loop.md")
    os.mkfifo(root / "people/pipe.md")
    return root


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any load of more than one file goes through the pool, as a store of 100,000 does."""
    monkeypatch.setattr(pool, "POOL_FROM", 2)
    if pool.workers_for(2) < 2:
        pytest.skip("one core: loads never use a pool")


def _children() -> set[int]:
    """The process ids of this process's children (Linux: /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found |= {int(pid) for pid in (task / "children").read_text().split()}
    return found


def _problems(root: Path) -> list[str]:
    return [str(p) for p in load_store(root).problems]


def test_the_pool_reports_every_problem_as_the_in_process_load_does(tmp_path: Path, pooled: None) -> None:
    root = _broken_store(tmp_path)
    pool.POOL_FROM = 10**9
    in_process = _problems(root)
    pool.POOL_FROM = 2
    found = _problems(root)
    assert found == in_process
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in found), expected
    assert any(line.startswith("people/typo.md:2: unknown key 'nmae'; did you mean 'name'?") for line in found)
    assert any(line.startswith("people/big.md:1: file is ") for line in found)
    assert any(line.startswith("people/Bad_Id.md:1: file and folder names are ids") for line in found)
    assert any(line.startswith("deals/north-south/topics/unclosed.md:3: YAML: did not find") for line in found)


def test_the_pool_gives_the_same_documents(tmp_path: Path, pooled: None) -> None:
    root = _broken_store(tmp_path)
    from_pool = load_store(root)
    pool.POOL_FROM = 10**9
    in_process = load_store(root)
    assert sorted(from_pool.documents) == sorted(in_process.documents)
    assert "people/ada-lind.md" in from_pool.documents
    for path, doc in in_process.documents.items():
        other = from_pool.documents[path]
        assert (other.model, other.body, other.mtime_ns) == (doc.model, doc.body, doc.mtime_ns), path
    assert from_pool.topic("north-south", "fish") is not None


def test_a_live_store_loaded_by_the_pool_holds_the_same_files(tmp_path: Path, pooled: None) -> None:
    root = _broken_store(tmp_path)
    live = LiveStore(root)
    pool.POOL_FROM = 10**9
    reference = LiveStore(root)
    assert {p: h.problems for p, h in live.held.items()} == {p: h.problems for p, h in reference.held.items()}
    assert "people/pipe.md" in live.held
    assert sorted(live.current.documents) == sorted(reference.current.documents)


def test_the_files_are_read_by_worker_processes_that_are_gone_after(tmp_path: Path) -> None:
    root = write_store(tmp_path)
    paths, _ = discover(root)
    before = _children()
    reads = pool.read_files(root, paths, max_bytes=MAX_FILE_BYTES, workers=2)
    first = next(reads)
    assert first[0] == paths[0]
    assert len(_children() - before) == 2
    assert [relative for relative, _ in reads] == paths[1:]
    assert _children() == before


def test_a_load_stopped_early_leaves_no_worker_behind(tmp_path: Path) -> None:
    root = write_store(tmp_path)
    paths, _ = discover(root)
    before = _children()
    reads = pool.read_files(root, paths, max_bytes=MAX_FILE_BYTES, workers=2)
    next(reads)
    reads.close()  # the caller gave up (a reload that failed half-way)
    assert _children() == before


def test_a_worker_that_dies_leaves_the_rest_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.store import yamlrust

    monkeypatch.setattr(yamlrust._Use, "yaml_rs", True)  # put back after the test
    root = write_store(tmp_path)
    paths, _ = discover(root)
    monkeypatch.setattr(pool, "CHUNK", 1)  # a task per file, each sent after the one before is answered,
    monkeypatch.setattr(pool, "AHEAD", 1)  # so the load outlives its workers
    before = _children()
    reads = pool.read_files(root, paths, max_bytes=MAX_FILE_BYTES, workers=2)
    next(reads)
    for pid in _children() - before:
        os.kill(pid, 9)
    rest = list(reads)
    assert [relative for relative, _ in rest] == paths[1:]
    assert all(not isinstance(result, list) for _, result in rest)  # every file read, and read right
    assert "reading the rest of the store in this process" in caplog.text
    # whatever ended the worker (a crash in yaml-rs, say) must not end the bot: the rest is read with PyYAML alone
    assert not yamlrust.in_use()
    assert "parses with PyYAML alone" in caplog.text
    assert _children() == before


def test_small_stores_are_read_in_process() -> None:
    assert pool.workers_for(pool.POOL_FROM - 1) == 0
    cores = len(os.sched_getaffinity(0))
    assert pool.workers_for(100_000) == (cores if cores > 1 else 0)  # one per core, none on one core
