"""deals/*/deal.yaml: names, party, track and milestone ids once each, sources resolve."""

from __future__ import annotations

from typing import cast

from bot.store.checks.base import AllNames, Report
from bot.store.documents import Document
from bot.store.model import Deal


def check_deal(doc: Document, report: Report, names: AllNames) -> None:
    deal = cast(Deal, doc.model)
    names.deals.claim(doc.id, doc, (), doc.id, primary=True)
    names.deals.claim(deal.title, doc, ("title",), doc.id, primary=True)
    for i, alias in enumerate(deal.aliases):
        names.deals.claim(alias, doc, ("aliases", i), doc.id)
    report.unique(doc, "party", [("parties", i, "id") for i in range(len(deal.parties))], [p.id for p in deal.parties])
    report.unique(doc, "track", [("tracks", i, "id") for i in range(len(deal.tracks))], [t.id for t in deal.tracks])
    for ti, track in enumerate(deal.tracks):
        report.unique(
            doc,
            f"milestone in track '{track.id}'",
            [("tracks", ti, "milestones", mi, "id") for mi in range(len(track.milestones))],
            [m.id for m in track.milestones],
        )
        for mi, milestone in enumerate(track.milestones):
            report.need_source(doc, ("tracks", ti, "milestones", mi, "source"), milestone.source)
    for i, source_id in enumerate(deal.sources):
        report.need_source(doc, ("sources", i), source_id)
