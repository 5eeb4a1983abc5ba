"""The daily briefing as a reader meets it at 8 a.m.: a top line, what changed in words and why it matters, the open
questions that changed, sources with their links, and a quiet day in one line, on every surface."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord_render import render_embed
from bot.adapters.slack_render import fallback_text, render_message
from bot.briefing.changes import Kind
from bot.briefing.snapshot import channel_briefing, diff, take_snapshot
from bot.briefing.snapshot_model import Snapshot, from_json, to_json
from bot.config import BUNDLED_STORE
from bot.render_text import render_text
from bot.reply import Reply
from bot.store import Store, load_store
from tests.conftest import Ask, text_of
from tests.scheduler.edits import edit_store, replace_in

CHANNEL = "slack:T1:C1"
MONDAY, TUESDAY = dt.date(2025, 5, 5), dt.date(2025, 5, 6)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    root = tmp_path / "briefings"
    shutil.copytree(BUNDLED_STORE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def section(reply: Reply, heading_start: str) -> str:
    return next(s.text for s in reply.sections if s.heading and s.heading.startswith(heading_start))


def revise_positions_dates_and_questions(root: Path) -> None:
    deal = root / "deals" / "canada-us"
    replace_in(
        deal / "deal.yaml", "      - Who will run the negotiating process for Canada?\n", "      - Will LeBlanc lead?\n"
    )
    replace_in(deal / "deal.yaml", 'target: "2026-07"', "target: 2026-07-01")
    replace_in(
        deal / "topics" / "tariffs.md", "us: Has kept the tariffs", "us: Signals relief on steel; has kept the tariffs"
    )


def tuesday(root: Path, before: Store, previous: Snapshot | None = None) -> Reply:
    after = load_store(root)
    assert not after.problems
    previous = previous or take_snapshot(before, before.deals["canada-us"], CHANNEL)
    reply, _ = channel_briefing(
        after, after.deals["canada-us"], TUESDAY, viewer=CHANNEL, previous=previous, previous_date=MONDAY
    )
    return reply


def test_a_position_a_date_and_the_open_questions_are_said_in_words(store_dir: Path) -> None:
    before = load_store(store_dir)
    revise_positions_dates_and_questions(store_dir)
    reply = tuesday(store_dir, before)
    assert reply.sections[0].heading is None
    assert reply.sections[0].text == (
        "United States shifted on U.S. tariffs on Canadian goods; CUSMA joint review: date moved; "
        "2 open questions changed."
    )
    assert section(reply, "Since 5 May 2025").split("\n") == [
        "- **U.S. tariffs on Canadian goods**: United States' position changed: Signals relief on steel; has kept "
        "the tariffs in force and has given no sign of suspending any of them while talks go on. _(CBC News)_",
        "- **CUSMA joint review** (Process): date moved from July 2026 to **1 Jul 2026** _(CBC News)_",
    ]
    assert section(reply, "Open questions").split("\n") == [
        "- New: Will LeBlanc lead?",
        "- No longer open: Who will run the negotiating process for Canada?",
    ]
    why = section(reply, "Why it matters").split("\n")
    assert len(why) == 1 and why[0].startswith("- **U.S. tariffs on Canadian goods** (open): Relief at the first")
    assert "deal.yaml" not in text_of(reply)  # the deal file's edit is the date and the questions, said above


def test_a_snapshot_saved_before_positions_and_questions_were_kept_reports_none_of_them(store_dir: Path) -> None:
    before = load_store(store_dir)
    old: Any = take_snapshot(before, before.deals["canada-us"], CHANNEL)
    old.pop("parties")
    for track in old["tracks"]:
        track.pop("open_questions")
        for milestone in track["milestones"].values():
            milestone.pop("target")
    for topic in old["topics"].values():
        topic.pop("positions")
    for event in old["events"].values():
        event.pop("topics")
    current = take_snapshot(before, before.deals["canada-us"], CHANNEL)
    assert from_json(to_json(current)) == current  # the new fields are stored and read back
    assert from_json(to_json(old)) == old  # and a snapshot without them still reads
    assert diff(old, current).changes == ()  # an upgrade alone reports nothing
    revise_positions_dates_and_questions(store_dir)
    after = load_store(store_dir)
    kinds = {c.kind for c in diff(old, take_snapshot(after, after.deals["canada-us"], CHANNEL)).changes}
    assert kinds == {Kind.EDITED}  # what it cannot compare, it reports as the edits they are


async def test_since_shows_a_few_quotes_and_counts_the_rest(ask: Ask) -> None:
    reply = await ask("/brief since:2025-04-25")
    assert reply.sections[0].text == (
        "Federal election won by Carney's Liberals: done; First Carney–Trump meeting at the White House: in "
        "progress; 3 events; 7 new quotes."
    )
    lines = section(reply, "Since 25 Apr 2025").split("\n")
    quotes = [line for line in lines if "\u201c" in line]
    assert len(quotes) == 3 and all(line.startswith("- **Brian Clow** (about 1 May 2025): \u201c") for line in quotes)
    assert lines[-1] == "- 4 more quotes: Brian Clow (1), Erin O'Toole (3)"
    assert "- **28 Apr 2025**: Carney's Liberals win the Canadian federal election _(CBC News)_" in lines
    assert [s.outlet for s in reply.sources] == ["CBC News"]  # what the changes and outlooks rest on, no more


async def test_sources_carry_their_links(ask_second: Ask) -> None:
    reply = await ask_second("/brief northwind-fisheries since:2030-02-01", today=dt.date(2030, 3, 5))
    link = "https://example.org/northwind/releases/cod-position"
    assert [s.link for s in reply.sources] == [None, link]
    assert f"<{link}>" in render_text(reply)
    assert f"<{link}|Minister Lindqvist sets out Northwind" in str(render_message(reply.shared()))


def test_every_surface_leads_with_the_top_line(store_dir: Path) -> None:
    before = load_store(store_dir)
    edit_store(store_dir)
    reply = tuesday(store_dir, before).shared()
    top = reply.sections[0].text
    assert top.startswith("U.S. tariffs on Canadian goods moved to in talks;")

    text = render_text(reply)
    assert text.index(top) < text.index("Since 5 May 2025") < text.index("Why it matters") < text.index("Progress")
    assert text.count("/deal") == 1  # the pointer once, not also in a footer

    slack = render_message(reply)
    assert top in fallback_text(reply)  # the notification says what moved
    bodies = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert bodies[0] == top and bodies[1].startswith("*Since 5 May 2025*\n• *U.S. tariffs on Canadian goods*: open")

    embed = render_embed(reply)
    assert embed.description is not None and embed.description.endswith(top)
    assert [f.name for f in embed.fields][:2] == ["Since 5 May 2025", "Why it matters"]


async def test_a_quiet_day_is_one_line_on_every_surface(ask: Ask) -> None:
    reply = await ask("/brief", today=dt.date(2025, 8, 20))
    line = reply.sections[0].text
    assert line.startswith("Quiet day: nothing has changed since 13 Aug 2025")
    assert render_text(reply).split("\n")[3:] == ["", line, ""]  # title, date, rule, then only the line
    blocks = render_message(reply.shared())["blocks"]
    assert [b["type"] for b in blocks] == ["header", "context", "section"] and blocks[2]["text"]["text"] == line
    embed = render_embed(reply)
    assert embed.description == f"_20 Aug 2025_\n\n{line}" and not embed.fields and not embed.footer.text


def test_store_text_in_the_top_line_stays_text(store_dir: Path) -> None:
    before = load_store(store_dir)
    tariffs = store_dir / "deals" / "canada-us" / "topics" / "tariffs.md"
    replace_in(
        tariffs, "title: U.S. tariffs on Canadian goods", "title: Tariffs *all* of_them_ [x](https://evil.example)"
    )
    replace_in(tariffs, "status: open", "status: stalled")
    reply = tuesday(store_dir, before)
    assert render_text(reply).split("\n")[4] == "Tariffs *all* of_them_ [x](https://evil.example) moved to stalled."
    assert "<https://evil.example|" not in str(render_message(reply))
