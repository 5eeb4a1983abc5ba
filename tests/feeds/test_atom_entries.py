"""The Atom feed's entries on a store with a long history: newest kept, oldest dropped, each day once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser

from bot.feeds.atom import MAX_ENTRIES, FeedLinks, deal_feed
from bot.store import load_store
from tests.store.minimal import FILES, write_store

LINKS = FeedLinks("https://example.org/feeds/north-south.atom", "https://example.org/feeds/north-south.ics")


def _long_history(root: Path, days: int) -> Path:
    first = dt.date(2025, 1, 1)
    events = "".join(
        f"""  - id: round-{n}
    date: {first + dt.timedelta(days=n)}
    title: Negotiating round {n}
    topics: [fish]
    source: wire
"""
        for n in range(days)
    )
    log = FILES["deals/north-south/events.yaml"].replace("updated: 2025-05-01", "updated: 2025-06-01")
    return write_store(root, {"deals/north-south/events.yaml": log + events})


def test_a_long_history_keeps_the_newest_entries(tmp_path: Path) -> None:
    store = load_store(_long_history(tmp_path, 90))
    assert not store.problems, store.problems
    built = deal_feed(store, store.deals["north-south"], dt.date(2025, 6, 1), LINKS)
    feed = feedparser.parse(built.body)
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert len(titles) == MAX_ENTRIES
    # the store's own news (revised documents, the topic's status, the first offer, its milestone), then the 56
    # newest rounds
    assert titles[:4] == [
        "2 May 2025 briefing: North-South accord revised (and 2 more)",
        "Fish quotas: in talks",
        "1 May 2025 briefing: Northland tables its first offer",
        "First offer tabled: done",
    ]
    assert titles[4] == "1 Apr 2025 briefing: Negotiating round 89"
    assert titles[-1] == "5 Feb 2025 briefing: Negotiating round 34"
    assert built.updated == dt.datetime(2025, 5, 2, tzinfo=dt.UTC)
    # each round is reported once, in the briefing of the morning after, since the round before
    newest = feed.entries[4].content[0].value
    assert "Since 30 Mar 2025" in newest and "Negotiating round 89" in newest and "round 88" not in newest


def test_hostile_store_text_stays_text(tmp_path: Path) -> None:
    from icalendar import Calendar

    from bot.feeds.ical import deal_calendar

    log = FILES["deals/north-south/events.yaml"] + (
        '  - id: hostile\n    date: 2025-04-29\n    title: "Round <script>alert(1)</script> held\\x07\\u202e"\n'
        '    detail: "[click](javascript:alert(1))"\n    topics: [fish]\n    source: wire\n'
    )
    store = load_store(write_store(tmp_path, {"deals/north-south/events.yaml": log}))
    assert not store.problems, store.problems
    deal = store.deals["north-south"]
    feed = feedparser.parse(deal_feed(store, deal, dt.date(2025, 5, 2), LINKS).body)
    assert not feed.bozo
    entry = next(e for e in feed.entries if "Round" in e.title)
    assert entry.title == "30 Apr 2025 briefing: Round <script>alert(1)</script> held"  # a title is plain text
    html = entry.content[0].value
    assert "<script" not in html and "&lt;script&gt;" in html
    calendar = Calendar.from_ical(deal_calendar(store, deal))
    event = next(e for e in calendar.walk("VEVENT") if "Round" in str(e["SUMMARY"]))
    assert str(event["SUMMARY"]) == "Round <script>alert(1)</script> held"
    assert "javascript" in str(event["DESCRIPTION"])  # plain text in a calendar: shown, never a link
