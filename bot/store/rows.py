"""How deals, topics and people are found: their lookup entities (every name, in every language, with the
targets that may see them) and their full-text search rows. Built for a whole store, or for the few a one-file
reload touched (:mod:`bot.store.reindex`)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.store.documents import Document
from bot.store.entries import DealEntry, PersonEntry
from bot.store.index import Entity, EntityKind
from bot.store.search import SearchDoc


def narrowest(outer: frozenset[str], inner: frozenset[str]) -> frozenset[str]:
    """A restricted document inside a restricted deal is visible only to targets on both lists."""
    if outer and inner:
        return (outer & inner) or frozenset({"(nobody)"})
    return outer or inner


def _topic_scope(deal: DealEntry, topic_id: str) -> frozenset[str]:
    return frozenset(deal.topics[topic_id].topic.restricted_to)


def _no_names(document: Document) -> tuple[str, ...]:
    return ()


def deal_entities(
    deal: DealEntry, only: Collection[str] | None = None, *, names: Callable[[Document], tuple[str, ...]] = _no_names
) -> list[Entity]:
    """A deal's entity and its topics' (a deal's restriction narrows its topics'); ``only``: just these topics'.
    ``names``: a document's names in other languages (its translations'), found like its own."""
    deal_scope = frozenset(deal.deal.restricted_to)
    d = deal.deal
    own = (deal.id, d.title, *d.aliases, *names(deal.doc))
    entities = [Entity(EntityKind.DEAL, deal.id, None, d.title, own, deal_scope, deal.doc.path)]
    if only is not None:
        entities.clear()
    deal_id = deal.id
    for topic_id, topic in deal.topics.items():  # a store's every topic: no step here that a topic does not need
        if only is not None and topic_id not in only:
            continue
        t = topic.topic
        doc = topic.doc
        scope = narrowest(deal_scope, frozenset(t.restricted_to)) if t.restricted_to else deal_scope
        called = (topic_id, t.title, *t.aliases, *names(doc))
        entities.append(Entity(EntityKind.TOPIC, topic_id, deal_id, t.title, called, scope, doc.path))
    return entities


def person_entity(person: PersonEntry, *, names: Callable[[Document], tuple[str, ...]] = _no_names) -> Entity:
    p = person.person
    called = (person.id, p.name, *p.aliases, *names(person.doc))
    return Entity(EntityKind.PERSON, person.id, None, p.name, called, frozenset(p.restricted_to), person.doc.path)


def deal_search_docs(deal: DealEntry, only: Collection[str] | None = None) -> list[SearchDoc]:
    """A deal's search rows: the deal, its topics, its events; ``only``: just these topics' rows and the events'."""
    d = deal.deal
    deal_scope = frozenset(d.restricted_to)
    track_text = " ".join(
        " ".join([t.title, t.question or "", *t.open_questions, *(m.title for m in t.milestones)]) for t in d.tracks
    )
    docs = [SearchDoc(f"deal:{deal.id}", d.title, f"{d.summary} {d.goal or ''} {track_text}", deal_scope)]
    if only is not None:
        docs.clear()
    deal_id = deal.id
    for topic_id, topic in deal.topics.items():  # a store's every topic: no step here that a topic does not need
        if only is not None and topic_id not in only:
            continue
        t = topic.topic
        text = " ".join([t.summary, *t.aliases, *t.positions.values(), t.outlook or "", topic.doc.body])
        scope = narrowest(deal_scope, frozenset(t.restricted_to)) if t.restricted_to else deal_scope
        docs.append(SearchDoc(f"topic:{deal_id}/{topic_id}", t.title, text, scope))
    for event in deal.events:
        scope = deal_scope
        topic_scopes = [_topic_scope(deal, t) for t in event.topics if t in deal.topics]
        if topic_scopes and all(topic_scopes):  # about restricted topics only: visible where any of them is
            scope = narrowest(deal_scope, frozenset().union(*topic_scopes))
        docs.append(SearchDoc(f"event:{deal.id}/{event.id}", event.title, event.detail or "", scope))
    return docs


def person_search_doc(person: PersonEntry) -> SearchDoc:
    p = person.person
    text = " ".join([p.role, p.affiliation, p.stance or "", *p.aliases, *(q.text for q in p.quotes), person.doc.body])
    return SearchDoc(f"person:{person.id}", p.name, text, frozenset(p.restricted_to))
