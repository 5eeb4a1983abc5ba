"""The lookup index, built once per load: exact ids and aliases, then prefixes, then fuzzy matches.

Topics are scoped to their deal (every deal has its own ``tariffs``); people and deals to the store.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import NamedTuple

from bot.store.text import compact, fold

FUZZY_CUTOFF = 78.0  # below this a match is noise ("dairy" vs "defence")
CLEAR_LEAD = 8.0  # a fuzzy winner must lead the runner-up by this much to be taken without asking
MAX_CANDIDATES = 8


class EntityKind(StrEnum):
    PERSON = "person"
    TOPIC = "topic"
    DEAL = "deal"


@dataclass(frozen=True, slots=True)
class Entity:
    kind: EntityKind
    id: str
    deal_id: str | None  # a topic's deal; None for people and deals
    label: str
    names: tuple[str, ...]  # id, title or name, aliases: what a user may type
    restricted_to: frozenset[str] = frozenset()
    order: str = field(default="", compare=False)  # where it sits in the store (its file's path): listing order

    @property
    def ref(self) -> str:
        return f"{self.deal_id}/{self.id}" if self.deal_id else self.id

    def visible_to(self, target: str | None) -> bool:
        return not self.restricted_to or (target is not None and target in self.restricted_to)


class Outcome(StrEnum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Lookup:
    outcome: Outcome
    query: str
    entity: Entity | None = None
    candidates: tuple[Entity, ...] = ()
    fuzzy: bool = False  # found by a typo-tolerant match: say so in the answer
    known: tuple[Entity, ...] = field(default=())  # what exists, for "not found" answers


class _Named(NamedTuple):
    """An entity's rows of the scope tables, made once and shared by every scope it is in: a topic is in its
    deal's scope and the cross-deal one, and at 100,000 documents a second copy of each row is a hundred MB."""

    entity: Entity
    ref: str
    order: tuple[str, str]
    keys: list[tuple[str, str]]  # (folded name, ref)
    compacts: list[str]  # the exact-match key of each name, parallel to keys
    prefixes: list[tuple[str, str]]  # (a name or one of its words, ref)
    alone: tuple[Entity]  # the owners of a name only this entity has

    @classmethod
    def of(cls, entity: Entity) -> _Named:
        ref = entity.ref
        folded_names = [sys.intern(folded) for folded in _folded(entity)]
        words = [sys.intern(word) for word in _prefix_words(folded_names)]  # the same words recur across a store
        keys = [(f, ref) for f in folded_names]
        compacts = [sys.intern(f.replace(" ", "")) for f in folded_names]
        return cls(entity, ref, (entity.order, ref), keys, compacts, [(w, ref) for w in words], (entity,))


@dataclass(slots=True)
class _Scope:
    """One kind's names (topics: one deal's, or every deal's), kept in sorted tables.

    Every table is in a canonical order (sorted by key, then ref), so a scope built at once and one edited
    entity by entity are the same, and every answer (ties included) is too.
    """

    members: dict[str, Entity] = field(default_factory=dict)  # by ref
    order: list[tuple[str, str]] = field(default_factory=list)  # (entity.order, ref), sorted: store order
    exact: dict[str, tuple[Entity, ...]] = field(default_factory=dict)  # compact name -> owners, by ref
    keys: list[tuple[str, str]] = field(default_factory=list)  # (folded name, ref), sorted
    names: list[str] = field(default_factory=list)  # folded names, parallel to keys: what fuzzy matching scores
    owners: list[Entity] = field(default_factory=list)  # parallel to keys
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # (a name or one of its words, ref), sorted

    def copy(self) -> _Scope:
        return _Scope(
            dict(self.members),
            list(self.order),
            dict(self.exact),
            list(self.keys),
            list(self.names),
            list(self.owners),
            list(self.prefixes),
        )

    @classmethod
    def of(cls, entities: Iterable[_Named]) -> _Scope:
        """A scope built at once: the same tables as adding the entities one by one, each sorted once at the end."""
        scope = cls()
        exact: dict[str, list[_Named]] = {}
        keys: list[tuple[tuple[str, str], Entity]] = []
        for named in entities:
            entity = named.entity
            scope.members[named.ref] = entity
            scope.order.append(named.order)
            for key, compacted in zip(named.keys, named.compacts, strict=True):
                exact.setdefault(compacted, []).append(named)
                keys.append((key, entity))
            scope.prefixes += named.prefixes
        scope.order.sort()
        scope.prefixes.sort()
        keys.sort(key=itemgetter(0))
        scope.exact = {
            key: owners[0].alone if len(owners) == 1 else tuple(sorted((n.entity for n in owners), key=_ref))
            for key, owners in exact.items()
        }
        scope.keys = [key for key, _ in keys]
        scope.names = [key[0] for key, _ in keys]
        scope.owners = [entity for _, entity in keys]
        return scope

    def add(self, entity: Entity) -> None:
        ref = entity.ref
        self.members[ref] = entity
        insort(self.order, (entity.order, ref))
        folded_names = _folded(entity)
        for folded in folded_names:
            key = folded.replace(" ", "")
            self.exact[key] = tuple(sorted((*self.exact.get(key, ()), entity), key=_ref))
            at = bisect_left(self.keys, (folded, ref))
            self.keys.insert(at, (folded, ref))
            self.names.insert(at, folded)
            self.owners.insert(at, entity)
        for word in _prefix_words(folded_names):
            insort(self.prefixes, (word, ref))

    def remove(self, entity: Entity) -> None:
        ref = entity.ref
        del self.members[ref]
        _discard(self.order, (entity.order, ref))
        folded_names = _folded(entity)
        for folded in folded_names:
            key = folded.replace(" ", "")
            left = tuple(e for e in self.exact.get(key, ()) if e.ref != ref)
            if left:
                self.exact[key] = left
            else:
                self.exact.pop(key, None)
            at = bisect_left(self.keys, (folded, ref))
            if at < len(self.keys) and self.keys[at] == (folded, ref):
                del self.keys[at], self.names[at], self.owners[at]
        for word in _prefix_words(folded_names):
            _discard(self.prefixes, (word, ref))

    def entities(self) -> list[Entity]:
        return [self.members[ref] for _, ref in self.order]

    def prefixed(self, folded: str) -> list[Entity]:
        """Owners of a name, or a word of a name, that starts with ``folded``, by that word: a range of a sorted
        table, so the cost grows with the matches, not with the store."""
        found: dict[Entity, None] = {}
        at = bisect_left(self.prefixes, (folded, ""))
        while at < len(self.prefixes) and self.prefixes[at][0].startswith(folded):
            found.setdefault(self.members[self.prefixes[at][1]])
            at += 1
        return list(found)


class Index:
    """Immutable once built; a reload builds a new one, or derives one with :meth:`updated`."""

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self._by_id: dict[tuple[EntityKind, str | None, str], Entity] = {}
        grouped: dict[tuple[EntityKind, str | None], list[_Named]] = {}
        for entity in entities:
            self._by_id[(entity.kind, entity.deal_id, entity.id)] = entity
            named = _Named.of(entity)  # once, for every scope the entity is in (a topic is in two)
            for scope_key in _scope_keys(entity):
                grouped.setdefault(scope_key, []).append(named)
        self._scopes: dict[tuple[EntityKind, str | None], _Scope] = {
            key: _Scope.of(members) for key, members in grouped.items()
        }

    def updated(self, removed: Iterable[Entity], added: Iterable[Entity]) -> Index:
        """A new index with ``removed`` taken out and ``added`` put in; this one is left as it is (readers may
        hold it). Only the scopes touched are copied, so one changed document costs about a copy of its scope."""
        new = Index()
        new._scopes = dict(self._scopes)
        new._by_id = dict(self._by_id)
        copied: set[tuple[EntityKind, str | None]] = set()

        def scope(key: tuple[EntityKind, str | None]) -> _Scope:
            if key not in copied:
                copied.add(key)
                new._scopes[key] = new._scopes[key].copy() if key in new._scopes else _Scope()
            return new._scopes[key]

        for entity in removed:
            if new._by_id.pop((entity.kind, entity.deal_id, entity.id), None) is None:
                continue
            for key in _scope_keys(entity):
                scope(key).remove(entity)
                if not new._scopes[key].members:
                    del new._scopes[key]
                    copied.discard(key)
        for entity in added:
            new._by_id[(entity.kind, entity.deal_id, entity.id)] = entity
            for key in _scope_keys(entity):
                scope(key).add(entity)
        return new

    def all(self) -> list[Entity]:
        return list(self._by_id.values())

    def get(self, kind: EntityKind, entity_id: str, deal_id: str | None = None) -> Entity | None:
        return self._by_id.get((kind, deal_id, entity_id))

    def visible(self, kind: EntityKind, entity_id: str, deal_id: str | None, viewer: str | None) -> bool:
        entity = self._by_id.get((kind, deal_id, entity_id))
        return entity is not None and entity.visible_to(viewer)

    def entities(self, kind: EntityKind, deal_id: str | None = None, viewer: str | None = None) -> list[Entity]:
        scope = self._scopes.get((kind, deal_id))
        return [e for e in scope.entities() if e.visible_to(viewer)] if scope else []

    def named(
        self, kind: EntityKind, query: str, *, deal_id: str | None = None, viewer: str | None = None
    ) -> list[Entity]:
        """What ``query`` names exactly (an id, title, name, alias or surname), by ref."""
        scope = self._scopes.get((kind, deal_id))
        return [e for e in scope.exact.get(compact(query), ()) if e.visible_to(viewer)] if scope else []

    def lookup(self, kind: EntityKind, query: str, *, deal_id: str | None = None, viewer: str | None = None) -> Lookup:
        scope = self._scopes.get((kind, deal_id)) or _Scope()
        folded = fold(query)
        if not folded:
            return Lookup(Outcome.EMPTY, query)

        exact = [e for e in scope.exact.get(compact(query), ()) if e.visible_to(viewer)]
        if exact:
            return _decide(query, exact)

        if len(folded) >= 2:
            prefixed = [e for e in scope.prefixed(folded) if e.visible_to(viewer)]
            if prefixed:
                return _decide(query, prefixed)

        scored: dict[Entity, float] = {}
        for position, score in _fuzzy_scores(folded, scope.names):
            owner = scope.owners[position]
            if owner.visible_to(viewer) and score > scored.get(owner, 0.0):
                scored[owner] = score
        if not scored:
            visible = [e for e in scope.entities() if e.visible_to(viewer)]
            return Lookup(Outcome.NOT_FOUND, query, known=tuple(sorted(visible, key=lambda e: (e.label, e.ref))))
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0].label, item[0].ref))
        if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= CLEAR_LEAD:
            return Lookup(Outcome.FOUND, query, entity=ranked[0][0], fuzzy=True)
        return Lookup(Outcome.AMBIGUOUS, query, candidates=tuple(e for e, _ in ranked[:MAX_CANDIDATES]), fuzzy=True)

    def suggest(
        self, kind: EntityKind, prefix: str, *, deal_id: str | None = None, viewer: str | None = None, limit: int = 25
    ) -> list[Entity]:
        """Completions for a partial argument (Discord autocomplete): prefixes first, then fuzzy matches."""
        scope = self._scopes.get((kind, deal_id))
        if scope is None:
            return []
        folded = fold(prefix)
        if not folded:
            visible = [e for e in scope.entities() if e.visible_to(viewer)]
            return sorted(visible, key=lambda e: (e.label, e.ref))[:limit]
        first = [e for e in scope.prefixed(folded) if e.visible_to(viewer)]
        from rapidfuzz import fuzz, process  # lazily: see lookup

        rest = [
            scope.owners[position]
            for _c, _s, position in process.extract(
                folded, scope.names, scorer=fuzz.WRatio, score_cutoff=60, limit=limit * 3
            )
        ]
        return _distinct([*first, *(e for e in rest if e.visible_to(viewer))])[:limit]


def _fuzzy_scores(folded: str, names: list[str]) -> list[tuple[int, float]]:
    """(position, score) of every name that scores at least :data:`FUZZY_CUTOFF` against ``folded``.

    ``cdist`` rather than ``extract``: the same scores, but it lets go of the GIL while it scores, and at 100,000
    documents that is a second of work that would otherwise hold every other thread (the event loop's too).
    rapidfuzz only now: a name found exactly or by prefix (the usual case) never needs it, and a one-shot
    ``briefbot ask`` would otherwise pay for importing it."""
    import numpy as np
    from rapidfuzz import fuzz, process

    row = process.cdist([folded], names, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, dtype=np.float64)[0]
    return [(int(position), float(row[position])) for position in np.flatnonzero(row)]


def _scope_keys(entity: Entity) -> list[tuple[EntityKind, str | None]]:
    keys: list[tuple[EntityKind, str | None]] = [(entity.kind, entity.deal_id)]
    if entity.kind is EntityKind.TOPIC and entity.deal_id is not None:
        keys.append((entity.kind, None))  # the cross-deal view
    return keys


def _folded(entity: Entity) -> list[str]:
    return sorted({folded for name in _keys(entity) if (folded := fold(name))})


def _prefix_words(folded_names: Iterable[str]) -> list[str]:
    return sorted({word for folded in folded_names for word in (folded, *folded.split())})


def _ref(entity: Entity) -> str:
    return entity.ref


def _discard(table: list[tuple[str, str]], item: tuple[str, str]) -> None:
    at = bisect_left(table, item)
    if at < len(table) and table[at] == item:
        del table[at]


def _keys(entity: Entity) -> list[str]:
    keys = list(entity.names)
    if entity.kind is EntityKind.PERSON and " " in entity.label:
        keys.append(entity.label.rsplit(" ", 1)[-1])  # a surname finds the person
    return keys


def _distinct(entities: Iterable[Entity]) -> list[Entity]:
    return list(dict.fromkeys(entities))


def _decide(query: str, matches: list[Entity]) -> Lookup:
    matches = _distinct(matches)
    if len(matches) == 1:
        return Lookup(Outcome.FOUND, query, entity=matches[0])
    ranked = sorted(matches, key=lambda e: (e.label, e.ref))[:MAX_CANDIDATES]
    return Lookup(Outcome.AMBIGUOUS, query, candidates=tuple(ranked))
