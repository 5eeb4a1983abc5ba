"""A typo lookup guesses a score cutoff from a cheap first pass, then scores the names above it: it must answer
exactly as scoring every name at the fuzzy cutoff does (same outcome, entity and candidates, in order)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.store import Store
from bot.store import index as index_module
from bot.store.index import CLEAR_LEAD, FUZZY_CUTOFF, MAX_CANDIDATES, Entity, EntityKind, Index, Lookup, Outcome
from bot.store.text import compact, fold


def reference(index: Index, kind: EntityKind, query: str, deal_id: str | None, viewer: str | None) -> Lookup:
    """The lookup as it was: exact, prefix, then WRatio on every name of the scope."""
    scope = index._scopes.get((kind, deal_id)) or index_module._Scope()
    folded = fold(query)
    if not folded:
        return Lookup(Outcome.EMPTY, query)
    exact = [e for e in scope.exact.get(compact(query), ()) if e.visible_to(viewer)]
    if exact:
        return index_module._decide(query, exact)
    if len(folded) >= 2:
        prefixed = [e for e in scope.prefixed(folded) if e.visible_to(viewer)]
        if prefixed:
            return index_module._decide(query, prefixed)
    scored: dict[Entity, float] = {}
    row = process.cdist([folded], scope.names, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)[0]
    for score, owner in zip(row.tolist(), scope.owners, strict=True):
        if score and owner.visible_to(viewer) and score > scored.get(owner, 0.0):
            scored[owner] = score
    if not scored:
        visible = [e for e in scope.entities() if e.visible_to(viewer)]
        return Lookup(Outcome.NOT_FOUND, query, known=tuple(sorted(visible, key=lambda e: (e.label, e.ref))))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0].label, item[0].ref))
    if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= CLEAR_LEAD:
        return Lookup(Outcome.FOUND, query, entity=ranked[0][0], fuzzy=True)
    return Lookup(Outcome.AMBIGUOUS, query, candidates=tuple(e for e, _ in ranked[:MAX_CANDIDATES]), fuzzy=True)


def reference_suggest(index: Index, kind: EntityKind, prefix: str, viewer: str | None, limit: int = 25) -> list[Entity]:
    """Completions as they were: prefixes, then the 75 best-scoring rows of the scope (every name of every owner)."""
    scope = index._scopes.get((kind, None))
    if scope is None:
        return []
    folded = fold(prefix)
    if not folded:
        return index.suggest(kind, prefix, viewer=viewer, limit=limit)
    first = [e for e in scope.prefixed(folded) if e.visible_to(viewer)]
    found = process.extract(folded, scope.names, scorer=fuzz.WRatio, score_cutoff=60, limit=limit * 3)
    rest = [scope.owners[position] for _c, _s, position in found]
    return list(dict.fromkeys([*first, *(e for e in rest if e.visible_to(viewer))]))[:limit]


def typos(word: str, alphabet: str) -> Iterator[str]:
    """Single-edit typos of ``word``: every deletion and transposition, and at every position a substitution and
    an insertion (of the alphabet's letters in turn: every letter at every position would take minutes)."""
    for i in range(len(word)):
        c = alphabet[i % len(alphabet)]
        yield word[:i] + word[i + 1 :]
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        yield word[:i] + (c if c != word[i] else alphabet[(i + 1) % len(alphabet)]) + word[i + 1 :]
        yield word[:i] + c + word[i:]
    yield word + alphabet[len(word) % len(alphabet)]


ALPHABET = "eatoinsr 1hl"  # the commonest letters, a space and a digit: substitutions and insertions


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Prune even the small scopes of the test stores, with a probe small enough to guess wrong now and then."""
    monkeypatch.setattr(index_module, "PRUNE_FROM", 0)
    monkeypatch.setattr(index_module, "PROBE", 3)


def scopes(store: Store) -> list[tuple[EntityKind, str | None]]:
    return [(EntityKind.PERSON, None), (EntityKind.DEAL, None), (EntityKind.TOPIC, None)] + [
        (EntityKind.TOPIC, d) for d in store.deals
    ]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["store", "second_store"])
@pytest.mark.usefixtures("eager")
def test_every_single_edit_typo_of_every_name_answers_as_the_full_scan(
    which: str, request: pytest.FixtureRequest
) -> None:
    store: Store = request.getfixturevalue(which)
    index = store.index
    viewers = [None, *sorted({t for e in index.all() for t in e.restricted_to})]
    checked = pruned = 0
    for kind, deal_id in scopes(store):
        scope = index._scopes.get((kind, deal_id))
        if scope is None:
            continue
        for name in sorted(set(scope.names)):
            for query in dict.fromkeys(typos(name, ALPHABET)):
                for viewer in viewers:
                    got = index.lookup(kind, query, deal_id=deal_id, viewer=viewer)
                    assert got == reference(index, kind, query, deal_id, viewer), (kind, deal_id, query, viewer)
                    checked += 1
                    pruned += got.fuzzy
    assert pruned > 1000 and checked > pruned  # the fuzzy path ran, and often


WORDS = ["trade", "tariff", "steel", "steal", "dairy", "daily", "quota", "quotas", "lind", "linde", "ada", "adam"]


@st.composite
def entities(draw: st.DrawFn) -> list[Entity]:
    """People with names from a few near-identical words, some restricted: many near-ties to break right."""
    count = draw(st.integers(1, 60))
    out = []
    for i in range(count):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        name = " ".join(words)
        aliases = tuple(draw(st.lists(st.sampled_from(WORDS), max_size=2)))
        restricted = frozenset(draw(st.lists(st.sampled_from(["nl", "eu"]), max_size=1)))
        out.append(Entity(EntityKind.PERSON, f"p{i}", None, name, (f"p{i}", name, *aliases), restricted, f"{i:03}"))
    return out


@st.composite
def typo_of(draw: st.DrawFn, names: list[str]) -> str:
    word = draw(st.sampled_from(names))
    choices = list(typos(word, "".join(draw(st.permutations("aeilrst ")))))
    return draw(st.sampled_from(choices)) if choices else word


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), people=entities(), probe=st.integers(1, 12))
def test_random_names_and_typos_answer_as_the_full_scan(data: st.DataObject, people: list[Entity], probe: int) -> None:
    index = Index(people)
    names = [n for e in people for n in e.names]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "PRUNE_FROM", 0)
        patch.setattr(index_module, "PROBE", probe)
        for _ in range(5):
            query = data.draw(typo_of(names))
            viewer = data.draw(st.sampled_from([None, "nl", "eu"]))
            got = index.lookup(EntityKind.PERSON, query, viewer=viewer)
            assert got == reference(index, EntityKind.PERSON, query, None, viewer)
            for limit in (2, 25):
                completions = index.suggest(EntityKind.PERSON, query, viewer=viewer, limit=limit)
                assert completions == reference_suggest(index, EntityKind.PERSON, query, viewer, limit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), people=entities())
def test_an_index_updated_entity_by_entity_has_the_tables_of_one_built_at_once(
    data: st.DataObject, people: list[Entity]
) -> None:
    """Names shared by several people included: the table of distinct names loses a name with its last owner."""
    kept = data.draw(st.lists(st.sampled_from(people), unique=True))
    start = Index(kept)
    removed = data.draw(st.lists(st.sampled_from(kept), unique=True)) if kept else []
    added = [e for e in people if e not in kept]
    now = [e for e in kept if e not in removed] + added
    assert start.updated(removed, added)._scopes == Index(now)._scopes
