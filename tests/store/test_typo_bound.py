"""A typo lookup scores only the names whose bound (from the characters they share with the query) reaches its
cutoff: no name that scores at least the cutoff may be left out, whatever the names and the query."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.store import index as index_module
from bot.store.index import Entity, EntityKind, Index
from bot.store.text import fold
from bot.store.typo_bound import TypoBound

# short words that share letters, a digit, letters outside ASCII and one word of many letters
WORDS = ["tariff", "tarif", "steel", "steal", "dairy", "daily", "ada", "adam", "a", "42", "ærø", "zoë", "ß", "x" * 40]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
names = st.lists(texts.map(fold).filter(bool), min_size=1, max_size=30, unique=True).map(sorted)
queries = st.one_of(texts, st.text(min_size=1, max_size=30)).map(fold).filter(bool)


@settings(max_examples=400, deadline=None)
@given(names=names, query=queries, cutoff=st.floats(60, 100))
def test_every_name_scoring_the_cutoff_is_a_candidate(names: list[str], query: str, cutoff: float) -> None:
    candidates = TypoBound(names).candidates(query, cutoff)
    kept = range(len(names)) if candidates is None else candidates.tolist()
    scoring = {i for i, name in enumerate(names) if fuzz.WRatio(query, name, score_cutoff=cutoff)}
    assert scoring <= set(kept)
    assert list(kept) == sorted(kept)


def test_names_far_from_the_query_are_left_out() -> None:
    names = sorted(fold(f"Person {i} Example") for i in range(100))
    candidates = TypoBound(names).candidates(fold("persn 42 exmple"), 87.0)
    assert candidates is not None and names.index("person 42 example") in candidates.tolist()
    assert len(candidates) < len(names) // 2


@pytest.fixture
def people() -> Index:
    """Enough people for a typo lookup to probe and bound (hundreds of names), some sharing words and surnames."""
    surnames = ["Lind", "Lindqvist", "Okafor", "O'Toole", "Zoë", "Example"]
    people = [
        Entity(
            EntityKind.PERSON,
            f"p{i}",
            None,
            name,
            (f"p{i}", name, f"p{i}x"),
            frozenset({"nl"}) if i % 7 else frozenset(),
        )
        for i in range(300)
        for name in [f"Person {i} {surnames[i % len(surnames)]}"]
    ]
    return Index(people)


@pytest.mark.parametrize(
    "query", ["persn 42 exmple", "lindqvst", "okafr 17", "person 2 zoe", "p4x2", "tooel", "lind lind", "q", "zz 99"]
)
@pytest.mark.parametrize("viewer", [None, "nl"])
def test_a_bounded_typo_lookup_answers_as_scoring_every_name(
    people: Index, query: str, viewer: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounded = people.lookup(EntityKind.PERSON, query, viewer=viewer)
    monkeypatch.setattr(index_module, "PRUNE_FROM", 10**9)  # no probe, no bound: every name scored
    assert bounded == people.lookup(EntityKind.PERSON, query, viewer=viewer)
