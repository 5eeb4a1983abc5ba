"""The assembled store: documents cross-checked, linked both ways, and indexed. Immutable once built.

A reload builds a new :class:`Store` beside the old one and swaps it in with one assignment (see
``bot.store.live``), so a reader holding a store never sees half a reload.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import cast

from bot.store.documents import Document, Kind, place
from bot.store.entries import DealEntry, PersonEntry, TopicEntry
from bot.store.index import Entity, EntityKind, Index
from bot.store.model import Deal, Event, EventLog, Person, Source, SourceRegistry, Topic
from bot.store.person_events import PersonEventDeals, person_event_deals
from bot.store.problems import Problem
from bot.store.rows import deal_entities, deal_search_docs, person_entity, person_search_doc
from bot.store.search import SearchDoc, SearchIndex, tokenise_workers
from bot.store.translations import Translations, load_translations


@dataclass(frozen=True)
class Store:
    root: Path
    sources: dict[str, Source]
    people: dict[str, PersonEntry]
    deals: dict[str, DealEntry]
    documents: dict[str, Document]  # by store-relative path
    problems: tuple[Problem, ...]
    loaded_at: dt.datetime
    _person_topics: dict[str, tuple[str, ...]] = field(repr=False)
    _topic_people: dict[str, dict[str, tuple[str, ...]]] = field(repr=False)  # by deal, then topic
    translations: Translations = field(default_factory=Translations, repr=False, compare=False)
    language: str = "en"  # the language of its prose: a localised view (bot.store.localize) says another

    def topic(self, deal_id: str, topic_id: str) -> TopicEntry | None:
        deal = self.deals.get(deal_id)
        return deal.topics.get(topic_id) if deal else None

    def topic_by_ref(self, ref: str) -> TopicEntry | None:
        deal_id, _, topic_id = ref.partition("/")
        return self.topic(deal_id, topic_id)

    def people_of_topic(self, deal_id: str, topic_id: str) -> list[PersonEntry]:
        ids = self._topic_people.get(deal_id, {}).get(topic_id, ())
        return [self.people[i] for i in ids if i in self.people]

    def topics_of_person(self, person_id: str) -> list[TopicEntry]:
        refs = self._person_topics.get(person_id, ())
        return [t for t in (self.topic_by_ref(r) for r in refs) if t is not None]

    def events_of_topic(self, deal_id: str, topic_id: str) -> list[Event]:
        deal = self.deals.get(deal_id)
        return [e for e in deal.events if topic_id in e.topics] if deal else []

    def visible_events(self, deal_id: str, viewer: str | None) -> list[Event]:
        """A deal's events, less those about topics restricted away from ``viewer`` (and nothing else)."""
        deal = self.deals.get(deal_id)
        if deal is None:
            return []
        index = self.index
        return [
            e
            for e in deal.events
            if not e.topics or any(index.visible(EntityKind.TOPIC, t, deal_id, viewer) for t in e.topics)
        ]

    def visible_documents(self, docs: Iterable[Document], viewer: str | None) -> list[Document]:
        """Documents ``viewer`` may see (restricted people and topics are left out for others)."""
        index = self.index
        out = []
        for doc in docs:
            if doc.kind is Kind.TOPIC:
                if not index.visible(EntityKind.TOPIC, doc.id, doc.deal_id, viewer):
                    continue
            elif doc.kind is Kind.PERSON and not index.visible(EntityKind.PERSON, doc.id, None, viewer):
                continue
            out.append(doc)
        return out

    def events_of_person(self, person_id: str) -> list[tuple[str, Event]]:
        deals = [self.deals[d] for d in self._person_event_deals.get(person_id, ())]
        return [(d.id, e) for d in deals for e in d.events if person_id in e.people]

    def deals_of_person(self, person_id: str) -> list[str]:
        entry = self.people.get(person_id)
        if entry is None:
            return []
        deals = self.deals
        named = [d for d in entry.person.deals if d in deals]
        for ref in self._person_topics.get(person_id, ()):  # topics_of_person's deals, without its entries
            deal_id, _, topic_id = ref.partition("/")
            deal = deals.get(deal_id)
            if deal is not None and topic_id in deal.topics:
                named.append(deal_id)
        return list(dict.fromkeys(named))

    def people_of_deal(self, deal_id: str) -> list[PersonEntry]:
        """Everyone who names the deal or touches one of its topics."""
        return [self.people[p] for p in self._deal_people.get(deal_id, ()) if p in self.people]

    @cached_property
    def _deal_people(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        for person_id in self.people:
            for deal_id in self.deals_of_person(person_id):
                found[deal_id].append(person_id)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def _person_event_deals(self) -> PersonEventDeals:
        return person_event_deals(self.deals)

    def cite(self, source_ids: Iterable[str]) -> list[Source]:
        return [self.sources[s] for s in dict.fromkeys(source_ids) if s in self.sources]

    @cached_property
    def index(self) -> Index:
        return Index(_entities(self))

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex(_search_docs(self), workers=tokenise_workers(len(self.documents)))

    def warm(
        self,
        *,
        index: Index | None = None,
        search_index: SearchIndex | Future[SearchIndex] | None = None,
        deal_people: dict[str, tuple[str, ...]] | None = None,
        person_event_deals: PersonEventDeals | None = None,
    ) -> Store:
        """Build (or set) what is otherwise built on first use, so a reload pays for it in its worker thread and
        the first command after the swap does not (the cached properties are plain instance attributes).
        ``search_index`` may still be in the making (:func:`text_indexed_beside`): it is waited for last."""
        if index is not None:
            vars(self)["index"] = index
        if isinstance(search_index, SearchIndex):
            vars(self)["search_index"] = search_index
        if deal_people is not None:
            vars(self)["_deal_people"] = deal_people
        if person_event_deals is not None:
            vars(self)["_person_event_deals"] = person_event_deals
        _ = self.index, self._deal_people, self._person_event_deals
        if isinstance(search_index, Future):
            vars(self)["search_index"] = search_index.result()
        _ = self.search_index
        return self

    def with_problems(self, found: Iterable[Problem]) -> Store:
        """This store with ``found`` (cross-file problems) added to its problems."""
        return replace(self, problems=tuple(sorted({*self.problems, *found})))


# seconds; see text_indexed_beside. Once the load's own work got cheaper, the full-text index became the last thing
# a 100k load waits for: at 0.3 ms its thread gets the GIL back sooner after each pipe wait, and the load waits
# ~0.3 s for it instead of ~0.55 s (1 ms), for no measurable cost to the caller's thread.
LOAD_SWITCH_INTERVAL = 0.0003


@contextlib.contextmanager
def text_indexed_beside(store: Store) -> Iterator[Future[SearchIndex] | None]:
    """A large store's full-text index, in the making while the caller goes on: a thread of ours feeds the text to
    worker processes that tokenise it and gathers their answers (waiting on pipes, or in numpy: mostly without the
    GIL), so a load cross-checks and builds the lookup index meanwhile. None for a store too small for workers."""
    workers = tokenise_workers(len(store.documents))
    if not workers:
        yield None
        return
    # The thread waits for the GIL after each write to a worker and each read of an answer; at the interpreter's
    # default switch interval (5 ms) the caller's Python work made those waits most of the build.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, LOAD_SWITCH_INTERVAL))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-build") as executor:
            yield executor.submit(SearchIndex, _search_docs(store), workers=workers)
    finally:
        sys.setswitchinterval(switch_interval)


def build(
    root: Path,
    documents: Iterable[Document],
    problems: Iterable[Problem] = (),
    *,
    checked: Iterable[Problem] | None = None,
) -> Store:
    """Link validated documents into a store and cross-check them; problems found are kept on the store.

    ``checked``: the cross-file problems, when the caller already has them (a one-file reload re-checks only
    what that file can affect, see ``bot.store.incremental``)."""
    docs = sorted(documents, key=lambda d: d.path)
    by_kind: dict[Kind, list[Document]] = defaultdict(list)
    for doc in docs:
        by_kind[doc.kind].append(doc)

    sources: dict[str, Source] = {}
    for doc in by_kind[Kind.SOURCES]:
        for source in cast(SourceRegistry, doc.model).sources:
            sources.setdefault(source.id, source)
    people = {d.id: PersonEntry(d.id, d, cast(Person, d.model)) for d in by_kind[Kind.PERSON]}

    topics_by_deal: dict[str, dict[str, TopicEntry]] = defaultdict(dict)
    for doc in by_kind[Kind.TOPIC]:
        placement = doc.placement
        deal_id = placement.deal_id
        assert deal_id is not None
        topics_by_deal[deal_id][placement.id] = TopicEntry(deal_id, placement.id, doc, cast(Topic, doc.model))
    events_docs = {d.id: d for d in by_kind[Kind.EVENTS]}
    deals: dict[str, DealEntry] = {}
    for doc in by_kind[Kind.DEAL]:
        events_doc = events_docs.get(doc.id)
        events = cast(EventLog, events_doc.model).events if events_doc else []
        deals[doc.id] = DealEntry(
            doc.id,
            doc,
            cast(Deal, doc.model),
            topics_by_deal.get(doc.id, {}),
            tuple(sorted(events, key=lambda e: (e.date, e.id))),
            events_doc,
        )

    person_topics: dict[str, list[str]] = defaultdict(list)
    topic_people: dict[str, dict[str, list[str]]] = {}  # by deal, then topic, each in order of first mention
    for person in people.values():
        for ref in person.person.topics:
            person_topics[person.id].append(ref)
            deal_id, _, topic_id = ref.partition("/")
            topic_people.setdefault(deal_id, {}).setdefault(topic_id, []).append(person.id)
    for deal_id, deal in deals.items():
        named = topic_people.get(deal_id)
        for topic_id, topic in deal.topics.items():
            people_ids = topic.topic.people
            if not people_ids:
                continue
            if named is None:
                named = topic_people[deal_id] = {}
            named.setdefault(topic_id, []).extend(people_ids)
            ref = topic.ref
            for person_id in people_ids:
                person_topics[person_id].append(ref)

    problems = list(problems)
    broken = [b for b in (place(p.path) for p in problems) if b is not None]
    translations, translation_problems = load_translations(root, docs)
    from bot.store.crosscheck import crosscheck  # the checks: a store unpickled from its cache runs none

    cross = crosscheck(docs, sources, broken) if checked is None else checked
    all_problems = [*problems, *cross, *translation_problems]
    return Store(
        root=root,
        sources=sources,
        people=people,
        deals=deals,
        documents={d.path: d for d in docs},
        problems=tuple(sorted(set(all_problems))),
        loaded_at=dt.datetime.now(dt.UTC),
        _person_topics={k: tuple(dict.fromkeys(v)) for k, v in person_topics.items()},
        _topic_people={
            deal_id: {topic_id: tuple(dict.fromkeys(v)) for topic_id, v in by_topic.items()}
            for deal_id, by_topic in topic_people.items()
        },
        translations=translations,
    )


def _entities(store: Store) -> list[Entity]:
    entities: list[Entity] = []
    names = store.translations.names  # a name in any language finds the same entity (tarifs, produits laitiers)
    for deal in store.deals.values():
        entities.extend(deal_entities(deal, names=names))
    entities.extend(person_entity(person, names=names) for person in store.people.values())
    return entities


def _search_docs(store: Store) -> Iterator[SearchDoc]:
    """A deal's rows at a time: the full-text table takes them as they come (a whole store's text at once is
    hundreds of megabytes at 100,000 documents)."""
    for deal in store.deals.values():
        yield from deal_search_docs(deal)
    yield from (person_search_doc(person) for person in store.people.values())
