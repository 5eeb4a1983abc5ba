"""Git mode: a store that is a git checkout follows its upstream and names the commit it serves."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.store.gitsync import GitSync
from bot.store.live import LiveStore
from tests.store.minimal import FILES, write_store

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
FISH = "deals/north-south/topics/fish.md"


def run(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd),
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


async def test_pull_reloads_only_what_changed_and_names_the_commit(tmp_path: Path) -> None:
    upstream = tmp_path / "upstream"
    write_store(upstream / "briefings")  # the store is a subfolder of the repository
    run(upstream, "init", "-q", "-b", "main")
    run(upstream, "add", "-A")
    run(upstream, "commit", "-qm", "first")
    run(tmp_path, "clone", "-q", str(upstream), "checkout")

    live = LiveStore(tmp_path / "checkout" / "briefings")
    sync = GitSync(live, interval=3600)
    await sync.start()
    try:
        first = live.commit
        assert first == run(upstream, "rev-parse", "HEAD")
        assert await sync.sync() == []  # nothing new

        (upstream / "briefings" / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Pulled."))
        run(upstream, "commit", "-qam", "update fish")
        assert await sync.sync() == [FISH]
        assert live.commit == run(upstream, "rev-parse", "HEAD") != first
        topic = live.current.topic("north-south", "fish")
        assert topic is not None
        assert topic.topic.summary == "Pulled."
    finally:
        await sync.stop()
