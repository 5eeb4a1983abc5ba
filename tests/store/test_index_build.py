"""An index is built table by table in bulk (and the cross-deal topic tables merged from each deal's): every table
must be exactly what adding the entities one at a time gives, for any mix of people, deals and topics."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store.index import Entity, EntityKind, Index

# names that fold alike, compact alike, fold to nothing, are not ASCII, share words, or share a surname
NAMES = [
    "Tariffs",
    "tariffs",
    "Cusma review",
    "cusma-review",
    "cusmareview",
    "--",
    "",
    "Zoë Lind",
    "zoe lind",
    "O'Toole",
    "Ada Lind",
    "dairy quota",
    "quota",
    "Ærø",
    "x\x00y",
    "steel " * 30,
]
# deal ids that are prefixes of each other, and one with a slash: one deal's refs can fall among another's ("d/z"
# after "d/x/t"), which the merged cross-deal tables must notice
DEALS = ["d", "d-1", "d-10", "d/x", "dé", "d 2"]
TOPICS = ["tariffs", "t", "t-1", "dairy", "z"]


@st.composite
def entities(draw: st.DrawFn) -> list[Entity]:
    names = st.lists(st.sampled_from(NAMES), max_size=3).map(tuple)
    targets = st.frozensets(st.sampled_from(["nl", "eu"]), max_size=1)
    order = st.sampled_from(["", "a", "b/c"])  # ties in store order too
    out: list[Entity] = []
    for deal in draw(st.lists(st.sampled_from(DEALS), unique=True, max_size=4)):
        title = draw(st.sampled_from(NAMES))
        out.append(Entity(EntityKind.DEAL, deal, None, title, (deal, title, *draw(names)), draw(targets), draw(order)))
        for topic in draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=4)):
            title = draw(st.sampled_from(NAMES))
            called = (topic, title, *draw(names))
            out.append(Entity(EntityKind.TOPIC, topic, deal, title, called, draw(targets), draw(order)))
    for i in range(draw(st.integers(0, 2))):  # a topic with no deal: only in the cross-deal view
        out.append(Entity(EntityKind.TOPIC, f"loose-{i}", None, "Loose", (f"loose-{i}", *draw(names)), frozenset()))
    for i in range(draw(st.integers(0, 5))):
        name = draw(st.sampled_from(NAMES))
        out.append(Entity(EntityKind.PERSON, f"p{i}", None, name, (f"p{i}", name, *draw(names)), draw(targets)))
    return draw(st.permutations(out))  # any order in, the same tables out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people_deals_topics=entities())
def test_an_index_built_at_once_has_the_tables_of_one_built_entity_by_entity(
    people_deals_topics: list[Entity],
) -> None:
    at_once = Index(people_deals_topics)
    one_by_one = Index().updated([], people_deals_topics)
    assert at_once._scopes == one_by_one._scopes
    assert at_once.all() == people_deals_topics
    for kind in EntityKind:
        for deal in (None, *DEALS):
            for query in ("tarifs", "cusma", "lind", "zoe", "quota"):
                assert at_once.lookup(kind, query, deal_id=deal) == one_by_one.lookup(kind, query, deal_id=deal)


def test_the_cross_deal_topics_are_every_deals_topics_in_order() -> None:
    topics = [
        Entity(EntityKind.TOPIC, "tariffs", deal, "Tariffs", ("tariffs", "Tariffs"), frozenset(), f"{deal}/tariffs")
        for deal in ("d-10", "d", "d-1")
    ]
    index = Index(topics)
    assert [e.ref for e in index.entities(EntityKind.TOPIC)] == ["d-1/tariffs", "d-10/tariffs", "d/tariffs"]
    assert [e.ref for e in index.named(EntityKind.TOPIC, "TARIFFS")] == ["d-1/tariffs", "d-10/tariffs", "d/tariffs"]
    assert index.lookup(EntityKind.TOPIC, "tariffs", deal_id="d").entity == topics[1]
