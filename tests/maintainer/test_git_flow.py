"""The maintainer's loop with the store in git, as issue 20 describes it: scaffold a topic, commit it, edit it,
check it, preview the change, commit the edit as someone else, and see the edit in /changes, field by field, with
who made it and when."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import cli
from bot.config import BUNDLED_STORE
from tests.history.gitstore import commit, init

runner = CliRunner()
LUMBER = "deals/canada-us/topics/softwood-lumber.md"
NEW_TOPIC = [
    "new", "topic",
    "--deal", "canada-us",
    "--title", "Softwood lumber",
    "--track", "policy",
    "--summary", "U.S. duties on Canadian softwood lumber.",
    "--source", "cbc-three-steps",
]  # fmt: skip


def briefbot(store: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, [*args, "--store", str(store)])
    return result.exit_code, result.output


def test_scaffold_edit_check_preview_commit_and_see_the_change(tmp_path: Path) -> None:
    repo = tmp_path / "content"
    init(repo)
    store = repo / "briefings"
    shutil.copytree(BUNDLED_STORE, store)
    commit(repo, "The bundled store", who="alice", when="2025-04-01T09:00:00+00:00")

    assert briefbot(store, *NEW_TOPIC) == (0, f"wrote {LUMBER}\n")
    commit(repo, "Add softwood lumber", who="alice", when="2025-05-01T09:00:00+00:00")

    path = store / LUMBER
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: in_tals"), encoding="utf-8")
    code, out = briefbot(store, "check", str(store))
    assert code == 1 and f"{LUMBER}:4: " in out and "in_tals" in out  # caught before it is committed
    path.write_text(path.read_text(encoding="utf-8").replace("in_tals", "in_talks"), encoding="utf-8")
    assert briefbot(store, "check", str(store))[0] == 0

    code, out = briefbot(store, "preview", "--channel", "console:local", "--date", "2025-05-03", "--deal", "canada-us")
    assert code == 0 and "Daily briefing" in out

    commit(repo, "Lumber talks have started", who="bob", when="2025-05-02T10:00:00+00:00")
    code, out = briefbot(store, "ask", "/changes softwood-lumber", "--date", "2025-05-02")
    assert code == 0, out
    assert "Lumber talks have started" in out and "Bob Singh" in out and "2 May 2025" in out
    assert "status: open → in talks" in out
    assert "Add softwood lumber" in out and "Alice" in out  # the first commit: the file was added
