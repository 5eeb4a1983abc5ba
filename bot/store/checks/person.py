"""people/*.md: names, deals, topics, quotes and sources resolve; the party is one the person's deals name."""

from __future__ import annotations

from typing import cast

from bot.store.checks.base import AllNames, Report
from bot.store.documents import Document
from bot.store.model import Person


def check_person(doc: Document, report: Report, names: AllNames) -> None:
    person = cast(Person, doc.model)
    known = report.known
    names.people.claim(doc.id, doc, (), doc.id, primary=True)
    for i, alias in enumerate(person.aliases):
        names.people.claim(alias, doc, ("aliases", i), doc.id)
    for i, deal_id in enumerate(person.deals):
        if deal_id not in known.deals and deal_id not in known.broken_deals:  # not in known.deal_ids (a new set)
            report.add(doc, ("deals", i), f"unknown deal '{deal_id}'")
    for i, ref in enumerate(person.topics):
        deal_id, _, topic_id = ref.partition("/")
        if topic_id not in known.topics.get(deal_id, ()):
            report.add(doc, ("topics", i), f"unknown topic '{ref}' (write deal/topic)")
    for i, quote in enumerate(person.quotes):
        report.need_source(doc, ("quotes", i, "source"), quote.source)
        if quote.deal and quote.deal not in known.deals and quote.deal not in known.broken_deals:
            report.add(doc, ("quotes", i, "deal"), f"unknown deal '{quote.deal}'")
    for i, source_id in enumerate(person.sources):
        report.need_source(doc, ("sources", i), source_id)
    if person.party and person.deals:
        parties = {p.id for deal_id in person.deals if deal_id in known.deals for p in known.deals[deal_id][1].parties}
        report.need(
            doc,
            ("party",),
            not parties or person.party in parties,
            f"unknown party '{person.party}'; the deals name {', '.join(sorted(parties))}",
        )
