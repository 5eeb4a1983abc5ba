"""Atom feeds and iCalendar served by the app's HTTP server, fetched over loopback and read as readers read them:
feedparser for the feeds, icalendar for the calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from aiohttp import web
from icalendar import Calendar

from bot.app import App
from bot.config import HttpConfig, Settings
from tests.conftest import AS_OF

DEAL = "/feeds/canada-us.atom"
ICS = "/feeds/canada-us.ics"


@asynccontextmanager
async def serving(store: Path, *, as_of: dt.date = AS_OF, **http: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(store=store, as_of=as_of, watch=False, http=HttpConfig(**http))
    app = App(settings)
    runner = web.AppRunner(app.http)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        await runner.cleanup()


async def _feed(client: httpx.AsyncClient, path: str = DEAL) -> Any:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def _ids(feed: Any) -> dict[str, str]:
    return {e.title: e.id for e in feed.entries}


async def test_a_deal_feed_has_a_briefing_per_news_day_and_an_entry_per_status_change(store_copy: Path) -> None:
    async with serving(store_copy) as client:
        feed = await _feed(client)
    titles = [e.title for e in feed.entries]
    assert feed.feed.title == "Canada–U.S. trade and security talks"
    assert "6 Nov 2024 briefing: Donald Trump wins the U.S. presidential election" in titles
    assert "Federal election won by Carney's Liberals: done" in titles
    assert "First Carney–Trump meeting at the White House: in progress" in titles
    # the month-only event is news once its month is over, in the briefing of 1 December
    month = next(e for e in feed.entries if e.title.startswith("1 Dec 2024 briefing"))
    assert "November 2024" in month.content[0].value and "Trudeau and Trump speak by phone" in month.content[0].value
    # newest first, dated from the store, every id distinct and a urn
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.entries[0].updated.startswith("2025-05-02")
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    assert all(e.id.startswith("urn:uuid:") for e in feed.entries)
    # nothing scheduled (the 6 May meeting) is reported as news
    assert not any("6 May 2025 briefing" in t or "7 May 2025 briefing" in t for t in titles)
    briefing = next(e for e in feed.entries if e.title.startswith("29 Apr 2025 briefing"))
    assert "Carney's Liberals win the Canadian federal election" in briefing.content[0].value
    assert "Progress" in briefing.content[0].value


async def test_ids_are_stable_across_days_servers_and_public_urls(store_copy: Path) -> None:
    async with serving(store_copy, as_of=dt.date(2025, 4, 29)) as client:
        earlier = await _feed(client)
    async with serving(store_copy, public_url="https://briefs.example.org/bot") as client:
        later = await _feed(client)
    async with serving(store_copy) as client:
        again = await _feed(client)
    assert _ids(later) == _ids(again)
    shared = set(_ids(earlier)) & set(_ids(later))
    assert len(shared) >= 8
    assert {t: _ids(earlier)[t] for t in shared} == {t: _ids(later)[t] for t in shared}
    assert len(later.entries) > len(earlier.entries)  # the days since brought news
    # the public URL makes the links absolute and its own; without one, the request's host is used
    assert {link.href for link in later.feed.links} >= {
        "https://briefs.example.org/bot/feeds/canada-us.atom",
        "https://briefs.example.org/bot/feeds/canada-us.ics",
    }
    assert any(link.href.startswith("http://127.0.0.1:") for link in again.feed.links)


async def test_a_topic_feed_holds_only_that_topics_news(store_copy: Path) -> None:
    async with serving(store_copy) as client:
        feed = await _feed(client, "/feeds/canada-us/tariffs.atom")
    titles = [e.title for e in feed.entries]
    assert feed.feed.title == "U.S. tariffs on Canadian goods · Canada–U.S. trade and security talks"
    assert "26 Nov 2024 briefing: Trump threatens tariffs on all goods from Canada and Mexico" in titles
    assert not any("speak by phone" in t for t in titles)  # about china and trust, not tariffs
    assert not any("Federal election won" in t for t in titles)  # milestones belong to the deal's feed
    content = "\n".join(e.content[0].value for e in feed.entries)
    assert "Lighthizer" not in content  # another topic's news, even on a day tariffs had news
    assert any(link.href.endswith(DEAL) for link in feed.feed.links)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/feeds/atlantis.atom", "No deal 'atlantis' has a feed here. Feeds here: /feeds/canada-us.atom"),
        ("/feeds/atlantis.ics", "No deal 'atlantis' has a calendar here."),
        ("/feeds/canada-us/fishing.atom", "Deal 'canada-us' has no topic 'fishing'. Its topics: autos, banking"),
    ],
)
async def test_unknown_deals_and_topics_are_a_clear_404(store_copy: Path, path: str, says: str) -> None:
    async with serving(store_copy) as client:
        response = await client.get(path)
    assert response.status_code == 404
    assert says in response.text
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", [DEAL, ICS, "/feeds/canada-us/dairy.atom"])
async def test_readers_that_ask_again_get_a_304(store_copy: Path, path: str) -> None:
    async with serving(store_copy) as client:
        first = await client.get(path)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=900"
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        by_tag = await client.get(path, headers={"If-None-Match": etag})
        by_date = await client.get(path, headers={"If-Modified-Since": modified})
        stale_tag = await client.get(path, headers={"If-None-Match": '"not-this-one"', "If-Modified-Since": modified})
        head = await client.head(path)
    assert (by_tag.status_code, by_tag.content, by_tag.headers["ETag"]) == (304, b"", etag)
    assert by_date.status_code == 304
    assert stale_tag.status_code == 200 and stale_tag.content == first.content  # the tag wins over the date
    assert head.status_code == 200 and head.headers["ETag"] == etag


async def test_an_edit_changes_the_feed_and_its_etag(store_copy: Path) -> None:
    events = store_copy / "deals/canada-us/events.yaml"
    async with serving(store_copy) as client:
        before = await client.get(DEAL)
    events.write_text(
        events.read_text(encoding="utf-8").replace(
            "Trudeau visits Trump at Mar-a-Lago", "Trudeau flies to Mar-a-Lago to see Trump"
        ),
        encoding="utf-8",
    )
    async with serving(store_copy) as client:
        after = await client.get(DEAL)
    assert before.headers["ETag"] != after.headers["ETag"]
    assert b"Trudeau flies to Mar-a-Lago" in after.content


def _calendar(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


async def test_the_calendar_has_every_dated_event_and_milestone_as_all_day_events(store_copy: Path) -> None:
    async with serving(store_copy) as client:
        response = await client.get(ICS)
        again = await client.get(ICS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = _calendar(response.content)
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Canada–U.S. trade and security talks (Briefbot)"
    assert len({str(e["UID"]) for e in events.values()}) == len(events)

    exact = events["Donald Trump wins the U.S. presidential election"]
    assert (exact.decoded("DTSTART"), exact.decoded("DTEND")) == (dt.date(2024, 11, 5), dt.date(2024, 11, 6))
    assert "(exact day)" in str(exact["DESCRIPTION"])

    month = events["Trudeau and Trump speak by phone after the U.S. election (sometime in November 2024)"]
    assert (month.decoded("DTSTART"), month.decoded("DTEND")) == (dt.date(2024, 11, 1), dt.date(2024, 12, 1))
    assert "month only: the day is not known" in str(month["DESCRIPTION"])
    assert str(month["TRANSP"]) == "TRANSPARENT"

    about = events["Goods covered by CUSMA exempted from the new tariffs (date approximate)"]
    assert about.decoded("DTSTART") == dt.date(2025, 3, 6)

    scheduled = events["Carney expected at the White House for his first meeting with Trump (scheduled)"]
    assert scheduled.decoded("DTSTART") == dt.date(2025, 5, 6)
    assert "Still ahead when the record was last written (about 1 May 2025)." in str(scheduled["DESCRIPTION"])
    assert "Still ahead" not in str(exact["DESCRIPTION"])
    target = events["Target: Early leader-level talks begin (sometime in May 2025)"]
    assert (target.decoded("DTSTART"), target.decoded("DTEND")) == (dt.date(2025, 5, 1), dt.date(2025, 6, 1))
    # the first meeting's target is the day of the scheduled meeting that moves it: one entry, not two
    assert not any(s.startswith("Target: First Carney") for s in events)
    assert _uids(again.content) == _uids(response.content)


def _uids(body: bytes) -> dict[str, str]:
    return {s: str(e["UID"]) for s, e in _calendar(body).items()}


async def test_calendar_uids_survive_a_date_correction(store_copy: Path) -> None:
    events = store_copy / "deals/canada-us/events.yaml"
    async with serving(store_copy) as client:
        before = _uids((await client.get(ICS)).content)
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("date: 2024-11-29", "date: 2024-11-30"), encoding="utf-8")
    async with serving(store_copy) as client:
        after = Calendar.from_ical((await client.get(ICS)).content)
    moved = next(e for e in after.walk("VEVENT") if str(e["SUMMARY"]) == "Trudeau visits Trump at Mar-a-Lago")
    assert moved.decoded("DTSTART") == dt.date(2024, 11, 30)
    assert str(moved["UID"]) == before["Trudeau visits Trump at Mar-a-Lago"]


async def test_feeds_can_be_turned_off(store_copy: Path) -> None:
    async with serving(store_copy, feeds=False) as client:
        assert (await client.get(DEAL)).status_code == 404
        assert (await client.get(ICS)).status_code == 404


async def test_restricted_parts_never_reach_a_feed_and_public_ones_do(tmp_path: Path) -> None:
    from tests.store.minimal import write_store
    from tests.test_restricted_surfaces import files

    async with serving(write_store(tmp_path / "store", files(after=True)), as_of=dt.date(2025, 5, 6)) as client:
        public = (await client.get("/feeds/north-south.atom")).text
        calendar = (await client.get("/feeds/north-south.ics")).text
        hidden_deal = await client.get("/feeds/east-west.atom")
        hidden_calendar = await client.get("/feeds/east-west.ics")
        hidden_topic = await client.get("/feeds/north-south/levy.atom")
    assert "Northland tables its first offer" in public and "Northland tables its first offer" in calendar
    for text in (public, calendar):
        assert "Covert" not in text and "Secret Levy" not in text and "SECRET" not in text
    # a restricted deal or topic is answered exactly like one that does not exist
    assert hidden_deal.status_code == hidden_calendar.status_code == hidden_topic.status_code == 404
    assert (
        hidden_deal.text == "No deal 'east-west' has a feed here. Feeds here: /feeds/north-south.atom, "
        "/feeds/north-south.ics.\n"
    )
    assert "Its topics: fish." in hidden_topic.text


@pytest.mark.parametrize("bad", ["briefbot.example.org", "ftp://example.org", "https://example.org/?a=1", "https:// x"])
def test_a_public_url_must_be_an_http_address(bad: str) -> None:
    from bot.config import load_settings
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="public_url"):
        load_settings(http={"public_url": bad})


async def test_a_public_url_may_end_with_a_slash(store_copy: Path) -> None:
    async with serving(store_copy, public_url="https://example.org/") as client:
        feed = await _feed(client)
    assert "https://example.org/feeds/canada-us.atom" in {link.href for link in feed.feed.links}
