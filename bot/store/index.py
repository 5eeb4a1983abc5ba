"""The lookup index, built once per load: exact ids and aliases, then prefixes, then fuzzy matches.

Topics are scoped to their deal (every deal has its own ``tariffs``); people and deals to the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

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


@dataclass(slots=True)
class _Scope:
    exact: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    choices: list[str] = field(default_factory=list)  # folded names, for prefix and fuzzy matching
    owners: list[Entity] = field(default_factory=list)  # parallel to choices
    entities: list[Entity] = field(default_factory=list)


class Index:
    """Immutable once built; a reload builds a new one."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._scopes: dict[tuple[EntityKind, str | None], _Scope] = defaultdict(_Scope)
        self._by_id: dict[tuple[EntityKind, str | None, str], Entity] = {}
        for entity in entities:
            self._by_id[(entity.kind, entity.deal_id, entity.id)] = entity
            scopes = [self._scopes[(entity.kind, entity.deal_id)]]
            if entity.kind is EntityKind.TOPIC:
                scopes.append(self._scopes[(entity.kind, None)])  # the cross-deal view
            folded_names = [folded for name in _keys(entity) if (folded := fold(name))]
            for scope in scopes:
                scope.entities.append(entity)
                for folded in folded_names:
                    bucket = scope.exact[folded.replace(" ", "")]
                    if entity not in bucket:
                        bucket.append(entity)
                    scope.choices.append(folded)
                    scope.owners.append(entity)

    def get(self, kind: EntityKind, entity_id: str, deal_id: str | None = None) -> Entity | None:
        return self._by_id.get((kind, deal_id, entity_id))

    def visible(self, kind: EntityKind, entity_id: str, deal_id: str | None, viewer: str | None) -> bool:
        entity = self._by_id.get((kind, deal_id, entity_id))
        return entity is not None and entity.visible_to(viewer)

    def entities(self, kind: EntityKind, deal_id: str | None = None, viewer: str | None = None) -> list[Entity]:
        scope = self._scopes.get((kind, deal_id))
        return [e for e in scope.entities if e.visible_to(viewer)] if scope else []

    def lookup(self, kind: EntityKind, query: str, *, deal_id: str | None = None, viewer: str | None = None) -> Lookup:
        scope = self._scopes.get((kind, deal_id)) or _Scope()
        folded = fold(query)
        if not folded:
            return Lookup(Outcome.EMPTY, query)
        visible = [e for e in scope.entities if e.visible_to(viewer)]

        exact = [e for e in scope.exact.get(compact(query), ()) if e.visible_to(viewer)]
        if exact:
            return _decide(query, exact)

        if len(folded) >= 2:
            prefixed = _distinct(
                owner
                for choice, owner in zip(scope.choices, scope.owners, strict=True)
                if owner.visible_to(viewer) and any(word.startswith(folded) for word in (choice, *choice.split()))
            )
            if prefixed:
                return _decide(query, prefixed)

        # rapidfuzz only now: a name found exactly or by prefix (the usual case) never needs it, and a one-shot
        # `briefbot ask` would otherwise pay for importing it
        from rapidfuzz import fuzz, process

        scored: dict[Entity, float] = {}
        for _choice, score, position in process.extract(
            folded, scope.choices, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, limit=None
        ):
            owner = scope.owners[position]
            if owner.visible_to(viewer) and score > scored.get(owner, 0.0):
                scored[owner] = score
        if not scored:
            return Lookup(Outcome.NOT_FOUND, query, known=tuple(sorted(visible, key=lambda e: e.label)))
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0].label))
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
        visible = [e for e in scope.entities if e.visible_to(viewer)]
        if not folded:
            return sorted(visible, key=lambda e: e.label)[:limit]
        first = _distinct(
            owner
            for choice, owner in zip(scope.choices, scope.owners, strict=True)
            if owner.visible_to(viewer) and any(w.startswith(folded) for w in (choice, *choice.split()))
        )
        from rapidfuzz import fuzz, process  # lazily: see lookup

        rest = [
            scope.owners[position]
            for _c, _s, position in process.extract(
                folded, scope.choices, scorer=fuzz.WRatio, score_cutoff=60, limit=limit * 3
            )
        ]
        return _distinct([*first, *(e for e in rest if e.visible_to(viewer))])[:limit]


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
