"""Names claimed across files settle as they always did: the claims folded in one pass and taken primaries first give
the problems the row-by-row resolution (each key compacted alone, claims sorted by primary, then order) gave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.checks.base import Names
from bot.store.documents import Document, Kind, Placement
from bot.store.model import Person
from bot.store.problems import Problem
from bot.store.text import compact
from bot.store.yamlsafe import Loc, read_document

KEYS = ["Ada Lind", "ada-lind", "ADA  LIND", "lind", "Lind!", "", "...", "Ødegård", "odegard", "O'Toole", "otoole"]
OWNERS = ["p1", "p2", "p3"]


def _doc(owner: str) -> Document:
    raw = read_document(b"---\nname: X\naliases: [a, b, c]\n---\n", markdown=True)
    fields = {"name": "X", "role": "r", "affiliation": "a", "updated": "2025-05-01", "sources": ["wire"]}
    model = Person.model_validate(fields)
    return Document(f"people/{owner}.md", Placement(Kind.PERSON, owner, None), model, "", raw)


DOCS = {owner: _doc(owner) for owner in OWNERS}


def _resolved_row_by_row(claims: list[tuple[bool, str, str, Loc]]) -> list[Problem]:
    """The resolution as it was before the one-pass fold: a sort of every claim, a compact() each."""
    out: list[Problem] = []
    owners: dict[str, tuple[Document, Loc, str, bool]] = {}
    pending = [(primary, i, key, DOCS[owner], loc, owner) for i, (primary, key, owner, loc) in enumerate(claims)]
    for primary, _, key, doc, loc, owner in sorted(pending, key=lambda c: (not c[0], c[1])):
        folded = compact(key)
        if not folded:
            continue
        first = owners.get(folded)
        if first is None:
            owners[folded] = (doc, loc, owner, primary)
        elif first[2] != owner:
            what = "name" if primary else "alias"
            taken = "the id or name of" if first[3] else "already an alias of"
            message = f"person {what} '{key}' is {taken} {first[0].at(first[1])}"
            out.append(Problem(doc.path, doc.line_of(*loc), message))
    return out


claim = st.tuples(
    st.booleans(),
    st.sampled_from(KEYS) | st.text(max_size=6),
    st.sampled_from(OWNERS),
    st.sampled_from([(), ("name",), ("aliases", 0), ("aliases", 2)]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(claim, max_size=12))
def test_claims_resolve_to_the_problems_row_by_row_resolution_gives(claims: list[tuple[bool, str, str, Loc]]) -> None:
    names = Names("person")
    for primary, key, owner, loc in claims:
        names.claim(key, DOCS[owner], loc, owner, primary=primary)
    found: list[Problem] = []
    names.resolve(found)
    assert found == _resolved_row_by_row(claims)
