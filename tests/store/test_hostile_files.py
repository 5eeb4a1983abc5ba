"""Hostile things in a store folder: named pipes, symlink loops, `.yml` twins of `.yaml` files.

A named pipe blocks whoever opens it for reading until a writer appears, so every test that could block is run
under a watchdog that, past its deadline, opens the pipe for writing: the reader wakes up, and the test fails
instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import load_store
from bot.store.live import LiveStore
from bot.store.reloader import StoreWatcher
from tests.store.minimal import FILES, write_store

FISH = "deals/north-south/topics/fish.md"
PIPE = "people/pipe.md"
LOOP = "people/loop.md"
DEAL = "deals/north-south/deal.yaml"
DEAL_YML = "deals/north-south/deal.yml"
DUPLICATE = f"{DEAL_YML}:1: duplicate of deal.yaml; keep one spelling"
BRIEFBOT = [sys.executable, "-c", "from bot.cli import main; main()"]


def _hostile_store(root: Path) -> Path:
    write_store(root)
    os.mkfifo(root / PIPE)
    (root / LOOP).symlink_to("loop.md")  # resolves to itself
    return root


@contextlib.contextmanager
def _unblocked_after(seconds: float, *pipes: Path) -> Iterator[list[bool]]:
    """Past ``seconds``, open each pipe for writing so a blocked reader wakes; yields [True] if that was needed."""
    fired: list[bool] = []
    done = threading.Event()

    def watchdog() -> None:
        if done.wait(seconds):
            return
        fired.append(True)
        while not done.is_set():  # keep waking readers: a blocked watcher may open the pipe again
            for pipe in pipes:
                with contextlib.suppress(OSError):  # ENXIO: nobody was reading this one
                    os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            done.wait(0.2)

    thread = threading.Thread(target=watchdog, daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        done.set()
        thread.join()


def test_load_refuses_a_pipe_and_a_symlink_loop_and_loads_the_rest(tmp_path: Path) -> None:
    root = _hostile_store(tmp_path)
    with _unblocked_after(10, root / PIPE) as fired:
        store = load_store(root)
    assert not fired, "loading opened the named pipe and blocked"
    assert [str(p) for p in store.problems] == [
        f"{LOOP}:1: is a symlink loop; refused",
        f"{PIPE}:1: not a regular file",
    ]
    assert store.topic("north-south", "fish") is not None
    assert "ada-lind" in store.people


def test_a_pipe_in_place_of_a_served_file_keeps_the_last_good_version(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    (live.root / FISH).unlink()
    os.mkfifo(live.root / FISH)
    with _unblocked_after(10, live.root / FISH) as fired:
        live.apply([FISH])
    assert not fired
    assert live.current.topic("north-south", "fish") is not None
    assert [str(p) for p in live.held[FISH].problems] == [f"{FISH}:1: not a regular file"]
    assert live.held[FISH].serving_last_good


def test_a_symlink_loop_saved_live_is_held_not_mistaken_for_a_deletion(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    (live.root / LOOP).symlink_to("loop.md")
    live.apply([LOOP])
    assert [str(p) for p in live.held[LOOP].problems] == [f"{LOOP}:1: is a symlink loop; refused"]


async def _until(predicate, limit: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_live_reload_keeps_serving_when_a_pipe_and_a_loop_appear(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    watcher = StoreWatcher(live, debounce_ms=50, settle=0.2)
    await watcher.start()
    await watcher.ready.wait()
    await asyncio.sleep(0.2)  # let the OS watch settle before the first change
    pipe = live.root / PIPE
    try:
        with _unblocked_after(8, pipe) as fired:
            os.mkfifo(pipe)
            (live.root / LOOP).symlink_to("loop.md")
            await _until(lambda: PIPE in live.held and LOOP in live.held)
            # the event loop is still free, and a later good save is still picked up
            (live.root / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "After the pipe."))
            await _until(lambda: live.current.topic("north-south", "fish").topic.summary == "After the pipe.")  # type: ignore[union-attr]
        assert not fired, "the watcher opened the named pipe and blocked"
        assert str(live.held[PIPE].problems[0]) == f"{PIPE}:1: not a regular file"
    finally:
        await watcher.stop()


def test_briefbot_check_on_a_store_with_a_pipe_and_a_loop_exits_1_promptly(tmp_path: Path) -> None:
    root = _hostile_store(tmp_path / "store")
    try:
        done = subprocess.run([*BRIEFBOT, "check", str(root)], check=False, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        pytest.fail("briefbot check blocked on the named pipe")
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"{PIPE}:1: not a regular file" in done.stdout.splitlines()
    assert f"{LOOP}:1: is a symlink loop; refused" in done.stdout.splitlines()
    assert "Traceback" not in done.stderr


def test_briefbot_run_on_a_store_with_a_pipe_and_a_loop_answers_and_stops(tmp_path: Path) -> None:
    root = _hostile_store(tmp_path / "store")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.update(BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db", BRIEFBOT_HTTP__PORT="0")
    try:
        done = subprocess.run(
            [*BRIEFBOT, "run", "--console", "--store", str(root)],
            check=False,
            input="/who lind\nquit\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("briefbot run blocked on the named pipe")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Trade minister" in done.stdout
    assert "Traceback" not in done.stderr


# --- one spelling per document ---


def test_a_yml_twin_is_a_duplicate_and_the_yaml_file_serves(tmp_path: Path) -> None:
    twin = FILES[DEAL].replace("North-South accord", "Twin accord")
    write_store(tmp_path, {DEAL_YML: twin, "deals/north-south/events.yml": FILES["deals/north-south/events.yaml"]})
    store = load_store(tmp_path)
    assert [str(p) for p in store.problems] == [
        DUPLICATE,
        "deals/north-south/events.yml:1: duplicate of events.yaml; keep one spelling",
    ]
    assert store.deals["north-south"].deal.title == "North-South accord"


def test_a_lone_yml_file_is_accepted(tmp_path: Path) -> None:
    write_store(tmp_path, {DEAL: None, DEAL_YML: FILES[DEAL]})
    store = load_store(tmp_path)
    assert store.problems == ()
    assert store.deals["north-south"].deal.title == "North-South accord"


def test_a_yml_twin_saved_live_never_replaces_the_yaml_file(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    (live.root / DEAL_YML).write_text(FILES[DEAL].replace("North-South accord", "Twin accord"))
    live.apply([DEAL_YML])
    assert live.current.deals["north-south"].deal.title == "North-South accord"
    assert [str(p) for p in live.held[DEAL_YML].problems] == [DUPLICATE]
    assert not live.held[DEAL_YML].serving_last_good

    # the .yaml spelling removed: the .yml file is the only one left, and serves
    (live.root / DEAL).unlink()
    live.apply([DEAL])
    assert live.current.deals["north-south"].deal.title == "Twin accord"
    assert DEAL_YML not in live.held


def test_a_yaml_file_saved_beside_a_serving_yml_takes_over(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path, {DEAL: None, DEAL_YML: FILES[DEAL].replace("North-South", "Yml")}))
    assert live.current.deals["north-south"].deal.title == "Yml accord"
    (live.root / DEAL).write_text(FILES[DEAL])
    live.apply([DEAL])
    assert live.current.deals["north-south"].deal.title == "North-South accord"
    assert [str(p) for p in live.held[DEAL_YML].problems] == [DUPLICATE]
    assert live.current.problems == live.held[DEAL_YML].problems
