"""The feed routes on the app's one HTTP server. Public, like ``/healthz``: they show only what every channel may see.

- ``GET /feeds/<deal>.atom``: the deal's Atom feed (:mod:`bot.feeds.atom`)
- ``GET /feeds/<deal>/<topic>.atom``: one topic's Atom feed
- ``GET /feeds/<deal>.ics``: the deal's dates as iCalendar (:mod:`bot.feeds.ical`)

An unknown deal or topic, and a restricted one (they look the same), is a 404 naming the feeds there are. Each
answer carries a strong ``ETag`` (a hash of the body), ``Last-Modified`` (the newest store date in it) and
``Cache-Control: public, max-age=900``; a conditional request that matches gets a 304 with no body. Bodies are
built once per store version, day and base URL, and kept (a reload or a new day builds them again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.config import BriefingOptions, HttpConfig
from bot.feeds.atom import FeedLinks, deal_feed
from bot.feeds.history import public_deal, public_topic, public_topics
from bot.feeds.ical import deal_calendar
from bot.store import Store
from bot.store.live import LiveStore

ATOM_TYPE = "application/atom+xml"
ICS_TYPE = "text/calendar"
CACHE_CONTROL = "public, max-age=900"  # readers poll; 15 minutes between fetches is plenty for a daily briefing
KEPT = 64  # built bodies kept (a Host header is the requester's to choose, so the cache is bounded)


@dataclass(frozen=True, slots=True)
class _Body:
    data: bytes
    content_type: str
    etag: str
    last_modified: dt.datetime


def feed_paths(deal_id: str) -> tuple[str, str]:
    """The deal's Atom and iCalendar paths (relative to the server's base URL)."""
    return f"/feeds/{deal_id}.atom", f"/feeds/{deal_id}.ics"


class Feeds:
    def __init__(
        self,
        live: LiveStore,
        today: Callable[[], dt.date],
        config: HttpConfig | None = None,
        options: BriefingOptions = BriefingOptions(),
    ) -> None:
        self.live = live
        self.today = today
        self.public_url = (config.public_url or "").rstrip("/") if config else ""
        self.options = options
        self._built: OrderedDict[tuple[object, ...], _Body] = OrderedDict()
        self._store: Store | None = None

    def mount(self, http: web.Application) -> None:
        http.router.add_get("/feeds/{deal}.atom", self.atom)
        http.router.add_get("/feeds/{deal}/{topic}.atom", self.atom)
        http.router.add_get("/feeds/{deal}.ics", self.calendar)

    async def atom(self, request: web.Request) -> web.StreamResponse:
        store = self.live.current
        deal_id, topic = request.match_info["deal"], request.match_info.get("topic")
        deal = public_deal(store, deal_id)
        if deal is None:
            return _not_found(f"No deal '{deal_id}' has a feed here.", self._listing(store))
        if topic is not None and public_topic(store, deal, topic) is None:
            topics = ", ".join(public_topics(store, deal)) or "none"
            return _not_found(f"Deal '{deal_id}' has no topic '{topic}'. Its topics: {topics}.", "")
        base = self._base(request)
        today = self.today()
        atom_path, ics_path = feed_paths(deal_id)
        links = FeedLinks(
            self_url=base + request.path,
            calendar_url=base + ics_path,
            deal_feed_url=base + atom_path if topic is not None else None,
        )

        def build() -> _Body:
            built = deal_feed(store, deal, today, links, topic=topic, options=self.options)
            return _body(built.body, ATOM_TYPE, built.updated)

        return await self._answer(request, store, ("atom", deal_id, topic, today, links), build)

    async def calendar(self, request: web.Request) -> web.StreamResponse:
        store = self.live.current
        deal_id = request.match_info["deal"]
        deal = public_deal(store, deal_id)
        if deal is None:
            return _not_found(f"No deal '{deal_id}' has a calendar here.", self._listing(store))
        self_url = self._base(request) + request.path

        def build() -> _Body:
            stamp = dt.datetime.combine(deal.recorded_until.start, dt.time(), dt.UTC)
            return _body(deal_calendar(store, deal, self_url=self_url), ICS_TYPE, stamp)

        return await self._answer(request, store, ("ics", deal_id, self_url), build)

    async def _answer(
        self, request: web.Request, store: Store, key: tuple[object, ...], build: Callable[[], _Body]
    ) -> web.StreamResponse:
        if store is not self._store:  # a reload: every body is stale
            self._built.clear()
            self._store = store
        body = self._built.get(key)
        if body is None:
            body = await asyncio.to_thread(build)  # composing many briefings is CPU work: not on the loop
            self._built[key] = body
            while len(self._built) > KEPT:
                self._built.popitem(last=False)
        headers = {"Cache-Control": CACHE_CONTROL}
        if _unchanged(request, body):
            response = web.Response(status=304, headers=headers)
        else:
            response = web.Response(body=body.data, headers=headers)
            response.content_type = body.content_type
            response.charset = "utf-8"
        response.etag = body.etag
        response.last_modified = body.last_modified
        return response

    def _base(self, request: web.Request) -> str:
        return self.public_url or f"{request.scheme}://{request.host}"

    def _listing(self, store: Store) -> str:
        paths = [p for d in sorted(store.deals) if public_deal(store, d) for p in feed_paths(d)]
        return "Feeds here: " + ", ".join(paths) + "." if paths else "This server has no feeds."


def _body(data: bytes, content_type: str, last_modified: dt.datetime) -> _Body:
    return _Body(data, content_type, hashlib.sha256(data).hexdigest()[:32], last_modified)


def _unchanged(request: web.Request, body: _Body) -> bool:
    """A conditional GET that still matches: by ETag when the reader sends one, else by date."""
    tags = request.if_none_match
    if tags:
        return any(tag.value in (body.etag, "*") for tag in tags)
    since = request.if_modified_since
    return since is not None and body.last_modified <= since


def _not_found(message: str, hint: str) -> web.Response:
    return web.Response(
        status=404, text=f"{message} {hint}".strip() + "\n", headers={"Cache-Control": "public, max-age=60"}
    )


def mount(
    http: web.Application,
    live: LiveStore,
    today: Callable[[], dt.date],
    config: HttpConfig | None = None,
    options: BriefingOptions = BriefingOptions(),
) -> Feeds | None:
    """Add the feed routes unless ``config.feeds`` is off; returns what serves them."""
    if config is not None and not config.feeds:
        return None
    feeds = Feeds(live, today, config, options)
    feeds.mount(http)
    return feeds
