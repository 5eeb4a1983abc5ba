"""The change digest: edit store files between two briefings and check the exact lines reported."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.briefing.changes import Kind
from bot.briefing.snapshot import diff, take_snapshot
from bot.cli import cli
from bot.config import BUNDLED_STORE
from bot.render_text import render_text
from bot.reply import Progress, Reply
from bot.store import load_store
from tests.scheduler.conftest import Harness, sub
from tests.scheduler.edits import edit_store, replace_in
from tests.scheduler.helpers import ControlledClock, RecordingDelivery, apscheduler_clock

UTC = dt.UTC
CHANGES = [
    "- **U.S. tariffs on Canadian goods**: open → **in talks** _(CBC News)_",
    "- **Cabinet roles for the U.S. file assigned** (Personnel): in progress → **done** _(CBC News)_",
    "- New event, **13 May 2025**: Carney's new cabinet is sworn in _(CBC News)_",
    "- **Brian Clow** (5 May 2025): \u201cThe first meeting will tell us a lot.\u201d _(CBC News)_",
    "- Also edited Dairy and supply management; added Dominic LeBlanc",  # documents, in one line
]
TOP_LINE = (
    "U.S. tariffs on Canadian goods moved to in talks; Cabinet roles for the U.S. file assigned: done; "
    "Carney's new cabinet is sworn in; 1 new quote."
)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    root = tmp_path / "briefings"
    shutil.copytree(BUNDLED_STORE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def section(reply: Reply, heading_start: str) -> str:
    return next(s.text for s in reply.sections if s.heading and s.heading.startswith(heading_start))


async def test_second_briefing_reports_exactly_the_edits_since_the_first(harness: Harness, store_dir: Path) -> None:
    harness.store = load_store(store_dir)
    harness.clock.reset(dt.datetime(2025, 5, 5, 11, 55, tzinfo=UTC))
    await harness.scheduler([sub("slack:T1:C1", time="08:00", timezone="America/Toronto")])
    await harness.run_until(dt.datetime(2025, 5, 5, 12, 5, tzinfo=UTC))
    (monday,) = harness.delivery.posts
    # the first briefing: the store's dated changes over the recent days, milestones first
    first = section(monday.reply, "Since 28 Apr 2025").split("\n")
    assert first[0] == (
        "- **First Carney–Trump meeting at the White House** (Personnel): not started → **in progress** _(CBC News)_"
    )
    assert first[1] == "- **about 1 May 2025**: CBC News analysis sets out the three steps to a truce _(CBC News)_"

    edit_store(store_dir)
    harness.store = load_store(store_dir)
    assert not harness.store.problems
    await harness.run_until(dt.datetime(2025, 5, 6, 12, 5, tzinfo=UTC))
    tuesday = harness.delivery.posts[1].reply
    assert section(tuesday, "Since 5 May 2025").split("\n") == CHANGES
    assert tuesday.sections[0].heading is None and tuesday.sections[0].text == TOP_LINE  # the top line leads
    why = section(tuesday, "Why it matters").split("\n")
    assert why[0].startswith("- **U.S. tariffs on Canadian goods** (in talks): Relief at the first meeting")
    assert why[1].startswith("- **Negotiating process: review, handshake or both** (open): A two-stage path")
    progress = {p.label: p for s in tuesday.sections for p in s.progress}
    assert progress["Personnel"] == Progress("Personnel", 2, 5, "1/5 → 2/5")
    assert progress["Policy"].note == ""  # unchanged tracks say nothing

    await harness.run_until(dt.datetime(2025, 5, 7, 12, 5, tzinfo=UTC))  # nothing edited since Tuesday
    wednesday = harness.delivery.posts[2].reply
    assert [s.text for s in wednesday.sections] == [  # a quiet day is one line, and nothing else
        "Quiet day: nothing has changed since 6 May 2025. Next: **13 May 2025**: Carney's new cabinet is sworn in "
        "(1 more date in the next 14 days)."
    ]
    assert not wednesday.sources and not wednesday.footer and not wednesday.more


def test_diff_reports_removals_and_keeps_restricted_topics_out(store_dir: Path) -> None:
    before = load_store(store_dir)
    old = take_snapshot(before, before.deals["canada-us"], viewer="slack:T1:C1")
    deal = store_dir / "deals" / "canada-us"
    (deal / "topics" / "oil.md").unlink()
    replace_in(store_dir / "people" / "erin-otoole.md", "  - canada-us/oil\n", "")
    replace_in(deal / "topics" / "china.md", "status: open", "status: stalled")
    replace_in(deal / "topics" / "china.md", "track: policy\n", 'track: policy\nrestricted_to: ["slack:T1:CSECRET"]\n')
    after = load_store(store_dir)
    assert not after.problems
    outsider_digest = diff(old, take_snapshot(after, after.deals["canada-us"], viewer="slack:T1:C1"))
    outsider_changes, outsider = outsider_digest.changes, outsider_digest.lines
    assert [(c.kind, c.title, c.where) for c in outsider_changes] == [
        (Kind.EDITED, "Erin O'Toole", "people/erin-otoole.md"),
        (Kind.REMOVED, "China measures and Chinese content", "deals/canada-us/topics/china.md"),  # hidden now
        (Kind.REMOVED, "Oil supply", "deals/canada-us/topics/oil.md"),
    ]
    assert outsider == ("- Also edited Erin O'Toole; removed China measures and Chinese content, Oil supply",)
    insider = diff(old, take_snapshot(after, after.deals["canada-us"], viewer="slack:T1:CSECRET")).lines
    assert insider[0] == "- **China measures and Chinese content**: open → **stalled** _(CBC News)_"


def test_snapshot_is_deterministic_and_json_ready(store_dir: Path) -> None:
    import json

    one = load_store(store_dir)
    two = load_store(store_dir)
    a = take_snapshot(one, one.deals["canada-us"], viewer=None)
    b = take_snapshot(two, two.deals["canada-us"], viewer=None)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert diff(a, json.loads(json.dumps(a))).lines == ()


def test_briefbot_brief_with_a_channel_prints_exactly_what_will_be_posted(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/state.db"
    monkeypatch.setenv("BRIEFBOT_STATE_URL", url)
    clock = ControlledClock(dt.datetime(2025, 5, 5, 11, 55, tzinfo=UTC))

    async def post_until(when: dt.datetime) -> Reply:
        h = Harness(url, clock, load_store(store_dir), RecordingDelivery(clock))
        try:
            await h.scheduler([sub("slack:T1:C1", time="08:00", timezone="America/Toronto")])
            await h.run_until(when)
            reply: Reply = h.delivery.posts[-1].reply
            return reply
        finally:
            await h.close()

    with apscheduler_clock(clock):
        asyncio.run(post_until(dt.datetime(2025, 5, 5, 12, 5, tzinfo=UTC)))  # Monday's post: the snapshot
        edit_store(store_dir)
        args = ["brief", "--channel", "slack:T1:C1", "--date", "2025-05-06", "--store", str(store_dir)]
        printed = CliRunner().invoke(cli, args)
        assert printed.exit_code == 0, printed.output
        tuesday = asyncio.run(post_until(dt.datetime(2025, 5, 6, 12, 5, tzinfo=UTC)))
    assert printed.output == render_text(tuesday)
    assert CHANGES[1].replace("**", "").replace("_(", "(").replace(")_", ")")[2:] in printed.output
