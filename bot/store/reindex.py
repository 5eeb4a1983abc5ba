"""A one-file reload's index update: the old store's lookup and full-text indexes, with the entities and rows of
the touched deals, topics and people swapped for the new ones (names in every language included)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bot.store.documents import Kind, place
from bot.store.index import Entity, Index
from bot.store.rows import deal_entities, deal_search_docs, person_entity, person_search_doc
from bot.store.search import SearchDoc, SearchIndex
from bot.store.store import Store


def updated_indexes(before: Store, after: Store, touched: Iterable[str]) -> tuple[Index, SearchIndex | None]:
    """The old store's lookup and full-text indexes, updated with the entities and rows that differ; None for the
    full-text one when the rows kept beside its full build have outgrown their share: the new store builds it whole
    (once per a twentieth of the store saved, at least, in the reload's thread as every reload)."""
    deals: set[str] = set()
    people: set[str] = set()
    topics: dict[str, set[str]] = defaultdict(set)
    for path in touched:
        placement = place(path)
        if placement is None:
            continue
        if placement.kind is Kind.PERSON:
            people.add(placement.id)
        elif placement.kind is Kind.SOURCES:
            continue
        elif placement.deal_id is not None:
            deals.add(placement.deal_id)
            if placement.kind is Kind.TOPIC:
                topics[placement.deal_id].add(placement.id)
    old_entities: list[Entity] = []
    new_entities: list[Entity] = []
    old_rows: list[SearchDoc] = []
    new_rows: list[SearchDoc] = []
    for deal_id in deals:
        old_deal, new_deal = before.deals.get(deal_id), after.deals.get(deal_id)
        # the deal file unchanged: only its touched topics (and its events' rows, which take topics' scopes)
        only = topics[deal_id] if old_deal and new_deal and old_deal.doc is new_deal.doc else None
        if old_deal is not None:
            old_entities += deal_entities(old_deal, only, names=before.translations.names)
            old_rows += deal_search_docs(old_deal, only)
        if new_deal is not None:
            new_entities += deal_entities(new_deal, only, names=after.translations.names)
            new_rows += deal_search_docs(new_deal, only)
    for person_id in people:
        if person_id in before.people:
            old_entities.append(person_entity(before.people[person_id], names=before.translations.names))
            old_rows.append(person_search_doc(before.people[person_id]))
        if person_id in after.people:
            new_entities.append(person_entity(after.people[person_id], names=after.translations.names))
            new_rows.append(person_search_doc(after.people[person_id]))
    kept_entities = set(old_entities) & set(new_entities)
    kept_rows = set(old_rows) & set(new_rows)
    # an entity's listing order (its file's path) is not part of its equality: a .yml/.yaml swap must move it
    moved = {(e.kind, e.deal_id, e.id): e.order for e in old_entities}
    kept_entities = {e for e in kept_entities if moved.get((e.kind, e.deal_id, e.id)) == e.order}
    index = before.index.updated(
        [e for e in old_entities if e not in kept_entities], [e for e in new_entities if e not in kept_entities]
    )
    search = before.search_index.updated(
        [r.key for r in old_rows if r not in kept_rows], [r for r in new_rows if r not in kept_rows]
    )
    return index, None if search.crowded() else search
