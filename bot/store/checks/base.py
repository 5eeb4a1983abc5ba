"""What every cross-file check needs: what the store holds, where problems go, and the names documents claim."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from bot.store.documents import Document, Kind, Placement
from bot.store.model import Deal, Person, Source
from bot.store.problems import Problem
from bot.store.text import fold_each
from bot.store.yamlsafe import Loc


@dataclass(frozen=True, slots=True)
class Known:
    """What the store holds. Files that exist but failed to load count as present: references to them are not
    reported again (their own problem already was)."""

    deals: dict[str, tuple[Document, Deal]]
    broken_deals: set[str]
    people: set[str]
    topics: dict[str, set[str]]  # deal id -> topic ids
    sources: dict[str, Source]
    sources_broken: bool  # sources.yaml failed to load: its own problem says why; unknown sources don't cascade
    contacts: dict[str, str | None] = field(default_factory=dict)  # loaded person id -> its contact: target

    @classmethod
    def of(cls, docs: list[Document], sources: dict[str, Source], broken: list[Placement]) -> Known:
        topics: dict[str, set[str]] = defaultdict(set)
        deals: dict[str, tuple[Document, Deal]] = {}
        contacts: dict[str, str | None] = {}
        for doc in docs:  # one pass: a large store has hundreds of thousands
            placement = doc.placement
            kind = placement.kind
            if kind is Kind.TOPIC:
                if placement.deal_id:
                    topics[placement.deal_id].add(placement.id)
            elif kind is Kind.DEAL:
                deals[placement.id] = (doc, cast(Deal, doc.model))
            elif kind is Kind.PERSON:
                contacts[placement.id] = cast(Person, doc.model).contact
        for placement in broken:
            if placement.kind is Kind.TOPIC and placement.deal_id:
                topics[placement.deal_id].add(placement.id)
        return cls(
            deals=deals,
            broken_deals={b.id for b in broken if b.kind is Kind.DEAL},
            people=set(contacts) | {b.id for b in broken if b.kind is Kind.PERSON},
            topics=dict(topics),
            sources=sources,
            sources_broken=any(b.kind is Kind.SOURCES for b in broken),
            contacts=contacts,
        )

    @property
    def deal_ids(self) -> set[str]:
        return set(self.deals) | self.broken_deals


@dataclass(slots=True)
class Report:
    """The problems found so far, in the order found."""

    known: Known
    problems: list[Problem] = field(default_factory=list)

    def add(self, doc: Document, loc: Loc, message: str) -> None:
        self.problems.append(Problem(doc.path, doc.line_of(*loc), message, doc.col_of(*loc)))

    def need(self, doc: Document, loc: Loc, ok: bool, message: str) -> None:
        if not ok:
            self.add(doc, loc, message)

    def need_source(self, doc: Document, loc: Loc, source_id: str | None) -> None:
        if source_id is not None and source_id not in self.known.sources and not self.known.sources_broken:
            self.add(doc, loc, f"unknown source '{source_id}': add it to sources.yaml")

    def need_deal_file(self, doc: Document) -> tuple[Document, Deal] | None:
        """The deal a topic or event log sits in, or a problem when its deal.yaml is missing."""
        assert doc.deal_id is not None
        owner = self.known.deals.get(doc.deal_id)
        if owner is None and doc.deal_id not in self.known.broken_deals:
            self.problems.append(Problem(doc.path, 1, f"deal '{doc.deal_id}' has no deals/{doc.deal_id}/deal.yaml"))
        return owner

    def unique(self, doc: Document, what: str, locs: Iterable[Loc], ids: Iterable[str]) -> None:
        seen: dict[str, Loc] = {}
        for loc, item_id in zip(locs, ids, strict=True):
            if item_id in seen:
                first = doc.line_of(*seen[item_id])
                self.add(doc, loc, f"{what} id '{item_id}' appears twice (first at line {first})")
            else:
                seen[item_id] = loc


class Names:
    """Names a user may type, each owned by one document. Ids and titles win over aliases, whatever the file
    order, so a clash is reported on the alias that caused it; among equals the first file wins."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        # claims in the order made, ids and titles apart from aliases: resolved primaries first, each in turn
        self._primary: list[tuple[str, Document, Loc, str]] = []
        self._alias: list[tuple[str, Document, Loc, str]] = []

    def claim(self, key: str, doc: Document, loc: Loc, owner: str, *, primary: bool = False) -> None:
        (self._primary if primary else self._alias).append((key, doc, loc, owner))

    def resolve(self, out: list[Problem]) -> None:
        claims = [*self._primary, *self._alias]
        # every key folded in one pass (fold_each is fold of each), then compacted as compact() does
        folded = fold_each([claim[0] for claim in claims])
        owners: dict[str, tuple[Document, Loc, str, bool]] = {}
        primaries = len(self._primary)
        for at, ((key, doc, loc, owner), name) in enumerate(zip(claims, folded, strict=True)):
            compacted = name.replace(" ", "")
            if not compacted:
                continue
            first = owners.get(compacted)
            if first is None:
                owners[compacted] = (doc, loc, owner, at < primaries)
            elif first[2] != owner:
                what = "name" if at < primaries else "alias"
                taken = "the id or name of" if first[3] else "already an alias of"
                out.append(
                    Problem(
                        doc.path, doc.line_of(*loc), f"{self.kind} {what} '{key}' is {taken} {first[0].at(first[1])}"
                    )
                )


@dataclass(slots=True)
class AllNames:
    """Every kind's names; topics are per deal (two deals may both have a 'tariffs')."""

    people: Names = field(default_factory=lambda: Names("person"))
    deals: Names = field(default_factory=lambda: Names("deal"))
    topics: defaultdict[str, Names] = field(default_factory=lambda: defaultdict(lambda: Names("topic")))

    def resolve(self, out: list[Problem]) -> None:
        for names in (self.people, self.deals, *self.topics.values()):
            names.resolve(out)
