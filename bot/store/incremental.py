"""Reloading a few files of a large store without rebuilding it: re-check and re-index only what they can affect.

A :class:`Built` is a store with its cross-file problems kept by the path they are reported on. ``full`` checks
every document; ``apply`` starts from the previous ``Built`` and re-checks only the changed files and the files
whose checks read them (the same deal's topics for a topic, everyone for a person or deal name, the deal's folder
for a deal file, everything for ``sources.yaml``), then updates the lookup and full-text indexes with the changed
entities and rows. Both give the same store (``tests/store/test_incremental.py`` checks it over random edits).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from bot.store.checks.base import Known
from bot.store.crosscheck import crosscheck
from bot.store.documents import Document, Kind, Placement, place
from bot.store.entries import DealEntry, PersonEntry, TopicEntry
from bot.store.model import Deal, EventLog, Person, Source, SourceRegistry, Topic
from bot.store.person_events import moved_on
from bot.store.problems import Problem
from bot.store.recheck import known_after, to_recheck
from bot.store.reindex import updated_indexes
from bot.store.store import Store, build, text_indexed_beside
from bot.store.translations import Translations, load_translations


@dataclass(frozen=True, slots=True)
class Built:
    store: Store
    checked: dict[str, tuple[Problem, ...]]  # cross-file problems, by the path they are reported on
    refused_problems: tuple[Problem, ...]  # of files whose text is refused (they count as present, see ``Known``)
    known: Known  # what the store holds, as the checks see it

    @property
    def refused(self) -> frozenset[str]:
        return frozenset(p.path for p in self.refused_problems)


def full(root: Path, docs: Iterable[Document], refused: Iterable[Problem], *, warm: bool = True) -> Built:
    """Check and index everything (start-up, a full reload). The documents are linked first, so that a large
    store's text is being tokenised elsewhere while this thread cross-checks them and builds the other indexes."""
    ordered = sorted(docs, key=lambda d: d.path)
    refused = list(refused)
    sources = _sources(ordered)
    known = Known.of(ordered, sources, _broken(refused))
    linked = build(root, ordered, refused, checked=())
    with text_indexed_beside(linked) if warm else contextlib.nullcontext() as search:
        cross = crosscheck(ordered, sources, known=known)
        store = linked.with_problems(cross)
        store = store.warm(search_index=search) if warm else store
    return Built(store, _by_path(cross), tuple(refused), known)


def apply(old: Built, docs: dict[str, Document], refused: Iterable[Problem], changed: Collection[str]) -> Built:
    """The store with ``docs`` (every document now in service), re-checking only what ``changed`` can affect."""
    refused = list(refused)
    before = old.store
    broken = _broken(refused)
    now_refused = frozenset(p.path for p in refused)
    old_broken = {b for b in (place(p) for p in old.refused) if b is not None}
    touched = sorted({*changed, *(old.refused ^ now_refused)})
    recheck = to_recheck(before, before.documents, docs, old_broken, set(broken), touched)
    if recheck is None:  # sources.yaml changed: everything, in file order (a .yml twin after its .yaml)
        ordered = sorted(docs.values(), key=_path)
        known = Known.of(ordered, _sources(ordered), broken)
        cross = crosscheck(ordered, known.sources, known=known)
        checked = _by_path(cross)
        store = build(before.root, ordered, refused, checked=cross)
        deal_people = None
    else:
        checked = dict(old.checked)
        for path in list(checked):
            if path in recheck or path not in docs:
                del checked[path]
        again = [docs[p] for p in sorted(recheck) if p in docs]
        known = known_after(old.known, docs, broken, touched)
        checked.update(_by_path(crosscheck((), before.sources, only=again, known=known)))
        cross = [p for problems in checked.values() for p in problems]
        store, pids = _link(before, docs, [*refused, *cross], touched)
        deal_people = _deal_people(before, store, pids)
    index, search = updated_indexes(before, store, touched)
    person_events = moved_on(before._person_event_deals, before.deals, store.deals)
    warm = store.warm(index=index, search_index=search, deal_people=deal_people, person_event_deals=person_events)
    return Built(warm, checked, tuple(refused), known)


def _deal_people(before: Store, after: Store, pids: set[str]) -> dict[str, tuple[str, ...]] | None:
    """``Store._deal_people`` moved on for the people whose deals may have changed (None: compute it afresh)."""
    if before.deals.keys() != after.deals.keys():
        return None  # a deal came or went: whoever names it is in or out
    found = dict(before._deal_people)
    changed: dict[str, set[str]] = defaultdict(set)  # deal -> people to take out or put in
    for person_id in pids:
        was, now = set(before.deals_of_person(person_id)), set(after.deals_of_person(person_id))
        for deal_id in was ^ now:  # same deals (and the same people order): nothing to move
            changed[deal_id].add(person_id)
    for deal_id, people in changed.items():
        kept = [p for p in found.get(deal_id, ()) if p not in people]
        kept += [p for p in people if deal_id in after.deals_of_person(p)]
        kept.sort(key=lambda p: after.people[p].doc.path)
        if kept:
            found[deal_id] = tuple(kept)
        else:
            found.pop(deal_id, None)
    return found


def _link(
    before: Store, docs: dict[str, Document], problems: list[Problem], touched: Iterable[str]
) -> tuple[Store, set[str]]:
    """``build``'s linking, for the touched files only: everything else is shared with the old store. Also the
    people whose links may have changed."""
    people = dict(before.people)
    deals = dict(before.deals)
    documents = dict(before.documents)
    deal_ids: set[str] = set()
    topic_refs: set[str] = set()
    person_ids: set[str] = set()
    for path in touched:
        documents.pop(path, None)
        if path in docs:
            documents[path] = docs[path]
        placement = place(path)
        if placement is None:
            continue
        if placement.kind is Kind.PERSON:
            person_ids.add(placement.id)
        elif placement.deal_id is not None:
            deal_ids.add(placement.deal_id)
            if placement.kind is Kind.TOPIC:
                topic_refs.add(f"{placement.deal_id}/{placement.id}")
    for person_id in person_ids:
        doc = docs.get(f"people/{person_id}.md")
        if doc is None:
            people.pop(person_id, None)
        else:
            added = person_id not in people
            people[person_id] = PersonEntry(person_id, doc, cast(Person, doc.model))
            if added:
                people = dict(sorted(people.items(), key=lambda item: item[1].doc.path))
    for deal_id in deal_ids:
        old_deal = before.deals.get(deal_id)
        entry = _deal_entry(deal_id, docs, old_deal, topic_refs)
        if entry is None or old_deal is None or entry.doc is not old_deal.doc:
            # the deal file changed, appeared or went: every topic of it is linked again
            for deal in (old_deal, entry):
                if deal is not None:
                    topic_refs.update(t.ref for t in deal.topics.values())
        if entry is None:
            deals.pop(deal_id, None)
            continue
        added = deal_id not in deals
        deals[deal_id] = entry
        if added:
            deals = dict(sorted(deals.items(), key=lambda item: item[1].doc.path))

    def topic_of(ref: str, within: dict[str, DealEntry]) -> TopicEntry | None:
        deal_id, _, topic_id = ref.partition("/")
        deal = within.get(deal_id)
        return deal.topics.get(topic_id) if deal else None

    # who names whom: the same keys, in the same order, as ``build`` gives
    refs = set(topic_refs)
    pids = set(person_ids)
    candidates: dict[str, set[str]] = defaultdict(set)  # person -> touched topics that named them, or do now
    for ref in topic_refs:
        for store_deals in (before.deals, deals):
            if (topic := topic_of(ref, store_deals)) is not None:
                pids.update(topic.topic.people)
                for person_id in topic.topic.people:
                    candidates[person_id].add(ref)
    for person_id in person_ids:
        for group in (before.people, people):
            if (person := group.get(person_id)) is not None:
                refs.update(person.person.topics)
    person_topics = dict(before._person_topics)
    for person_id in pids:
        own = list(people[person_id].person.topics) if person_id in people else []
        named = candidates[person_id].union(before._person_topics.get(person_id, ()))
        named_by = [r for r in named if (t := topic_of(r, deals)) is not None and person_id in t.topic.people]
        found = tuple(dict.fromkeys([*own, *sorted(named_by, key=_topic_path)]))
        if found:
            person_topics[person_id] = found
        else:
            person_topics.pop(person_id, None)
    named_in: dict[str, list[str]] = defaultdict(list)
    for person in people.values():
        for ref in person.person.topics:
            if ref in refs:
                named_in[ref].append(person.id)
    for ref in topic_refs:  # a topic that came or went changes the deals of whoever lists it
        pids.update(named_in.get(ref, ()))
    topic_people = dict(before._topic_people)  # by deal: only the touched deals' tables are copied
    copied: set[str] = set()
    for ref in refs:
        topic = topic_of(ref, deals)
        found = tuple(dict.fromkeys([*named_in.get(ref, ()), *(topic.topic.people if topic else ())]))
        deal_id, _, topic_id = ref.partition("/")
        if deal_id not in copied:
            copied.add(deal_id)
            topic_people[deal_id] = dict(topic_people.get(deal_id, {}))
        if found:
            topic_people[deal_id][topic_id] = found
        else:
            topic_people[deal_id].pop(topic_id, None)
    for deal_id in copied:
        if not topic_people[deal_id]:
            del topic_people[deal_id]
    # a store with translations re-reads them (each is checked against its original); most stores have none
    translations, translation_problems = (
        load_translations(before.root, documents.values()) if before.translations.by_original else (Translations(), [])
    )
    store = Store(
        root=before.root,
        sources=before.sources,
        people=people,
        deals=deals,
        documents=documents,
        problems=tuple(sorted({*problems, *translation_problems})),
        translations=translations,
        loaded_at=dt.datetime.now(dt.UTC),
        _person_topics=person_topics,
        _topic_people=topic_people,
    )
    return store, pids


def _path(doc: Document) -> str:
    return doc.path


def _topic_path(ref: str) -> str:
    deal_id, _, topic_id = ref.partition("/")
    return f"deals/{deal_id}/topics/{topic_id}.md"


def _deal_entry(
    deal_id: str, docs: dict[str, Document], old: DealEntry | None, topic_refs: set[str]
) -> DealEntry | None:
    folder = f"deals/{deal_id}/"
    doc = docs.get(f"{folder}deal.yml") or docs.get(f"{folder}deal.yaml")  # as in ``build``: the later path wins
    if doc is None:
        return None
    if old is not None:
        topics = dict(old.topics)
        for ref in topic_refs:
            if ref.partition("/")[0] != deal_id:
                continue
            topic_id = ref.partition("/")[2]
            topic_doc = docs.get(f"{folder}topics/{topic_id}.md")
            if topic_doc is None:
                topics.pop(topic_id, None)
            else:
                added = topic_id not in topics
                topics[topic_id] = TopicEntry(deal_id, topic_id, topic_doc, cast(Topic, topic_doc.model))
                if added:
                    topics = dict(sorted(topics.items(), key=lambda item: item[1].doc.path))
    else:  # a new deal file: its topics may have been waiting for it
        prefix = f"{folder}topics/"
        found = sorted((d for p, d in docs.items() if p.startswith(prefix) and d.kind is Kind.TOPIC), key=_path)
        topics = {d.id: TopicEntry(deal_id, d.id, d, cast(Topic, d.model)) for d in found}
    events_doc = docs.get(f"{folder}events.yml") or docs.get(f"{folder}events.yaml")
    events = cast(EventLog, events_doc.model).events if events_doc else []
    return DealEntry(
        deal_id, doc, cast(Deal, doc.model), topics, tuple(sorted(events, key=lambda e: (e.date, e.id))), events_doc
    )


def _sources(ordered: list[Document]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for doc in ordered:
        if doc.kind is Kind.SOURCES:
            for source in cast(SourceRegistry, doc.model).sources:
                sources.setdefault(source.id, source)
    return sources


def _broken(refused: Iterable[Problem]) -> list[Placement]:
    return [b for b in (place(p.path) for p in refused) if b is not None]


def _by_path(problems: Iterable[Problem]) -> dict[str, tuple[Problem, ...]]:
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        grouped[problem.path].append(problem)
    return {path: tuple(found) for path, found in grouped.items()}
