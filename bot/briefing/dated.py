"""What changed between two days by the store's own dates: for ``/brief since:DATE`` and a channel's first briefing.

The store keeps no history, so the days are compared through what it dates: events that happened in between,
milestones whose status on each day differs (dated by ``done_on`` and by the events that moved them, as
:func:`~bot.briefing.progress.milestone_on` reads them), and quotes said in between. A topic's status, a party's
position or an open question is not dated, so only the digest between two snapshots reports those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.briefing.changes import Change, Kind
from bot.briefing.progress import milestone_on
from bot.i18n import DEFAULT, human_date
from bot.store import DealEntry, Store
from bot.store.asof import AsOf
from bot.store.dates import ApproxDate
from bot.store.index import EntityKind
from bot.store.model import Event


def dated_changes(
    store: Store,
    deal: DealEntry,
    events: Sequence[Event],
    since: dt.date,
    on: AsOf,
    viewer: str | None,
    language: str = DEFAULT,
) -> list[Change]:
    """Changes after ``since`` up to ``on.day``: milestones, then events and quotes, newest first; dates are said
    in ``language``."""
    as_of = on.day
    then = AsOf(since, on.recorded_until, on.events)
    out: list[Change] = []
    for track in deal.deal.tracks:
        for milestone in track.milestones:
            was, now = milestone_on(track, milestone, then), milestone_on(track, milestone, on)
            if was.status is not None and now.status is not None and was.status != now.status:
                out.append(
                    Change(
                        Kind.MILESTONE, milestone.title, was.status, now.status, track.title, source=milestone.source
                    )
                )

    def topic_of(event: Event) -> str | None:
        return next((t for t in event.topics if _topic_visible(store, deal, t, viewer)), None)

    # today's events are announced (coming up), not reported; one the record has only as scheduled is not either
    for event in reversed(events):
        if since < event.date.start and event.date.end < as_of and on.happened(event.date):
            out.append(
                Change(
                    Kind.EVENT,
                    event.title,
                    where=human_date(event.date, language),
                    topic=topic_of(event),
                    source=event.source,
                )
            )

    quotes: list[tuple[ApproxDate, Change]] = []
    for person in store.people_of_deal(deal.id):
        if not store.index.visible(EntityKind.PERSON, person.id, None, viewer):
            continue
        for quote in person.person.quotes:
            if quote.deal in (None, deal.id) and since < quote.date.start <= as_of:
                change = Change(
                    Kind.QUOTE,
                    person.person.name,
                    None,
                    quote.text,
                    human_date(quote.date, language),
                    source=quote.source,
                )
                quotes.append((quote.date, change))
    out.extend(change for _, change in sorted(quotes, key=lambda q: q[0], reverse=True))
    return out


def _topic_visible(store: Store, deal: DealEntry, topic_id: str, viewer: str | None) -> bool:
    return topic_id in deal.topics and store.index.visible(EntityKind.TOPIC, topic_id, deal.id, viewer)
