"""`briefbot` as a real process, forgiving what is unambiguous (issue 17 item 9)."""

from __future__ import annotations

from pathlib import Path

from bot.cli_checks import not_a_store
from bot.config import BUNDLED_STORE
from tests.test_cli_process import _env, _run


def test_subscribe_takes_a_loose_time_and_a_city_for_its_zone(tmp_path: Path) -> None:
    result = _run(["ask", "/subscribe time:9:00 timezone:toronto days:mon-fri"], _env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "at 09:00 America/Toronto" in result.stdout


def test_a_misspelt_zone_is_refused_with_the_zone_meant(tmp_path: Path) -> None:
    result = _run(["ask", "/subscribe timezone:Torotno"], _env(tmp_path))
    assert result.returncode == 1
    assert "did you mean America/Toronto" in result.stdout


def test_a_loose_date_flag_in_chat_syntax_is_understood(tmp_path: Path) -> None:
    loose = _run(["ask", "/status tariffs date:2025-3-9"], _env(tmp_path))
    assert loose.returncode == 0, loose.stdout
    assert loose.stdout == _run(["ask", "/status tariffs date:2025-03-09"], _env(tmp_path)).stdout


def test_a_folder_that_is_no_store_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("# nothing to do with a store\n", encoding="utf-8")
    assert not_a_store(tmp_path) == (
        f"{tmp_path} is not a Briefbot store: it has no deals/ or people/ folder. Give the folder that holds "
        "sources.yaml, people/ and deals/ (briefings/README.md describes it)."
    )
    todo = tmp_path / "notes" / "todo.md"
    assert not_a_store(todo) == f"{todo} is not a folder: give a store folder."
    assert not_a_store(tmp_path / "gone") == f"{tmp_path / 'gone'} does not exist: give a store folder."
    assert not_a_store(BUNDLED_STORE) is None


def test_check_on_a_folder_that_is_no_store_says_so_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    (folder / "notes").mkdir(parents=True)
    for n in range(50):
        (folder / "notes" / f"{n}.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = _run(["check", str(folder)], _env(tmp_path))
    assert result.returncode == 2  # a wrong argument, as an unknown command is; 1 is a store with problems
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"briefbot: {not_a_store(folder)}"]


def test_slack_manifest_refuses_a_request_url_that_slack_cannot_use_in_one_line(tmp_path: Path) -> None:
    for url, problem in (("example.org", "full URL"), ("http://example.org", "https")):
        result = _run(["slack-manifest", "--request-url", url], _env(tmp_path))
        assert result.returncode == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and problem in result.stderr


def test_ask_brief_and_run_on_a_missing_store_say_so_in_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "no-such-store"
    for args in (
        ["ask", "/status tariffs", "--store", str(gone)],
        ["brief", "--store", str(gone)],
        ["run", "--store", str(gone)],
    ):
        result = _run(args, _env(tmp_path))
        assert result.returncode == 2, args
        assert result.stdout == ""
        assert result.stderr.strip().splitlines() == [f"briefbot: {not_a_store(gone)}"], args
