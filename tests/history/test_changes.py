"""/changes and date: answers read from a real git repository made in the test."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.context import Context, Ports
from bot.reply import Reply, Tone
from bot.router import Router
from bot.store import Store, load_store
from bot.store.history import GitHistory
from handlers import ALL_COMMANDS
from tests.conftest import text_of
from tests.history.gitstore import commit, make_history, topic, write

TODAY = dt.date(2025, 3, 20)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_history(tmp_path / "repo")


def ask_in(root: Path, history: bool = True) -> tuple[Router, Context]:
    router = Router(ALL_COMMANDS)
    store = load_store(root)
    assert not store.problems, store.problems
    ports = Ports(history=GitHistory(root) if history else None)
    return router, Context(store=store, today=TODAY, specs=router.specs, ports=ports)


async def ask(root: Path, text: str, *, history: bool = True) -> Reply:
    router, ctx = ask_in(root, history)
    return await router.handle_text(text, ctx)


def section_of(reply: Reply, subject: str) -> str:
    found = [s for s in reply.sections if s.heading and subject in s.heading]
    assert len(found) == 1, [s.heading for s in reply.sections]
    return found[0].text.replace("\\", "")  # the markdown escapes, as a reader sees the text


async def test_changes_lists_each_commit_field_by_field_with_date_and_author(root: Path) -> None:
    reply = await ask(root, "/changes dairy")
    assert reply.tone is Tone.ANSWER
    headings = [s.heading for s in reply.sections]
    assert headings == [
        "10 Mar 2025 · Bob Singh · Rename dairy to dairy-quotas",
        "5 Mar 2025 · Alice Martin · Dairy stalls after the Ottawa round",
        "20 Feb 2025 · Carol Roy · WIP dairy",
        "10 Feb 2025 · Bob Singh · Dairy: talks have started",
        "1 Feb 2025 · Alice Martin · Start the Canada-US store",
    ]
    talks = section_of(reply, "talks have started")
    assert "status: open → in talks" in talks
    assert "Canada's position: Supply management stays. → Supply management stays, quotas may grow." in talks
    assert "United States's position: new, Open the dairy market." in talks
    assert "text edited: 1 line added, 0 removed" in talks
    assert "updated" not in talks  # unchanged here, and never worth a line
    # the broken revision is skipped and said so; the next one is compared with the last that loaded
    assert "skipped: this revision did not load" in section_of(reply, "WIP dairy")
    assert "status: in talks → stalled" in section_of(reply, "Ottawa round")
    assert "renamed: deals/cu/topics/dairy.md → deals/cu/topics/dairy-quotas.md" in section_of(reply, "Rename")
    assert "added to the store" in section_of(reply, "Start the")


async def test_since_keeps_only_later_commits(root: Path) -> None:
    reply = await ask(root, "/changes dairy since:2025-03-01")
    assert [s.heading.split(" · ")[2] for s in reply.sections if s.heading] == [
        "Rename dairy to dairy-quotas",
        "Dairy stalls after the Ottawa round",
    ]
    none = await ask(root, "/changes dairy since:2025-03-15")
    assert none.tone is Tone.NOT_FOUND
    assert "since 15 Mar 2025" in none.title


async def test_changes_of_a_deal_show_milestones_and_new_events(root: Path) -> None:
    reply = await ask(root, "/changes cu")
    text = section_of(reply, "Ottawa round")
    assert "milestone “Dairy offer tabled”: status: not started → in progress" in text
    assert "new event: Dairy round in Ottawa (4 Mar 2025)" in text


async def test_changes_in_a_store_that_is_a_subfolder_of_the_checkout(tmp_path: Path) -> None:
    root = make_history(tmp_path / "repo", store="briefings")
    reply = await ask(root, "/changes dairy")
    assert len(reply.sections) == 5
    assert "renamed: deals/cu/topics/dairy.md → deals/cu/topics/dairy-quotas.md" in section_of(reply, "Rename")


@pytest.fixture
def plain(tmp_path: Path, root: Path) -> Path:
    """The same files, outside any git checkout."""
    return Path(shutil.copytree(root, tmp_path / "plain", ignore=shutil.ignore_patterns(".git")))


async def test_without_git_changes_says_why_and_date_answers_as_today(root: Path, plain: Path) -> None:
    reply = await ask(root, "/changes dairy", history=False)
    assert reply.tone is Tone.ERROR
    assert "not served from a git checkout" in text_of(reply)
    dated = await ask(plain, "/status dairy date:2025-02-12")  # a history port, but no repository behind it
    assert dated.status == "stalled"
    assert not any("committed" in f for f in dated.footer)


async def test_date_answers_from_the_store_as_committed_that_day(root: Path) -> None:
    then = await ask(root, "/status dairy date:2025-02-12")
    assert then.status == "in_talks"
    assert "Open the dairy market." in text_of(then)
    assert "The store as committed on 10 Feb 2025" in " ".join(then.footer)
    first = await ask(root, "/status dairy date:2025-02-05")
    assert first.status == "open"
    assert "Open the dairy market." not in text_of(first)
    # the broken commit: the file did not load that day, so the topic was not in the store
    broken = await ask(root, "/status dairy date:2025-02-25")
    assert broken.tone is Tone.NOT_FOUND
    now = await ask(root, "/status dairy date:2025-03-15")  # the newest commit: the live store answers
    assert now.status == "stalled"
    assert not any("committed" in f for f in now.footer)
    before = await ask(root, "/status dairy date:2025-01-15")  # before the first commit: today's store
    assert before.status == "stalled"


async def test_deal_as_of_a_day_shows_that_days_milestones(root: Path) -> None:
    reply = await ask(root, "/deal cu date:2025-02-12")
    assert "The store as committed on 10 Feb 2025" in " ".join(reply.footer)
    assert "Dairy offer tabled" in text_of(reply)
    later = await ask(root, "/deal cu")
    assert text_of(later) != text_of(reply)


async def test_a_new_commit_shows_without_restarting(root: Path) -> None:
    router, ctx = ask_in(root)
    first = await router.handle_text("/changes dairy", ctx)
    write(root, "deals/cu/topics/dairy-quotas.md", topic("agreed", {"ca": "Quotas grow by 3%."}), "Done.")
    commit(root, "Dairy agreed", who="carol", when="2025-03-18T12:00:00+00:00")
    again = await router.handle_text("/changes dairy", ctx)
    assert len(again.sections) == len(first.sections) + 1
    newest = again.sections[0].text.replace("\\", "")
    assert "status: stalled → agreed" in newest
    assert "United States's position: removed (was Open the dairy market.)" in newest


def test_history_parses_each_blob_once(root: Path) -> None:
    import asyncio

    history = GitHistory(root)
    store: Store = load_store(root)
    path = store.deals["cu"].topics["dairy-quotas"].doc.path
    first = asyncio.run(history.revisions(path))
    assert [type(r.document).__name__ for r in first] == ["Document", "Document", "list", "Document", "Document"]
    write(root, "deals/cu/topics/dairy-quotas.md", topic("agreed"), "Done.")
    commit(root, "Dairy agreed", who="carol", when="2025-03-18T12:00:00+00:00")
    again = asyncio.run(history.revisions(path))  # a new HEAD: the log is read again, the old blobs are not
    assert len(again) == len(first) + 1
    assert all(a.document is b.document for a, b in zip(first, again, strict=False))


async def test_events_about_a_restricted_topic_stay_out_for_other_viewers(root: Path) -> None:
    from bot.targets import Target
    from tests.history.gitstore import events

    secret = {**topic(), "title": "Softwood lumber", "restricted_to": ["slack:T1:C9"]}
    write(root, "deals/cu/topics/lumber.md", secret, "Closed talks.")
    lumber = {"id": "call", "date": "2025-03-12", "title": "Softwood call", "source": "gazette", "topics": ["lumber"]}
    dairy = {"id": "dairy-round", "date": "2025-03-04", "title": "Dairy round in Ottawa", "source": "gazette"}
    write(root, "deals/cu/events.yaml", events(dairy, lumber))
    commit(root, "Events: one more", who="carol", when="2025-03-12T12:00:00+00:00")
    router, ctx = ask_in(root)
    elsewhere = text_of(await router.handle_text("/changes cu", ctx))
    assert "Dairy round in Ottawa" in elsewhere
    assert "Softwood" not in elsewhere and "one more" not in elsewhere  # nothing this viewer may see changed then
    inside = replace(ctx, target=Target.parse("slack:T1:C9"))
    assert "new event: Softwood call (12 Mar 2025)" in text_of(await router.handle_text("/changes cu", inside))


async def test_changes_of_a_person_show_a_new_quote(root: Path) -> None:
    person = {"name": "Ana Ruiz", "role": "Negotiator", "affiliation": "Global Affairs Canada", "updated": "2025-03-01"}
    write(root, "people/ana-ruiz.md", person, "Leads for Canada.")
    commit(root, "Add Ana Ruiz", who="alice", when="2025-03-11T09:00:00+00:00")
    quote = {"text": "Dairy is not on the table.", "date": "2025-03-12", "source": "gazette"}
    write(root, "people/ana-ruiz.md", {**person, "quotes": [quote]}, "Leads for Canada.")
    commit(root, "Ana Ruiz on dairy", who="bob", when="2025-03-12T09:00:00+00:00")
    reply = await ask(root, "/changes ruiz")
    assert reply.title == "Changes to Ana Ruiz"
    assert "new quote: “Dairy is not on the table.” (12 Mar 2025)" in section_of(reply, "Ana Ruiz on dairy")


def test_the_app_and_briefbot_ask_read_history_unless_turned_off(root: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import cli

    runner = CliRunner()
    asked = runner.invoke(cli, ["ask", "/status dairy date:2025-02-12", "--store", str(root), "--date", "2025-03-20"])
    assert asked.exit_code == 0, asked.output
    assert "in talks" in asked.output and "The store as committed on 10 Feb 2025" in asked.output
    changes = runner.invoke(cli, ["ask", "/changes dairy since:2025-03-01", "--store", str(root)])
    assert changes.exit_code == 0, changes.output
    assert "status: in talks → stalled" in changes.output
    config = tmp_path / "briefbot.yaml"
    config.write_text("git_history: false\n", encoding="utf-8")
    off = runner.invoke(cli, ["ask", "/changes dairy", "--store", str(root), "--config", str(config)])
    assert off.exit_code == 1
    assert "not served from a git checkout" in off.output


async def test_the_app_answers_changes_through_its_history_port(root: Path, tmp_path: Path) -> None:
    from bot.app import App
    from bot.config import Settings

    app = App(Settings(store=root, as_of=TODAY, state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db", watch=False))
    reply = await app.ask("/changes dairy")
    assert reply.sections[0].heading == "10 Mar 2025 · Bob Singh · Rename dairy to dairy-quotas"
    dated = await app.ask("/timeline dairy date:2025-02-12")
    assert "The store as committed on 10 Feb 2025" in " ".join(dated.footer)


async def test_a_long_history_pages_back_with_until(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import handlers.changes

    monkeypatch.setattr(handlers.changes, "SHOWN", 2)
    first = await ask(root, "/changes dairy")
    assert [s.heading.split(" · ")[0] for s in first.sections if s.heading] == ["10 Mar 2025", "5 Mar 2025"]
    assert "3 older commit(s) not shown: until:2025-03-05 goes further back." in first.footer
    assert first.more == "/changes dairy until:2025-03-05"
    older = await ask(root, "/changes dairy until:2025-03-04")
    assert [s.heading.split(" · ")[0] for s in older.sections if s.heading] == ["20 Feb 2025", "10 Feb 2025"]
    window = await ask(root, "/changes dairy since:2025-02-05 until:2025-02-15")
    assert [s.heading.split(" · ")[2] for s in window.sections if s.heading] == ["Dairy: talks have started"]


def test_maintainer_flow_edit_check_commit_then_changes(root: Path) -> None:
    """A maintainer breaks a file, `briefbot check` says where, they fix it, commit, and /changes shows the edit."""
    from typer.testing import CliRunner

    from bot.cli import cli

    runner = CliRunner()
    path = root / "deals/cu/topics/dairy-quotas.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: stalled", "status: stuck"), encoding="utf-8")
    broken = runner.invoke(cli, ["check", str(root)])
    assert broken.exit_code == 1
    assert "deals/cu/topics/dairy-quotas.md:4:" in broken.output and "'stuck' is not allowed" in broken.output
    path.write_text(path.read_text(encoding="utf-8").replace("status: stuck", "status: agreed"), encoding="utf-8")
    assert runner.invoke(cli, ["check", str(root)]).exit_code == 0
    commit(root, "Dairy agreed in principle", who="carol", when="2025-03-19T16:00:00+00:00")
    shown = runner.invoke(cli, ["ask", "/changes dairy since:2025-03-19", "--store", str(root)])
    assert shown.exit_code == 0, shown.output
    assert "19 Mar 2025 · Carol Roy · Dairy agreed in principle" in shown.output
    assert "status: stalled → agreed" in shown.output
