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
