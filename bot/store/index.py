"""The lookup index, built once per load: exact ids and aliases, then prefixes, then fuzzy matches.

Topics are scoped to their deal (every deal has its own ``tariffs``); people and deals to the store.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, compress, pairwise, repeat
from operator import attrgetter, contains, itemgetter
from typing import TYPE_CHECKING

from bot.store.text import compact, fold, fold_each

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from bot.store.typo_bound import TypoBound

FUZZY_CUTOFF = 78.0  # below this a match is noise ("dairy" vs "defence")
CLEAR_LEAD = 8.0  # a fuzzy winner must lead the runner-up by this much to be taken without asking
MAX_CANDIDATES = 8
PROBE = 32  # names a typo lookup scores in full first, to guess how high its cutoff can go (see _fuzzy_ranked)
PRUNE_FROM = 200  # below this many names a scope is scored at once: guessing would cost more than it saves
# Above this many names a scope is not bounded. A scope's first typo lookup builds its bound: at 100,000 documents
# the cross-deal topics' (286,000 names) take about 0.8 s once, then each typo there costs 57 ms, not 134 ms.
BOUND_UP_TO = 1_000_000
_MARGIN = 1e-3  # below a guessed cutoff, so a score equal to it is never lost to rounding


_intern = sys.intern
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)


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


_REF = attrgetter("ref")
_ORDER = attrgetter("order")
_ID = attrgetter("kind", "deal_id", "id")
_SCOPE = attrgetter("kind", "deal_id")


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
    # each folded name once, sorted: what fuzzy matching scores (many people share a surname, many deals a topic)
    distinct: list[str] = field(default_factory=list)
    # which names a typo may match (bot.store.typo_bound): made on the scope's first typo lookup, dropped by edits
    bound: TypoBound | None = field(default=None, compare=False, repr=False)

    def copy(self) -> _Scope:
        return _Scope(
            dict(self.members),
            list(self.order),
            dict(self.exact),
            list(self.keys),
            list(self.names),
            list(self.owners),
            list(self.prefixes),
            list(self.distinct),
        )

    @classmethod
    def of(cls, entities: list[Entity]) -> _Scope:
        """A scope built at once: the same tables as adding the entities one by one.

        Table by table, in C loops (map, zip, set, sort) rather than Python code per entity or per name: at 100,000
        documents that is most of the build. A row equal to a key row (a one-word name is its own prefix) is that
        same tuple, and every word is interned: the same words recur across a store."""
        refs = list(map(_REF, entities))
        members = dict(zip(refs, entities, strict=True))
        if len(members) < len(entities):
            return cls._of_shared_refs(entities)
        called = list(map(_keys, entities))
        row_refs = list(chain.from_iterable(map(repeat, refs, map(len, called))))
        folded = list(map(_intern, fold_each(list(chain.from_iterable(called)))))
        rows = set(zip(folded, row_refs, strict=True))  # one entity's names that fold alike are one row
        rows.difference_update(zip(repeat(""), refs))  # a name of punctuation only names nothing
        keys = _sorted_rows(rows)
        names = list(map(_FIRST, keys))
        key_refs = list(map(_SECOND, keys))
        owners = list(map(members.__getitem__, key_refs))
        compacts = list(map(_intern, map(str.replace, names, repeat(" "), repeat(""))))
        # (entity,): the owners of a name only it has, one tuple each, shared by its names and scopes
        alone = dict(zip(refs, zip(entities), strict=True))
        exact = dict(zip(compacts, map(alone.__getitem__, key_refs), strict=True))
        if len(exact) < len(compacts):  # some names are shared (or one entity's names compact alike)
            _share(exact, compacts, owners)
        several = list(map(contains, names, repeat(" ")))  # a one-word name's word is its key row
        split = map(map, repeat(_intern), map(str.split, compress(names, several)))
        words = map(zip, split, map(repeat, compress(key_refs, several)))
        prefixes = _sorted_rows({*keys, *chain.from_iterable(words)})  # keys first: their tuples are the ones kept
        order = _sorted_rows(zip(map(_ORDER, entities), refs, strict=True))
        return cls(members, order, exact, keys, names, owners, prefixes, list(dict.fromkeys(names)))

    @classmethod
    def merged(cls, parts: list[_Scope]) -> _Scope | None:
        """The scope of every entity of ``parts`` (the cross-deal topics, from each deal's): the tables :meth:`of`
        builds, from the parts' sorted ones (their rows shared, not copied). None if two parts share a ref."""
        members: dict[str, Entity] = {}
        exact: dict[str, tuple[Entity, ...]] = {}
        shared: dict[str, list[Entity]] = {}
        for part in parts:
            members.update(part.members)
            for compacted in part.exact.keys() & exact.keys():  # names in several deals (a C loop finds them)
                shared.setdefault(compacted, list(exact[compacted])).extend(part.exact[compacted])
            exact.update(part.exact)
        if len(members) < sum(len(part.members) for part in parts):
            return None
        for compacted, owners in shared.items():
            exact[compacted] = tuple(sorted(owners, key=_ref))
        # each part's refs all before the next part's (deal ids are not prefixes of each other): rows with the same
        # key are then in ref order already, and one sort by key (stable) is enough
        bounds = sorted(((min(part.members), max(part.members), part) for part in parts if part.members), key=_FIRST)
        in_turn = all(before[1] < after[0] for before, after in pairwise(bounds))
        merge = _sorted_by_key if in_turn else _sorted_rows
        parts = [part for _, _, part in bounds]
        keys = merge(chain.from_iterable(part.keys for part in parts))
        names = list(map(_FIRST, keys))
        return cls(
            members,
            _sorted_rows(chain.from_iterable(part.order for part in parts)),
            exact,
            keys,
            names,
            list(map(members.__getitem__, map(_SECOND, keys))),
            merge(chain.from_iterable(part.prefixes for part in parts)),
            list(dict.fromkeys(names)),  # names is sorted: the same name's rows are together
        )

    @classmethod
    def _of_shared_refs(cls, entities: list[Entity]) -> _Scope:
        """:meth:`of` for entities sharing a ref (a store's never do), row by row as it always was."""
        scope = cls()
        exact: dict[str, list[Entity]] = {}
        keys: list[tuple[tuple[str, str], Entity]] = []
        for entity in entities:
            ref = entity.ref
            scope.members[ref] = entity
            scope.order.append((entity.order, ref))
            folded_names = _folded(entity)
            for folded in folded_names:
                exact.setdefault(folded.replace(" ", ""), []).append(entity)
                keys.append(((folded, ref), entity))
            scope.prefixes += [(word, ref) for word in _prefix_words(folded_names)]
        scope.order.sort()
        scope.prefixes.sort()
        keys.sort(key=itemgetter(0))
        scope.exact = {key: tuple(sorted(owners, key=_ref)) for key, owners in exact.items()}
        scope.keys = [key for key, _ in keys]
        scope.names = [key[0] for key, _ in keys]
        scope.owners = [entity for _, entity in keys]
        scope.distinct = list(dict.fromkeys(scope.names))
        return scope

    def add(self, entity: Entity) -> None:
        self.bound = None
        ref = entity.ref
        self.members[ref] = entity
        insort(self.order, (entity.order, ref))
        folded_names = _folded(entity)
        for folded in folded_names:
            key = folded.replace(" ", "")
            self.exact[key] = tuple(sorted((*self.exact.get(key, ()), entity), key=_ref))
            at = bisect_left(self.keys, (folded, ref))
            if not self._named(folded, at):
                insort(self.distinct, folded)
            self.keys.insert(at, (folded, ref))
            self.names.insert(at, folded)
            self.owners.insert(at, entity)
        for word in _prefix_words(folded_names):
            insort(self.prefixes, (word, ref))

    def remove(self, entity: Entity) -> None:
        self.bound = None
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
                if not self._named(folded, at):
                    del self.distinct[bisect_left(self.distinct, folded)]
        for word in _prefix_words(folded_names):
            _discard(self.prefixes, (word, ref))

    def entities(self) -> list[Entity]:
        return [self.members[ref] for _, ref in self.order]

    def _named(self, folded: str, at: int) -> bool:
        """Whether a row next to position ``at`` of the sorted tables has the name ``folded`` (rows of one name are
        together)."""
        return (at > 0 and self.names[at - 1] == folded) or (at < len(self.names) and self.names[at] == folded)

    def owners_of(self, folded: str) -> list[Entity]:
        """Every entity with the name ``folded``, by ref."""
        at = bisect_left(self.keys, (folded, ""))
        end = at
        while end < len(self.names) and self.names[end] == folded:
            end += 1
        return self.owners[at:end]

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
        entities = list(entities)
        by_id = dict(zip(map(_ID, entities), entities, strict=True))
        self._by_id: dict[tuple[EntityKind, str | None, str], Entity] = by_id
        grouped: dict[tuple[EntityKind, str | None], list[Entity]] = {}
        for entity, scope_key in zip(entities, map(_SCOPE, entities), strict=True):
            grouped.setdefault(scope_key, []).append(entity)
        self._scopes: dict[tuple[EntityKind, str | None], _Scope] = {
            key: _Scope.of(members) for key, members in grouped.items()
        }
        deals = [key for key in self._scopes if key[0] is EntityKind.TOPIC and key[1] is not None]
        if deals:  # the cross-deal view of topics: every deal's tables merged, their rows shared
            cross = (EntityKind.TOPIC, None)
            merged = None if cross in grouped else _Scope.merged([self._scopes[key] for key in deals])
            if merged is None:  # topics with no deal, or refs shared across deals: built from the entities
                merged = _Scope.of([entity for entity in entities if entity.kind is EntityKind.TOPIC])
            self._scopes[cross] = merged

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

        ranked = _fuzzy_ranked(folded, scope, viewer)
        if not ranked:
            visible = [e for e in scope.entities() if e.visible_to(viewer)]
            return Lookup(Outcome.NOT_FOUND, query, known=tuple(sorted(visible, key=lambda e: (e.label, e.ref))))
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

        # the best names, each once: their owners, in ref order, are the best rows (every owner's every name)
        found = process.extract(folded, scope.distinct, scorer=fuzz.WRatio, score_cutoff=60, limit=limit * 3)
        rest = [owner for name, _s, _p in found for owner in scope.owners_of(name)][: limit * 3]
        return _distinct([*first, *(e for e in rest if e.visible_to(viewer))])[:limit]


def _fuzzy_ranked(folded: str, scope: _Scope, viewer: str | None) -> list[tuple[Entity, float]]:
    """The owners ``viewer`` may see with a name scoring at least :data:`FUZZY_CUTOFF`, best first (then by label
    and ref), each with its best score; enough of them to decide as if every name were scored and ranked.

    WRatio is the costly part, and its cost falls steeply as its cutoff rises. So a first pass scores the
    :data:`PROBE` names nearest by plain ``ratio`` (cheap), and its WRatio scores give a cutoff that this query's
    answer cannot fall below; the whole scope is then scored at that cutoff. When the owners found above it do not
    settle the answer (the probe guessed too high), the scope is scored again at :data:`FUZZY_CUTOFF`: the answer
    is always the full scan's, only its cost depends on the guess. Each pass scores only the names whose bound
    (:mod:`bot.store.typo_bound`: the characters and words they share with the query) reaches its cutoff; when
    that leaves few names, they are scored at once, without the probe.

    ``cdist`` rather than ``extract``: it lets go of the GIL while it scores, and at 100,000 documents that is work
    that would otherwise hold every other thread (the event loop's too). rapidfuzz only now: a name found exactly
    or by prefix (the usual case) never needs it, and a one-shot ``briefbot ask`` would otherwise pay for importing
    it."""
    if len(scope.distinct) < PRUNE_FROM:
        return _ranked_above(folded, scope, viewer, FUZZY_CUTOFF, None)
    highest = _highest(folded, scope)
    if highest is None:
        possible = None
    else:
        from bot.store.typo_bound import reaching

        possible = reaching(highest, FUZZY_CUTOFF)
        if len(possible) < PRUNE_FROM:  # the bound leaves few names: the probe would cost more than it saves
            return _ranked_above(folded, scope, viewer, FUZZY_CUTOFF, possible)
    cutoff = _guessed_cutoff(folded, scope, viewer)
    if cutoff > FUZZY_CUTOFF:
        above = None if highest is None else reaching(highest, cutoff)
        ranked = _ranked_above(folded, scope, viewer, cutoff, above)
        if _settled(ranked, cutoff):
            return ranked
    return _ranked_above(folded, scope, viewer, FUZZY_CUTOFF, possible)


def _guessed_cutoff(folded: str, scope: _Scope, viewer: str | None) -> float:
    """A WRatio cutoff that likely keeps every owner the answer needs: the :data:`MAX_CANDIDATES`-th best owner's
    score among the probed names, or the best's less :data:`CLEAR_LEAD` when the probe finds a clear winner."""
    import numpy as np
    from rapidfuzz import fuzz, process

    names = scope.distinct
    near = process.cdist([folded], names, scorer=fuzz.ratio, dtype=np.float32)[0]
    probe = np.argpartition(near, -PROBE)[-PROBE:] if len(names) > PROBE else np.arange(len(names))
    scores = [score for _, score in _ranked_above(folded, scope, viewer, FUZZY_CUTOFF, probe)]  # best first
    if len(scores) >= MAX_CANDIDATES:
        return max(FUZZY_CUTOFF, scores[MAX_CANDIDATES - 1] - _MARGIN)
    if len(scores) == 1 or (len(scores) > 1 and scores[0] - scores[1] >= CLEAR_LEAD):
        return max(FUZZY_CUTOFF, scores[0] - CLEAR_LEAD - _MARGIN)
    return FUZZY_CUTOFF


def _settled(ranked: list[tuple[Entity, float]], cutoff: float) -> bool:
    """Whether owners scoring below ``cutoff`` (not seen) cannot change the answer ``ranked`` gives: either the first
    :data:`MAX_CANDIDATES` are all above it, or the winner leads whoever could come second by :data:`CLEAR_LEAD`."""
    if len(ranked) >= MAX_CANDIDATES:
        return True
    if not ranked:
        return False
    runner_up = ranked[1][1] if len(ranked) > 1 else cutoff  # an unseen runner-up scores below the cutoff
    return ranked[0][1] - runner_up >= CLEAR_LEAD


def _ranked_above(
    folded: str, scope: _Scope, viewer: str | None, cutoff: float, positions: npt.NDArray[np.intp] | None
) -> list[tuple[Entity, float]]:
    """Every owner ``viewer`` may see with a name scoring at least ``cutoff``, with its best score, ranked.
    ``positions``: the only names that may score that much (:mod:`bot.store.typo_bound`); None: all of them."""
    import numpy as np
    from rapidfuzz import fuzz, process

    names = scope.distinct
    scoring = names if positions is None else [names[position] for position in positions.tolist()]
    row = process.cdist([folded], scoring, scorer=fuzz.WRatio, score_cutoff=cutoff, dtype=np.float64)[0]
    hits = np.flatnonzero(row)
    at = hits if positions is None else positions[hits]
    scored: dict[Entity, float] = {}
    for position, score in zip(at.tolist(), row[hits].tolist(), strict=True):
        for owner in scope.owners_of(names[position]):
            if score > scored.get(owner, 0.0) and owner.visible_to(viewer):
                scored[owner] = score
    return sorted(scored.items(), key=lambda item: (-item[1], item[0].label, item[0].ref))


def _highest(folded: str, scope: _Scope) -> npt.NDArray[np.float64] | None:
    """The highest WRatio each name of ``scope.distinct`` may score against ``folded``; None: not bounded."""
    bound = scope.bound
    if bound is None:
        if len(scope.distinct) > BOUND_UP_TO:
            return None
        from bot.store.typo_bound import TypoBound

        bound = scope.bound = TypoBound(scope.distinct)
    return bound.highest(folded)


def _scope_keys(entity: Entity) -> list[tuple[EntityKind, str | None]]:
    keys: list[tuple[EntityKind, str | None]] = [(entity.kind, entity.deal_id)]
    if entity.kind is EntityKind.TOPIC and entity.deal_id is not None:
        keys.append((entity.kind, None))  # the cross-deal view
    return keys


def _folded(entity: Entity) -> list[str]:
    return sorted({folded for name in _keys(entity) if (folded := fold(name))})


def _sorted_rows(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rows (key, ref) in tuple order: sorted by ref, then stably by key. Two sorts of strings beat one of tuples
    about threefold: a tuple comparison that ties on a common word ("topic") goes on to a slow generic one."""
    return sorted(sorted(rows, key=_SECOND), key=_FIRST)


def _sorted_by_key(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """:func:`_sorted_rows` of rows already in ref order among those with the same key."""
    return sorted(rows, key=_FIRST)


def _share(exact: dict[str, tuple[Entity, ...]], compacts: list[str], owners: list[Entity]) -> None:
    """Give each compact name of ``exact`` with several rows (``compacts`` and ``owners`` are parallel) every
    owner of those rows, by ref."""
    counts = Counter(compacts)
    shared: dict[str, list[Entity]] = {compacted: [] for compacted, count in counts.items() if count > 1}
    for compacted, owner in compress(zip(compacts, owners, strict=True), map(shared.__contains__, compacts)):
        shared[compacted].append(owner)
    for compacted, several in shared.items():
        exact[compacted] = tuple(sorted(several, key=_ref))


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
