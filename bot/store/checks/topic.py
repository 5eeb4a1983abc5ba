"""deals/*/topics/*.md: the deal exists, the track and parties are the deal's, people and sources resolve."""

from __future__ import annotations

from typing import cast

from bot.store.checks.base import AllNames, Report
from bot.store.documents import Document
from bot.store.model import Topic


def check_topic(doc: Document, report: Report, names: AllNames) -> None:
    topic = cast(Topic, doc.model)
    assert doc.deal_id is not None
    owner = report.need_deal_file(doc)
    if owner is not None:
        deal = owner[1]
        tracks = [t.id for t in deal.tracks]
        report.need(
            doc,
            ("track",),
            topic.track in tracks,
            f"unknown track '{topic.track}'; deal '{doc.deal_id}' has {', '.join(tracks)}",
        )
        party_ids = [p.id for p in deal.parties]
        for party in topic.positions:
            report.need(
                doc,
                ("positions", party),
                party in party_ids,
                f"unknown party '{party}' in positions; deal '{doc.deal_id}' has {', '.join(party_ids)}",
            )
    claims = names.topics[doc.deal_id]
    claims.claim(doc.id, doc, (), doc.id, primary=True)
    claims.claim(topic.title, doc, ("title",), doc.id, primary=True)
    for i, alias in enumerate(topic.aliases):
        claims.claim(alias, doc, ("aliases", i), doc.id)
    for i, person_id in enumerate(topic.people):
        report.need(doc, ("people", i), person_id in report.known.people, f"unknown person '{person_id}'")
    for i, source_id in enumerate(topic.sources):
        report.need_source(doc, ("sources", i), source_id)
