"""briefbot new person|deal|event and briefbot schema --vscode, on the minimal store: each written file passes check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.store import load_store
from tests.store.minimal import write_store

runner = CliRunner()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_store(tmp_path / "store")


def new(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["new", *args, "--store", str(root)])
    return result.exit_code, result.output


def test_new_person_with_a_contact_can_own_documents(root: Path) -> None:
    code, out = new(root, "person", "--name", "Bo Berg", "--role", "Negotiator", "--affiliation", "Southland",
                    "--party", "sl", "--deal", "north-south", "--contact", "slack:T1:@UBO")  # fmt: skip
    assert (code, out) == (0, "wrote people/bo-berg.md\n")
    assert load_store(root).people["bo-berg"].person.contact == "slack:T1:@UBO"
    code, out = new(root, "person", "--name", "Lind", "--role", "x", "--affiliation", "y")  # Ada Lind's alias
    assert code == 2 and "clashes with people/ada-lind.md" in out


def test_new_deal_needs_two_parties_and_a_track(root: Path) -> None:
    code, out = new(root, "deal", "--title", "East-West pact", "--summary", "Two coasts talk.",
                    "--party", "ea=Eastland", "--track", "ports=Ports")  # fmt: skip
    assert code == 2 and "'parties'" in out and not (root / "deals/east-west-pact").exists()
    code, out = new(root, "deal", "--title", "East-West pact", "--summary", "Two coasts talk.",
                    "--party", "ea=Eastland", "--party", "we=Westland", "--track", "ports=Ports")  # fmt: skip
    assert (code, out) == (0, "wrote deals/east-west-pact/deal.yaml\n")
    store = load_store(root)
    assert store.problems == () and [p.name for p in store.deals["east-west-pact"].deal.parties] == [
        "Eastland",
        "Westland",
    ]


def test_new_event_is_added_to_the_end_of_the_log_keeping_its_text(root: Path) -> None:
    log = root / "deals/north-south/events.yaml"
    log.write_text("# kept\n" + log.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = new(root, "event", "--deal", "north-south", "--date", "2025-05-02", "--title", "Southland replies",
                    "--source", "wire", "--topic", "fish")  # fmt: skip
    assert (code, out) == (0, "wrote deals/north-south/events.yaml\n")
    text = log.read_text(encoding="utf-8")
    assert text.startswith("# kept\n") and text.endswith(
        "  - id: southland-replies\n    date: 2025-05-02\n    title: Southland replies\n    topics:\n"
        "    - fish\n    source: wire\n"
    )
    store = load_store(root)
    assert store.problems == () and [e.id for e in store.deals["north-south"].events][-1] == "southland-replies"
    code, out = new(root, "event", "southland-replies", "--deal", "north-south", "--date", "2025-05-03",
                    "--title", "Again", "--source", "wire")  # fmt: skip
    assert code == 2 and "event 'southland-replies' already exists" in out
    code, out = new(root, "event", "--deal", "north-south", "--date", "2025-05-03", "--title", "Unknown source",
                    "--source", "nope")  # fmt: skip
    assert code == 1 and "unknown source 'nope'" in out
    assert log.read_text(encoding="utf-8") == text  # put back as it was


def test_missing_values_without_a_terminal_name_the_flag(root: Path) -> None:
    code, out = new(root, "topic", "--deal", "north-south", "--title", "Ports")
    assert code == 2 and "--track is required" in out


def test_schema_vscode_points_the_yaml_extension_at_the_schemas(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode/settings.json").write_text('{"editor.rulers": [120]}', encoding="utf-8")
    result = runner.invoke(cli, ["schema", "--out", ".schemas", "--vscode", "--store", "store"])
    assert result.exit_code == 0, result.output
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["editor.rulers"] == [120]  # kept
    assert settings["yaml.schemas"]["./.schemas/deal.schema.json"] == ["store/deals/*/deal.yaml"]
    deal_schema = json.loads((tmp_path / ".schemas/deal.schema.json").read_text(encoding="utf-8"))
    assert "owner" in deal_schema["properties"] and "review_every" in deal_schema["properties"]


def test_a_yaml_syntax_error_has_its_column(root: Path) -> None:
    (root / "deals/north-south/deal.yaml").write_text("title: [unclosed\nparties: 1\n", encoding="utf-8")
    (problem,) = [p for p in load_store(root).problems if p.path.endswith("deal.yaml")]
    assert problem.located() == (
        "deals/north-south/deal.yaml:1:8: YAML: did not find expected ',' or ']' parsing a flow sequence that starts "
        "on this line"
    )


def test_the_new_commands_have_help_without_markup() -> None:
    for args in (["new", "-h"], ["new", "topic", "-h"], ["preview", "-h"], ["check", "-h"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output and "``" not in result.output


def test_at_a_terminal_new_asks_for_what_the_flags_left_out(root: Path) -> None:
    """A real pseudo-terminal: the prompts appear, Enter takes the suggested id, and the file is written."""
    import os
    import pty
    import select
    import sys

    argv = [sys.executable, "-m", "bot.cli", "new", "topic", "--store", str(root), "--deal", "north-south",
            "--track", "quotas", "--source", "wire"]  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: briefbot with its stdin on the terminal
        os.execv(sys.executable, argv)
    answers = [b"Cod quotas\r", b"\r", b"How much cod each side may catch.\r"]
    seen = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child has exited
            break
        seen += chunk
        if chunk.rstrip().endswith(b":") and answers:
            os.write(fd, answers.pop(0))
    os.waitpid(pid, 0)
    shown = seen.decode()
    assert "Title:" in shown and "Id [cod-quotas]:" in shown and "Summary:" in shown
    assert "wrote deals/north-south/topics/cod-quotas.md" in shown
    assert load_store(root).topic("north-south", "cod-quotas") is not None
