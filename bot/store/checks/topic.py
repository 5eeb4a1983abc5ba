"""deals/*/topics/*.md: the deal exists, the track and parties are the deal's, people and sources resolve."""

from __future__ import annotations

from typing import cast

from bot.store.checks.base import AllNames, Report
from bot.store.documents import Document
from bot.store.model import Topic


def check_topic(doc: Document, report: Report, names: AllNames) -> None:
    # a problem's message is made only when there is one: most topics of a large store pass every check
    topic = cast(Topic, doc.model)
    deal_id = doc.deal_id
    assert deal_id is not None
    owner = report.need_deal_file(doc)
    if owner is not None:
        deal = owner[1]
        tracks = [t.id for t in deal.tracks]
        if topic.track not in tracks:
            report.add(doc, ("track",), f"unknown track '{topic.track}'; deal '{deal_id}' has {', '.join(tracks)}")
        if topic.positions:
            party_ids = [p.id for p in deal.parties]
            for party in topic.positions:
                if party not in party_ids:
                    report.add(
                        doc,
                        ("positions", party),
                        f"unknown party '{party}' in positions; deal '{deal_id}' has {', '.join(party_ids)}",
                    )
    claims = names.topics[deal_id]
    topic_id = doc.id
    claims.claim(topic_id, doc, (), topic_id, primary=True)
    claims.claim(topic.title, doc, ("title",), topic_id, primary=True)
    for i, alias in enumerate(topic.aliases):
        claims.claim(alias, doc, ("aliases", i), topic_id)
    people = report.known.people
    for i, person_id in enumerate(topic.people):
        if person_id not in people:
            report.add(doc, ("people", i), f"unknown person '{person_id}'")
    for i, source_id in enumerate(topic.sources):
        report.need_source(doc, ("sources", i), source_id)
