"""Edit, break, fix and delete files under a live store, and check what readers see at each step."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.store.live import LiveStore, StoreEvent
from bot.store.reloader import StoreWatcher
from tests.store.minimal import FILES, write_store

FISH = "deals/north-south/topics/fish.md"


def summary_of(live: LiveStore) -> str:
    topic = live.current.topic("north-south", "fish")
    assert topic is not None
    return topic.topic.summary


@pytest.fixture
def live(tmp_path: Path) -> LiveStore:
    return LiveStore(write_store(tmp_path / "store"))


def test_good_edit_is_swapped_in(live: LiveStore) -> None:
    before = live.current
    (live.root / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Quotas agreed."))
    live.apply([FISH])
    assert summary_of(live) == "Quotas agreed."
    assert before.topic("north-south", "fish").topic.summary == "How much each side may catch."  # type: ignore[union-attr]


def test_broken_edit_keeps_last_good_and_reports_then_clears(live: LiveStore) -> None:
    events: list[StoreEvent] = []
    live.subscribe(events.append)
    (live.root / FISH).write_text(FILES[FISH].replace("status: in_talks", "status: nearly"))
    live.apply([FISH])
    assert summary_of(live) == "How much each side may catch."  # still served
    assert live.held[FISH].serving_last_good
    assert str(live.held[FISH].problems[0]).startswith(f"{FISH}:5: 'status'")
    assert [e.kind for e in events] == ["held"]

    live.apply([FISH])  # the same problem again is not a new alert
    assert [e.kind for e in events] == ["held"]

    (live.root / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Fixed."))
    live.apply([FISH])
    assert summary_of(live) == "Fixed."
    assert FISH not in live.held
    assert [e.kind for e in events] == ["held", "fixed"]


def test_edit_that_breaks_a_reference_keeps_last_good(live: LiveStore) -> None:
    (live.root / FISH).write_text(FILES[FISH].replace("people: [ada-lind]", "people: [nobody]"))
    live.apply([FISH])
    topic = live.current.topic("north-south", "fish")
    assert topic is not None
    assert topic.topic.people == ["ada-lind"]
    assert "unknown person 'nobody'" in str(live.held[FISH].problems[0])


def test_delete_with_dangling_references_is_held(live: LiveStore) -> None:
    person = "people/ada-lind.md"
    (live.root / person).unlink()
    live.apply([person])
    assert "ada-lind" in live.current.people  # still referenced by the topic and the events
    assert "other files still refer to it" in str(live.held[person].problems[0])


def test_delete_without_references_removes(live: LiveStore) -> None:
    extra = "deals/north-south/topics/herring.md"
    (live.root / extra).write_text(FILES[FISH].replace("Fish quotas", "Herring").replace("[cod]", "[herring]"))
    live.apply([extra])
    assert live.current.topic("north-south", "herring") is not None
    (live.root / extra).unlink()
    live.apply([extra])
    assert live.current.topic("north-south", "herring") is None
    assert extra not in live.held


def test_new_broken_file_is_held_without_a_last_good(live: LiveStore) -> None:
    new = "people/new-person.md"
    (live.root / new).write_text("---\nname: [\n---\n")
    live.apply([new])
    assert not live.held[new].serving_last_good
    assert "new-person" not in live.current.people


async def _until(predicate, limit: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_watcher_follows_saves_atomic_renames_and_half_written_files(live: LiveStore) -> None:
    watcher = StoreWatcher(live, debounce_ms=50, settle=0.3)
    await watcher.start()
    await watcher.ready.wait()
    await asyncio.sleep(0.2)  # let the OS watch settle before the first write
    try:
        # a plain save
        (live.root / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Plain save."))
        await _until(lambda: summary_of(live) == "Plain save.")

        # an editor's atomic save: write a temp file, then rename it over the original
        temp = live.root / "deals/north-south/topics/.fish.md.swp"
        temp.write_text(FILES[FISH].replace("How much each side may catch.", "Atomic save."))
        os.replace(temp, live.root / FISH)
        await _until(lambda: summary_of(live) == "Atomic save.")

        # a half-written file, completed shortly after: readers never see the half, and the maintainers are not
        # told of a problem that was never one (the watcher lets it settle before reporting it)
        events: list[StoreEvent] = []
        live.subscribe(events.append)
        full = FILES[FISH].replace("How much each side may catch.", "Completed write.")
        (live.root / FISH).write_text(full[: len(full) // 3])
        await _until(lambda: FISH in watcher.settling)  # seen half-written, given time to complete
        assert summary_of(live) == "Atomic save."
        (live.root / FISH).write_text(full)
        await _until(lambda: summary_of(live) == "Completed write.")
        assert FISH not in live.held
        assert [e for e in events if e.kind == "held"] == []

        # a deletion of an unreferenced file
        extra = live.root / "deals/north-south/topics/herring.md"
        extra.write_text(FILES[FISH].replace("Fish quotas", "Herring").replace("[cod]", "[herring]"))
        await _until(lambda: live.current.topic("north-south", "herring") is not None)
        extra.unlink()
        await _until(lambda: live.current.topic("north-south", "herring") is None)
    finally:
        await watcher.stop()


def test_a_reload_that_fails_midway_leaves_the_store_as_it_was(
    live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files in service are edited in place during a reload; a failure puts every one of them back."""
    from bot.store import incremental

    served = dict(live._docs)
    (live.root / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Quotas agreed."))

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk gone")

    with monkeypatch.context() as patched:
        patched.setattr(incremental, "apply", fail)
        with pytest.raises(RuntimeError):
            live.apply([FISH])
    assert live._docs == served
    assert summary_of(live) == "How much each side may catch."
    live.apply([FISH])
    assert summary_of(live) == "Quotas agreed."
