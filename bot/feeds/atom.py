"""A deal's (or one topic's) Atom feed, written with feedgen. Pure: the same store, day and URLs give the same bytes.

Two kinds of entry, newest first, at most :data:`MAX_ENTRIES`:

- **Daily briefing**: for each news day (:func:`bot.feeds.history.news_days`), the briefing of the morning after,
  composed by :func:`bot.briefing.compose.compose_briefing` as of that morning, its "Since" section listing that
  day's news (since the previous news day). In a topic's feed, only the days with news of that topic, and only that
  news. Id from (deal, [topic,] ``briefing``, day); ``updated`` is the briefing's day.
- **Status change** (:func:`bot.feeds.history.status_changes`). Id from (deal, kind, ref, status, day);
  ``updated`` is the day the store dates it.

Ids are ``urn:uuid:`` names of those parts (:func:`bot.feeds.history.stable_id`), so they survive restarts,
reloads and a new public URL. Nothing is restricted: see :mod:`bot.feeds.history`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from feedgen.feed import FeedGenerator

from bot.briefing.compose import compose_briefing
from bot.config import BriefingOptions
from bot.feeds.history import (
    NewsDay,
    StatusChange,
    briefing_day,
    label,
    news_days,
    previous_days,
    stable_id,
    status_changes,
)
from bot.feeds.html import reply_html
from bot.markup import escape, neutralise
from bot.reply import Reply, Section
from bot.store import DealEntry, Store
from bot.store.dates import human_day, shift
from bot.textfmt import clip, source_ref

MAX_ENTRIES = 60  # a reader polls often; older entries stay in its own archive
TITLE_CHARS = 160


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """Absolute URLs of this feed and its neighbours (the public base URL, or the request's own)."""

    self_url: str
    calendar_url: str
    deal_feed_url: str | None = None  # for a topic's feed


@dataclass(frozen=True, slots=True)
class Built:
    body: bytes
    updated: dt.datetime


def deal_feed(
    store: Store,
    deal: DealEntry,
    today: dt.date,
    links: FeedLinks,
    *,
    topic: str | None = None,
    options: BriefingOptions = BriefingOptions(),
) -> Built:
    """The feed of ``deal`` as of ``today`` (or of its ``topic``); the caller has checked both are public."""
    news = news_days(store, deal, today, topic)
    since = previous_days(news)
    changes = status_changes(store, deal, today, topic)
    # newest first, cut to MAX_ENTRIES before any briefing is composed (composing is the costly part)
    dated: list[tuple[dt.date, str, str, Callable[[], dict[str, object]]]] = [
        (
            briefing_day(day),
            "briefing",
            day.day.isoformat(),
            partial(_briefing_entry, store, deal, day, since[day.day], topic, options),
        )
        for day in news
    ]
    dated += [
        (change.day, "status", f"{change.ref}/{change.after}", partial(_status_entry, store, deal, change))
        for change in changes
    ]
    dated.sort(key=lambda item: item[:3], reverse=True)
    entries = [(day, kind, build()) for day, kind, _, build in dated[:MAX_ENTRIES]]

    topic_title = deal.topics[topic].topic.title if topic is not None else None
    feed = FeedGenerator()
    feed.id(stable_id(deal.id, *((topic,) if topic else ()), "feed"))
    feed.title(neutralise(f"{topic_title} · {deal.deal.title}" if topic_title else deal.deal.title))
    summary = deal.topics[topic].topic.summary if topic is not None else deal.deal.summary
    feed.subtitle(neutralise(summary))
    feed.author({"name": "Briefbot"})
    feed.generator("Briefbot")
    feed.language("en")
    feed.link(href=links.self_url, rel="self", type="application/atom+xml")
    feed.link(href=links.calendar_url, rel="related", type="text/calendar", title="Dates (iCalendar)")
    if links.deal_feed_url:
        feed.link(href=links.deal_feed_url, rel="related", type="application/atom+xml", title="The whole deal")
    updated = _midnight(max((e[0] for e in entries), default=deal.recorded_until.start))
    feed.updated(updated)
    for _, _, fields in entries:
        entry = feed.add_entry(order="append")
        entry.id(fields["id"])
        entry.title(fields["title"])
        entry.updated(fields["updated"])
        entry.published(fields["updated"])
        entry.content(fields["content"], type="html")
        entry.category(term=fields["category"], label=fields["label"])
        if fields.get("link"):
            entry.link(href=fields["link"], rel="related")
    return Built(feed.atom_str(pretty=True), updated)


def _briefing_entry(
    store: Store, deal: DealEntry, news: NewsDay, since: dt.date | None, topic: str | None, options: BriefingOptions
) -> dict[str, object]:
    day = briefing_day(news)
    reply = compose_briefing(
        store,
        deal,
        day,
        since=since or shift(day, -options.recent_days),
        changes=list(news.changes),
        options=options,
        viewer=None,
    )
    headline = news.headlines[0] + (f" (and {len(news.headlines) - 1} more)" if len(news.headlines) > 1 else "")
    return {
        "id": stable_id(deal.id, *((topic,) if topic else ()), "briefing", news.day.isoformat()),
        "title": neutralise(clip(f"{human_day(day)} briefing: {headline}", TITLE_CHARS, breaks=" ")),
        "updated": _midnight(day),
        "content": reply_html(reply),
        "category": "briefing",
        "label": "Daily briefing",
        "link": _first_link(store, news.sources),
    }


def _status_entry(store: Store, deal: DealEntry, change: StatusChange) -> dict[str, object]:
    what = "Milestone" if change.kind == "milestone" else "Topic"
    lines = [
        f"{what}: **{escape(change.title)}** ({escape(change.context)})",
        f"Status: {label(change.before) + ' → ' if change.before else ''}**{label(change.after)}**, "
        f"{change.date.human()}",
    ]
    if change.why:
        lines.append(f"Moved by: {escape(change.why)}")
    sections = [Section(text="\n\n".join(lines))]
    if change.note:
        sections.append(Section(heading="Note", text=escape(change.note)))
    source = store.sources.get(change.source) if change.source else None
    reply = Reply(
        title=f"{change.title}: {label(change.after)}",
        subtitle=deal.deal.title,
        sections=tuple(sections),
        sources=(source_ref(source),) if source else (),
        status=change.after,
    )
    return {
        "id": stable_id(deal.id, change.kind, change.ref, "status", change.after, change.day.isoformat()),
        "title": neutralise(clip(f"{change.title}: {label(change.after)}", TITLE_CHARS, breaks=" ")),
        "updated": _midnight(change.day),
        "content": reply_html(reply),
        "category": "status",
        "label": "Status change",
        "link": source.link if source else None,
    }


def _first_link(store: Store, source_ids: tuple[str, ...]) -> str | None:
    return next((store.sources[s].link for s in source_ids if s in store.sources and store.sources[s].link), None)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)
