"""A one-file reload re-checks and re-indexes only what the file can affect: over random edits, saves, breaks and
deletions, the live store after each ``apply`` is the store a full build of the same files gives."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store import incremental
from bot.store.index import EntityKind
from bot.store.live import LiveStore
from bot.store.store import Store

PEOPLE = ["p1", "p2", "p3"]
DEALS = ["d1", "d2"]
TOPICS = ["t1", "t2", "t3"]
NAMES = ["Ada Lind", "Bo Berg", "Fish quotas", "Cod", "Accord"]
WORDS = ["lind", "cod", "berg", "fish", "accord", "d1", "t2", "p1"]
VIEWERS = [None, "slack:T1:C1"]
RESTRICTED = ["", "restricted_to: [slack:T1:C1]\n"]
CONTACTS = ["", "contact: slack:T1:@U1\n"]  # an owner's direct messages go to their contact
OWNERS = ["", "owner: p1\n", "owner: p9\n", "owner: slack:T1:@U2\n"]  # checked against the people's contacts
sub = st.lists(st.sampled_from(WORDS), max_size=2, unique=True)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


@st.composite
def person_text(draw: st.DrawFn) -> str:
    refs = draw(st.lists(st.sampled_from([f"{d}/{t}" for d in DEALS for t in TOPICS]), max_size=2, unique=True))
    quote_deal = draw(st.sampled_from(["", "    deal: d2\n"]))
    return (
        f"---\nname: {draw(st.sampled_from(NAMES))}\naliases: {_list(draw(sub))}\nrole: Minister\naffiliation: Gov\n"
        f"party: {draw(st.sampled_from(['nl', 'sl', 'xx']))}\n"
        f"deals: {_list(draw(st.lists(st.sampled_from([*DEALS, 'd9']), max_size=2, unique=True)))}\n"
        f"topics: {_list(refs)}\nquotes:\n  - text: We will see.\n    date: 2025-04-01\n    source: wire\n{quote_deal}"
        f"updated: 2025-05-01\n{draw(st.sampled_from(RESTRICTED))}{draw(st.sampled_from(CONTACTS))}---\n"
        f"{draw(st.sampled_from(['Leads the talks.', 'Speaks on cod.']))}\n"
    )


@st.composite
def deal_text(draw: st.DrawFn) -> str:
    tracks = draw(st.lists(st.sampled_from(["quotas", "tariffs"]), min_size=1, max_size=2, unique=True))
    milestones = "    milestones:\n      - id: m1\n        title: First\n        status: done\n"
    return (
        f"title: {draw(st.sampled_from(NAMES))}\naliases: {_list(draw(sub))}\nparties:\n  - id: nl\n    name: N\n"
        f"  - id: {draw(st.sampled_from(['sl', 'xx']))}\n    name: S\nsummary: Fishing rights and cod.\n"
        + "tracks:\n"
        + "".join(f"  - id: {t}\n    title: {t.title()}\n{milestones}" for t in tracks)
        + "updated: 2025-05-01\n"
        f"{draw(st.sampled_from(RESTRICTED))}"
    )


@st.composite
def topic_text(draw: st.DrawFn) -> str:
    people = draw(st.lists(st.sampled_from([*PEOPLE, "p9"]), max_size=2, unique=True))
    return (
        f"---\ntitle: {draw(st.sampled_from(NAMES))}\naliases: {_list(draw(sub))}\n"
        f"track: {draw(st.sampled_from(['quotas', 'tariffs']))}\nstatus: in_talks\nsummary: How much cod.\n"
        f"positions:\n  {draw(st.sampled_from(['nl', 'sl']))}: More fish.\npeople: {_list(people)}\nsources: [wire]\n"
        f"updated: 2025-05-01\n{draw(st.sampled_from(RESTRICTED))}{draw(st.sampled_from(OWNERS))}---\n"
        f"{draw(st.sampled_from(['Body.', 'Cod and lind.']))}\n"
    )


@st.composite
def events_text(draw: st.DrawFn) -> str:
    topics = draw(st.lists(st.sampled_from([*TOPICS, "t9"]), max_size=2, unique=True))
    people = draw(st.lists(st.sampled_from([*PEOPLE, "p9"]), max_size=2, unique=True))
    milestone = draw(st.sampled_from(["quotas/m1", "tariffs/m1"]))
    return (
        "updated: 2025-05-01\nevents:\n  - id: e1\n    date: 2025-04-30\n    title: An offer on cod\n"
        f"    topics: {_list(topics)}\n    people: {_list(people)}\n    milestones: [{milestone}]\n    source: wire\n"
    )


SOURCES = ["sources:\n  - id: wire\n    outlet: W\n    title: T\n    date: 2025-05-01\n"]
SOURCES.append(SOURCES[0].replace("wire", "other"))


@st.composite
def edit(draw: st.DrawFn) -> tuple[str, str | None]:
    """A path and its new text (None: delete it)."""
    deal = draw(st.sampled_from(DEALS))
    path, text = draw(
        st.sampled_from(
            [
                (f"people/{draw(st.sampled_from(PEOPLE))}.md", person_text()),
                (f"deals/{deal}/deal.yaml", deal_text()),
                (f"deals/{deal}/deal.yml", deal_text()),
                (f"deals/{deal}/topics/{draw(st.sampled_from(TOPICS))}.md", topic_text()),
                (f"deals/{deal}/events.yaml", events_text()),
                ("sources.yaml", st.sampled_from(SOURCES)),
            ]
        )
    )
    kind = draw(st.sampled_from(["write", "write", "write", "delete", "break"]))
    if kind == "delete":
        return path, None
    if kind == "break":
        return path, "---\ntitle: [unclosed\n---\n" if path.endswith(".md") else "title: [unclosed\n"
    return path, draw(text)


def fingerprint(store: Store) -> dict[str, Any]:
    """Everything a reader of the store can see, in order."""
    index, search = store.index, store.search_index
    seen: dict[str, Any] = {
        "documents": sorted((p, id(d)) for p, d in store.documents.items()),
        "problems": store.problems,
        "sources": store.sources,
        "people": [(k, id(v.doc)) for k, v in store.people.items()],
        "deals": [
            (k, id(d.doc), [(t, id(e.doc)) for t, e in d.topics.items()], d.events, id(d.events_doc))
            for k, d in store.deals.items()
        ],
        "person_topics": sorted(store._person_topics.items()),
        "topic_people": sorted((f"{d}/{t}", p) for d, by in store._topic_people.items() for t, p in by.items()),
        "people_of_deal": {d: [p.id for p in store.people_of_deal(d)] for d in store.deals},
        "events_of_person": {p: store.events_of_person(p) for p in [*PEOPLE, "p9"]},
    }
    scopes: list[tuple[EntityKind, str | None]] = [(EntityKind.PERSON, None), (EntityKind.DEAL, None)]
    scopes.append((EntityKind.TOPIC, None))
    scopes += [(EntityKind.TOPIC, d) for d in DEALS]
    for viewer in VIEWERS:
        for kind, deal in scopes:
            seen[f"entities {kind} {deal} {viewer}"] = index.entities(kind, deal, viewer)
            for query in [*WORDS, "lnd", "acord", "fsh qotas", "bo", "zzz", "d"]:
                key = f"{kind} {deal} {query} {viewer}"
                seen[f"lookup {key}"] = index.lookup(kind, query, deal_id=deal, viewer=viewer)
                seen[f"suggest {key}"] = index.suggest(kind, query, deal_id=deal, viewer=viewer)
        for query in ["cod", "fish lind", "offer", "minister", "accord"]:
            seen[f"search {query} {viewer}"] = search.search(query, viewer=viewer)
    return seen


def _write(root: Path, path: str, text: str | None) -> None:
    target = root / path
    if text is None:
        target.unlink(missing_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(edit(), min_size=3, max_size=12), edits=st.lists(edit(), min_size=1, max_size=8))
def test_one_file_reloads_give_the_store_a_full_build_gives(
    start: list[tuple[str, str | None]], edits: list[tuple[str, str | None]]
) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        _write(root, "sources.yaml", SOURCES[0])
        for path, text in start:
            _write(root, path, text)
        live = LiveStore(root)
        for path, text in edits:
            _write(root, path, text)
            live.apply([path])
            assert live._built is not None
            whole = incremental.full(root, live._docs.values(), live._built.refused_problems)
            assert fingerprint(live.current) == fingerprint(whole.store)
            assert live._built.checked == whole.checked
            assert live._built.known == whole.known
    finally:
        shutil.rmtree(root)


_TOPIC_COD = (
    "---\ntitle: Cod\naliases: []\ntrack: quotas\nstatus: in_talks\nsummary: How much cod.\npositions:\n"
    "  nl: More fish.\npeople: []\nsources: [wire]\nupdated: 2025-05-01\n{owner}---\nBody.\n"
)
_PERSON_ADA = (
    "---\nname: Ada Lind\naliases: []\nrole: Minister\naffiliation: Gov\nupdated: 2025-05-01\n---\nLeads the talks.\n"
)


def test_saving_an_owner_keeps_a_name_clash_among_the_topics_they_own_in_a_deal_with_no_deal_file() -> None:
    """Saving a person re-checks what they own; a re-checked topic's name is settled against every topic of its
    deal, found even when the deal has no deal file (and so no topics in the store's links)."""
    root = Path(tempfile.mkdtemp())
    try:
        _write(root, "sources.yaml", SOURCES[0])
        _write(root, "people/p1.md", _PERSON_ADA)
        _write(root, "deals/d2/topics/t1.md", _TOPIC_COD.format(owner=""))
        _write(root, "deals/d2/topics/t2.md", _TOPIC_COD.format(owner="owner: p1\n"))
        live = LiveStore(root)
        clash = [p for p in live.current.problems if "topic name 'Cod'" in p.message]
        assert clash
        live.apply(["people/p1.md"])
        assert [p for p in live.current.problems if "topic name 'Cod'" in p.message] == clash
    finally:
        shutil.rmtree(root)
