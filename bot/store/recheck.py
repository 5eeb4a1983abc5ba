"""What a one-file reload must look at again: the checks' view of the store (``Known``) moved on by the touched
paths, and the documents whose cross-file checks read something a touched file changed (see
:mod:`bot.store.incremental`, which re-checks and re-indexes them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from bot.store.checks.base import Known
from bot.store.documents import Document, Kind, Placement, place
from bot.store.model import Deal, Person, Topic
from bot.store.store import Store


def known_after(old: Known, docs: dict[str, Document], broken: list[Placement], touched: Iterable[str]) -> Known:
    """``Known.of`` the new documents, from the old one and the touched paths (the sources are unchanged)."""
    deals = dict(old.deals)
    people = set(old.people)
    contacts = dict(old.contacts)
    topics = dict(old.topics)
    broken_set = set(broken)
    for path in touched:
        placement = place(path)
        if placement is None:
            continue
        folder = f"deals/{placement.deal_id}/"
        if placement.kind is Kind.DEAL:
            doc = docs.get(f"{folder}deal.yml") or docs.get(f"{folder}deal.yaml")  # the later path, as ``Known.of``
            if doc is None:
                deals.pop(placement.id, None)
            else:
                deals[placement.id] = (doc, cast(Deal, doc.model))
        elif placement.kind is Kind.PERSON:
            if path in docs or placement in broken_set:
                people.add(placement.id)
            else:
                people.discard(placement.id)
            if path in docs:
                contacts[placement.id] = cast(Person, docs[path].model).contact
            else:
                contacts.pop(placement.id, None)
        elif placement.kind is Kind.TOPIC and placement.deal_id:
            ids = set(topics.get(placement.deal_id, ()))
            if path in docs or placement in broken_set:
                ids.add(placement.id)
            else:
                ids.discard(placement.id)
            if ids:
                topics[placement.deal_id] = ids
            else:
                topics.pop(placement.deal_id, None)
    return Known(
        deals=deals,
        broken_deals={b.id for b in broken if b.kind is Kind.DEAL},
        people=people,
        topics=topics,
        sources=old.sources,
        sources_broken=any(b.kind is Kind.SOURCES for b in broken),
        contacts=contacts,
    )


def to_recheck(
    before: Store,
    old: dict[str, Document],
    new: dict[str, Document],
    old_broken: set[Placement],
    new_broken: set[Placement],
    touched: Iterable[str],
) -> set[str] | None:
    """Paths whose cross-file checks may give another answer now, or None when everything must be re-checked."""
    paths: set[str] = set()
    all_people = all_deals = all_events = False
    topic_scopes: set[str] = set()  # deals whose topics' names are settled together
    deal_folders: set[str] = set()
    events_of: set[str] = set()
    people_gone: set[str] = set()  # people who appeared or disappeared
    deals_named: set[str] = set()
    topics_named: set[str] = set()
    for path in touched:
        placement = place(path)
        if placement is None:
            continue
        paths.add(path)
        if placement.kind is Kind.SOURCES:
            return None
        existed = _exists(old, old_broken, path, placement)
        exists = _exists(new, new_broken, path, placement)
        if placement.kind is Kind.PERSON:
            all_people = True
            if existed != exists:
                people_gone.add(placement.id)
                all_events = True
        elif placement.kind is Kind.DEAL:
            all_deals = True
            assert placement.deal_id is not None
            deal_folders.add(placement.deal_id)
            deals_named.add(placement.deal_id)
        elif placement.kind is Kind.TOPIC:
            assert placement.deal_id is not None
            topic_scopes.add(placement.deal_id)
            if existed != exists:
                events_of.add(placement.deal_id)
                topics_named.add(f"{placement.deal_id}/{placement.id}")
    # an owner's contact (or existence) decides a document's owner check: re-check what the touched people own
    people_touched = {p.id for path in touched if (p := place(path)) is not None and p.kind is Kind.PERSON}
    if people_touched:
        paths.update(d.path for d in new.values() if getattr(d.model, "owner", None) in people_touched)
    quick = not (all_deals or all_events or people_gone or deal_folders or events_of or deals_named or topics_named)
    if quick and all(d in before.deals for d in topic_scopes):
        # an edit that changes no file's existence: the neighbours to re-check are in the old store's links
        if all_people:
            paths.update(p.doc.path for p in before.people.values())
        for deal_id in topic_scopes:
            paths.update(t.doc.path for t in before.deals[deal_id].topics.values())
        claims = _name_scopes(before, new, paths)
        if claims is not None:
            return {p for p in paths | claims if p in new or p in touched}
        # a re-checked file (one a touched person owns) claims names in a deal with no deal file: look everywhere
    for doc in new.values():
        kind = doc.kind
        if kind is Kind.PERSON:
            if all_people or _mentions(cast(Person, doc.model), deals_named, topics_named):
                paths.add(doc.path)
        elif kind is Kind.DEAL:
            if all_deals:
                paths.add(doc.path)
        elif kind is Kind.TOPIC:
            if (
                doc.deal_id in topic_scopes
                or doc.deal_id in deal_folders
                or (people_gone and not people_gone.isdisjoint(cast(Topic, doc.model).people))
            ):
                paths.add(doc.path)
        elif kind is Kind.EVENTS and (all_events or doc.deal_id in events_of or doc.deal_id in deal_folders):
            paths.add(doc.path)
    # Names are settled over every claim of their scope: re-checking one person re-checks them all, and so on.
    scopes = {(d.kind, d.deal_id) for p in paths if (d := new.get(p)) is not None}
    people_scope = any(k is Kind.PERSON for k, _ in scopes) and not all_people
    deal_scope = any(k is Kind.DEAL for k, _ in scopes) and not all_deals
    topic_deals = {deal for k, deal in scopes if k is Kind.TOPIC} - topic_scopes - deal_folders
    if people_scope or deal_scope or topic_deals:
        for doc in new.values():
            if (
                (people_scope and doc.kind is Kind.PERSON)
                or (deal_scope and doc.kind is Kind.DEAL)
                or (doc.kind is Kind.TOPIC and doc.deal_id in topic_deals)
            ):
                paths.add(doc.path)
    return paths


def _name_scopes(before: Store, new: dict[str, Document], paths: set[str]) -> set[str] | None:
    """Every claim in the name scopes of ``paths`` (a re-checked name is settled against all of them), from the
    old store's links: for an edit that changes no file's existence, they are the new store's too. None when a
    scope is not in the links (topics of a deal with no deal file)."""
    scopes = {(d.kind, d.deal_id) for p in paths if (d := new.get(p)) is not None}
    claims: set[str] = set()
    for kind, deal_id in scopes:
        if kind is Kind.PERSON:
            claims.update(p.doc.path for p in before.people.values())
        elif kind is Kind.DEAL:
            claims.update(d.doc.path for d in before.deals.values())
        elif kind is Kind.TOPIC:
            deal = before.deals.get(deal_id or "")
            if deal is None:
                return None
            claims.update(t.doc.path for t in deal.topics.values())
    return claims


def _exists(docs: dict[str, Document], broken: set[Placement], path: str, placement: Placement) -> bool:
    if placement in broken or path in docs:
        return True
    stem, dot, suffix = path.rpartition(".")
    return bool(dot) and suffix in ("yaml", "yml") and f"{stem}.{'yml' if suffix == 'yaml' else 'yaml'}" in docs


def _mentions(person: Person, deals: set[str], topics: set[str]) -> bool:
    if not deals and not topics:
        return False
    if not deals.isdisjoint(person.deals) or not topics.isdisjoint(person.topics):
        return True
    return any(q.deal in deals for q in person.quotes) or any(r.partition("/")[0] in deals for r in person.topics)
