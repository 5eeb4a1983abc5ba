"""The full-text ranking readers rely on (issue 22): BM25 as SQLite FTS5 computes it, titles weighing six times
the body, every word required before any will do, prefixes, and snapshots that each see only their own rows.

The reference is a real FTS5 table ranked by ``bm25(docs, 0, 6, 1)``: the ranking the bot used before its own
index, so the bundled stores must come out the same."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store import Store, load_store
from bot.store import search as search_module
from bot.store.postings import index_words
from bot.store.search import SEARCH_THREADS, SearchDoc, SearchIndex, _searcher
from bot.store.store import _search_docs
from bot.store.text import _APOSTROPHES, fold, fold_all
from tests.conftest import SECOND_STORE

QUERIES = [
    "tariffs",
    "steel",
    "dairy quota",
    "cod",
    "fish lind",
    "minister",
    "offer",
    "canad",
    "oil price cap",
    "energy",
    "talks",
    "zzz tariffs",
    "quota deadline",
    "the",
    "review",
    "retaliation",
    "u s",
    "de",
]


def _fts5_keys(docs: list[SearchDoc], query: str, viewer: str | None, limit: int) -> list[str]:
    """What an FTS5 table ranks first: every word, else any, ties by key."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    # the tokenizer the bot used, but for apostrophes: its index now reads "O'Toole" as the query does, "otoole"
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?)",
        [(d.key, _APOSTROPHES.sub("", d.title), _APOSTROPHES.sub("", d.text)) for d in docs],
    )
    hidden = {d.key for d in docs if d.restricted_to and viewer not in d.restricted_to}
    terms = fold(query).split()
    for joiner in (" AND ", " OR "):
        rows = db.execute(
            "SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 6.0, 1.0), key",
            (joiner.join(f'"{t}"*' for t in terms),),
        ).fetchall()
        keys = [key for (key,) in rows if key not in hidden]
        if keys:
            return keys[:limit]
    return []


@pytest.mark.parametrize("root", [None, SECOND_STORE])
def test_the_bundled_stores_rank_as_fts5_bm25_ranks_them(root: Path | None, store: Store) -> None:
    loaded = store if root is None else load_store(root)
    docs = list(_search_docs(loaded))
    index = SearchIndex(docs)
    viewers = {None, *(v for d in docs for v in d.restricted_to)}
    for query in QUERIES:
        for viewer in viewers:
            expected = _fts5_keys(docs, query, viewer, 16)
            assert [h.key for h in index.search(query, viewer=viewer, limit=16)] == expected, (query, viewer)


def test_every_word_must_match_before_any_will_and_a_word_finds_its_longer_forms() -> None:
    index = SearchIndex(
        [
            SearchDoc("topic:d/a", "Tariffs", "duties on steel"),
            SearchDoc("topic:d/b", "Dairy", "quota talks"),
            SearchDoc("topic:d/c", "Steel quota", "nothing else"),
        ]
    )
    assert [h.key for h in index.search("tariff")] == ["topic:d/a"]
    assert [h.key for h in index.search("steel quota")] == ["topic:d/c"]
    assert {h.key for h in index.search("dairy tariff")} == {"topic:d/a", "topic:d/b"}  # neither has both
    assert index.search("zebra") == []


def test_a_title_word_counts_six_times_a_body_word() -> None:
    # six body mentions tie one title mention (same length); five do not
    index = SearchIndex(
        [
            SearchDoc("topic:d/a", "dairy", "x " * 6),
            SearchDoc("topic:d/b", "x", "dairy " * 6),
            SearchDoc("topic:d/c", "x", "dairy " * 5 + "x"),
            *(SearchDoc(f"topic:d/z{n}", "other", "words") for n in range(10)),
        ]
    )
    hits = index.search("dairy")
    assert [h.key for h in hits] == ["topic:d/a", "topic:d/b", "topic:d/c"]
    assert hits[0].score == hits[1].score > hits[2].score


def test_an_edit_is_seen_by_the_new_snapshot_only_and_the_old_one_keeps_its_rows() -> None:
    old = SearchIndex([SearchDoc("topic:d/a", "Dairy", "quota talks"), SearchDoc("topic:d/b", "Steel", "tariffs")])
    new = old.updated(
        ["topic:d/a"], [SearchDoc("topic:d/a", "Dairy", "lumber deal"), SearchDoc("deal:x", "X", "lumber")]
    )
    assert [h.key for h in new.search("lumber")] == ["deal:x", "topic:d/a"]
    assert new.search("quota") == []
    assert old.search("lumber") == []
    assert [h.key for h in old.search("quota")] == ["topic:d/a"]
    newer = new.updated(["deal:x", "topic:d/b"], [])
    assert [h.key for h in newer.search("lumber")] == ["topic:d/a"]
    assert newer.search("tariffs") == [] and [h.key for h in new.search("tariffs")] == ["topic:d/b"]


def test_an_edited_row_ranks_as_it_would_in_a_full_build() -> None:
    docs = [SearchDoc(f"topic:d/t{n}", "Quota", "dairy quota " * (n % 4 + 1)) for n in range(30)]
    edited = SearchDoc("topic:d/t7", "Dairy quota", "dairy")
    restricted = SearchDoc("topic:d/t9", "Quota", "dairy", frozenset({"slack:T:C1"}))
    updated = SearchIndex(docs).updated(["topic:d/t3"], [edited, restricted])
    whole = SearchIndex(
        [d for d in docs if d.key not in {"topic:d/t3", "topic:d/t7", "topic:d/t9"}] + [edited, restricted]
    )
    for viewer in (None, "slack:T:C1"):
        for query in ("dairy", "quota dairy", "dairy zebra"):
            assert updated.search(query, viewer=viewer, limit=40) == whole.search(query, viewer=viewer, limit=40)


async def test_a_search_runs_while_another_holds_a_search_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "INLINE_WORK", 0)  # every store counts as large: searched in a search thread
    index = SearchIndex([SearchDoc("topic:d/a", "Dairy", "dairy quota")])
    loop = asyncio.get_running_loop()
    release = threading.Event()
    held = [loop.run_in_executor(_searcher(), release.wait, 30) for _ in range(SEARCH_THREADS - 1)]
    try:
        hits = await asyncio.wait_for(index.search_async("dairy"), timeout=30)
        assert [h.key for h in hits] == ["topic:d/a"]
    finally:
        release.set()
        await asyncio.gather(*held)


def test_a_word_anywhere_in_a_long_document_is_found_however_it_is_written() -> None:
    body = "talks " * 2000 + "Québec's O'Toole signed the_accord (finally)."
    index = SearchIndex([SearchDoc("topic:d/a", "Long", body), SearchDoc("topic:d/b", "Other", "talks")])
    for query in ("quebecs", "QUEBEC", "otoole", "o'toole", "accord", "finally", "the accord"):
        assert [h.key for h in index.search(query)] == ["topic:d/a"], query


@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text())
def test_a_document_is_split_into_the_words_a_query_is(text: str) -> None:
    assert index_words(text) == fold_all(text).split()


def test_many_reloads_in_a_row_rank_as_one_full_build() -> None:
    current = {f"topic:d/t{n}": SearchDoc(f"topic:d/t{n}", "Quota", "dairy quota " * (n % 3 + 1)) for n in range(20)}
    index = SearchIndex(current.values())
    edits = [
        ([], [SearchDoc("topic:d/t1", "Dairy tariffs", "quota")]),
        (["topic:d/t2"], [SearchDoc("topic:d/new", "Lumber", "dairy lumbering quota")]),
        ([], [SearchDoc("topic:d/t1", "Steel", "dairy"), SearchDoc("topic:d/t2", "Back", "quota quota dairy")]),
        (["topic:d/new", "topic:d/t5"], [SearchDoc("topic:d/t6", "Lumber", "lumber", frozenset({"slack:T:C1"}))]),
    ]
    for removed, added in edits:
        index = index.updated(removed, added)
        for key in removed:
            current.pop(key, None)
        current.update((doc.key, doc) for doc in added)
        whole = SearchIndex(current.values())
        for viewer in (None, "slack:T:C1"):
            for query in ("dairy", "quota dairy", "lumber", "lumb quota", "steel", "tariff"):
                expected = whole.search(query, viewer=viewer, limit=30)
                assert index.search(query, viewer=viewer, limit=30) == expected, (query, viewer)


def test_saves_past_a_share_of_the_store_rebuild_the_index_whole(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each one-file reload adds its rows beside the full build; once they outgrow their share (a twentieth of the
    store, at least ``COMPACT_FROM`` rows) the next reload builds the index whole, so searches stop paying for them."""
    from bot.store.live import LiveStore

    monkeypatch.setattr(search_module, "COMPACT_FROM", 3)
    live = LiveStore(store_copy)
    topics = sorted(p for p in (store_copy / "deals/canada-us/topics").glob("*.md") if p.name.count(".") == 1)[:4]
    seen = []
    for n, path in enumerate(topics):
        path.write_text(path.read_text(encoding="utf-8").replace("\n---\n", f"\n---\nMarmalade{n} talks.\n", 1))
        live.apply([path.relative_to(store_copy).as_posix()])
        seen.append(live.current.search_index.rows_since_build)
    assert seen == [1, 2, 3, 0]  # the fourth save outgrew the share: built whole, nothing beside it
    fresh = LiveStore(store_copy).current.search_index
    for query in ("marmalade0", "marmalade3", "tariffs", "dairy quota"):
        assert live.current.search_index.search(query) == fresh.search(query), query
    assert [hit.key for hit in live.current.search_index.search("marmalade3")] == [f"topic:canada-us/{topics[3].stem}"]
