"""Checks that span documents: references resolve, and ids and aliases are claimed once.

Each problem points at the referring key's line; a clash between two files names both places.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from bot.store.documents import Document, Kind, Placement
from bot.store.model import Deal, EventLog, Person, Source, SourceRegistry, Topic
from bot.store.problems import Problem
from bot.store.text import compact
from bot.store.yamlsafe import Loc


class _Claims:
    """Names a user may type, each owned by one document. Ids and titles win over aliases, whatever the file
    order, so a clash is reported on the alias that caused it; among equals the first file wins."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._pending: list[tuple[bool, int, str, Document, Loc, str]] = []

    def claim(self, key: str, doc: Document, loc: Loc, owner: str, *, primary: bool = False) -> None:
        self._pending.append((primary, len(self._pending), key, doc, loc, owner))

    def resolve(self, out: list[Problem]) -> None:
        owners: dict[str, tuple[Document, Loc, str, bool]] = {}
        for primary, _, key, doc, loc, owner in sorted(self._pending, key=lambda c: (not c[0], c[1])):
            folded = compact(key)
            if not folded:
                continue
            first = owners.get(folded)
            if first is None:
                owners[folded] = (doc, loc, owner, primary)
            elif first[2] != owner:
                what = "name" if primary else "alias"
                taken = "the id or name of" if first[3] else "already an alias of"
                out.append(
                    Problem(
                        doc.path, doc.line_of(*loc), f"{self.kind} {what} '{key}' is {taken} {first[0].at(first[1])}"
                    )
                )


def crosscheck(docs: Iterable[Document], sources: dict[str, Source], broken: Iterable[Placement] = ()) -> list[Problem]:
    """Cross-file problems. ``broken`` are files that exist but failed to load: references to them are not
    reported again (their own problem already was)."""
    docs = list(docs)
    broken = list(broken)
    out: list[Problem] = []
    deals = {d.id: (d, cast(Deal, d.model)) for d in docs if d.kind is Kind.DEAL}
    broken_deals = {b.id for b in broken if b.kind is Kind.DEAL}
    people = {d.id for d in docs if d.kind is Kind.PERSON} | {b.id for b in broken if b.kind is Kind.PERSON}
    topics: dict[str, set[str]] = defaultdict(set)
    for placement in [d.placement for d in docs] + broken:
        if placement.kind is Kind.TOPIC and placement.deal_id:
            topics[placement.deal_id].add(placement.id)
    known_deals = set(deals) | broken_deals
    sources_broken = any(b.kind is Kind.SOURCES for b in broken)  # its own problem says why; don't cascade

    def need_source(doc: Document, loc: Loc, source_id: str | None) -> None:
        if source_id is not None and source_id not in sources and not sources_broken:
            out.append(Problem(doc.path, doc.line_of(*loc), f"unknown source '{source_id}': add it to sources.yaml"))

    def need(doc: Document, loc: Loc, ok: bool, message: str) -> None:
        if not ok:
            out.append(Problem(doc.path, doc.line_of(*loc), message))

    seen_sources: dict[str, Document] = {}
    person_names = _Claims("person")
    deal_names = _Claims("deal")
    topic_names: dict[str, _Claims] = defaultdict(lambda: _Claims("topic"))

    for doc in docs:
        if doc.kind is Kind.SOURCES:
            for i, source in enumerate(cast(SourceRegistry, doc.model).sources):
                if source.id in seen_sources:
                    out.append(
                        Problem(doc.path, doc.line_of("sources", i, "id"), f"source id '{source.id}' appears twice")
                    )
                seen_sources.setdefault(source.id, doc)

        elif doc.kind is Kind.PERSON:
            person = cast(Person, doc.model)
            person_names.claim(doc.id, doc, (), doc.id, primary=True)
            for i, alias in enumerate(person.aliases):
                person_names.claim(alias, doc, ("aliases", i), doc.id)
            for i, deal_id in enumerate(person.deals):
                need(doc, ("deals", i), deal_id in known_deals, f"unknown deal '{deal_id}'")
            for i, ref in enumerate(person.topics):
                deal_id, _, topic_id = ref.partition("/")
                need(
                    doc, ("topics", i), topic_id in topics.get(deal_id, ()), f"unknown topic '{ref}' (write deal/topic)"
                )
            for i, quote in enumerate(person.quotes):
                need_source(doc, ("quotes", i, "source"), quote.source)
                if quote.deal:
                    need(doc, ("quotes", i, "deal"), quote.deal in known_deals, f"unknown deal '{quote.deal}'")
            for i, source_id in enumerate(person.sources):
                need_source(doc, ("sources", i), source_id)
            if person.party and person.deals:
                parties = {p.id for deal_id in person.deals if deal_id in deals for p in deals[deal_id][1].parties}
                need(
                    doc,
                    ("party",),
                    not parties or person.party in parties,
                    f"unknown party '{person.party}'; the deals name {', '.join(sorted(parties))}",
                )

        elif doc.kind is Kind.DEAL:
            deal = cast(Deal, doc.model)
            deal_names.claim(doc.id, doc, (), doc.id, primary=True)
            deal_names.claim(deal.title, doc, ("title",), doc.id, primary=True)
            for i, alias in enumerate(deal.aliases):
                deal_names.claim(alias, doc, ("aliases", i), doc.id)
            _unique(
                doc,
                out,
                "party",
                [("parties", i, "id") for i in range(len(deal.parties))],
                [p.id for p in deal.parties],
            )
            _unique(
                doc, out, "track", [("tracks", i, "id") for i in range(len(deal.tracks))], [t.id for t in deal.tracks]
            )
            for ti, track in enumerate(deal.tracks):
                _unique(
                    doc,
                    out,
                    f"milestone in track '{track.id}'",
                    [("tracks", ti, "milestones", mi, "id") for mi in range(len(track.milestones))],
                    [m.id for m in track.milestones],
                )
                for mi, milestone in enumerate(track.milestones):
                    need_source(doc, ("tracks", ti, "milestones", mi, "source"), milestone.source)
            for i, source_id in enumerate(deal.sources):
                need_source(doc, ("sources", i), source_id)

        elif doc.kind is Kind.TOPIC:
            topic = cast(Topic, doc.model)
            assert doc.deal_id is not None
            owner = deals.get(doc.deal_id)
            if owner is None and doc.deal_id not in broken_deals:
                out.append(Problem(doc.path, 1, f"deal '{doc.deal_id}' has no deals/{doc.deal_id}/deal.yaml"))
            elif owner is not None:
                deal = owner[1]
                tracks = [t.id for t in deal.tracks]
                need(
                    doc,
                    ("track",),
                    topic.track in tracks,
                    f"unknown track '{topic.track}'; deal '{doc.deal_id}' has {', '.join(tracks)}",
                )
                party_ids = [p.id for p in deal.parties]
                for party in topic.positions:
                    need(
                        doc,
                        ("positions", party),
                        party in party_ids,
                        f"unknown party '{party}' in positions; deal '{doc.deal_id}' has {', '.join(party_ids)}",
                    )
            claims = topic_names[doc.deal_id]
            claims.claim(doc.id, doc, (), doc.id, primary=True)
            claims.claim(topic.title, doc, ("title",), doc.id, primary=True)
            for i, alias in enumerate(topic.aliases):
                claims.claim(alias, doc, ("aliases", i), doc.id)
            for i, person_id in enumerate(topic.people):
                need(doc, ("people", i), person_id in people, f"unknown person '{person_id}'")
            for i, source_id in enumerate(topic.sources):
                need_source(doc, ("sources", i), source_id)

        elif doc.kind is Kind.EVENTS:
            log = cast(EventLog, doc.model)
            assert doc.deal_id is not None
            owner = deals.get(doc.deal_id)
            if owner is None and doc.deal_id not in broken_deals:
                out.append(Problem(doc.path, 1, f"deal '{doc.deal_id}' has no deals/{doc.deal_id}/deal.yaml"))
            _unique(
                doc, out, "event", [("events", i, "id") for i in range(len(log.events))], [e.id for e in log.events]
            )
            milestones = {f"{t.id}/{m.id}" for t in owner[1].tracks for m in t.milestones} if owner else set()
            for i, event in enumerate(log.events):
                for j, topic_id in enumerate(event.topics):
                    need(
                        doc,
                        ("events", i, "topics", j),
                        topic_id in topics.get(doc.deal_id, ()),
                        f"unknown topic '{topic_id}' in deal '{doc.deal_id}'",
                    )
                for j, ref in enumerate(event.milestones):
                    need(
                        doc,
                        ("events", i, "milestones", j),
                        owner is None or ref in milestones,
                        f"unknown milestone '{ref}' (write track/milestone)",
                    )
                for j, person_id in enumerate(event.people):
                    need(doc, ("events", i, "people", j), person_id in people, f"unknown person '{person_id}'")
                need_source(doc, ("events", i, "source"), event.source)
    for names in (person_names, deal_names, *topic_names.values()):
        names.resolve(out)
    return out


def _unique(doc: Document, out: list[Problem], what: str, locs: list[Loc], ids: list[str]) -> None:
    seen: dict[str, Loc] = {}
    for loc, item_id in zip(locs, ids, strict=True):
        if item_id in seen:
            out.append(
                Problem(
                    doc.path,
                    doc.line_of(*loc),
                    f"{what} id '{item_id}' appears twice (first at line {doc.line_of(*seen[item_id])})",
                )
            )
        else:
            seen[item_id] = loc
