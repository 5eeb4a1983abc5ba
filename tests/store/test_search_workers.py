"""A large store's full-text index is tokenised in worker processes (issue 22): the same ranking, word for word
and score for score, as an index built in this process, and no worker left behind, even when one dies."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.store import Store, load_store, pool
from bot.store import search as search_module
from bot.store.live import LiveStore
from bot.store.postings import chunked, tokenise
from bot.store.search import TITLE_WEIGHT, SearchDoc, SearchIndex
from bot.store.store import _search_docs
from tests.conftest import SECOND_STORE
from tests.store.test_pool_load import _children
from tests.store.test_search_ranking import QUERIES


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task per few rows, so even a bundled store is several tasks per worker."""
    monkeypatch.setattr("bot.store.postings.CHUNK_CHARS", 2_000)


def _answers(index: SearchIndex, docs: list[SearchDoc]) -> list[list[tuple[str, float]]]:
    viewers = [None, *sorted({v for d in docs for v in d.restricted_to})]
    return [
        [(hit.key, hit.score) for hit in index.search(query, viewer=viewer, limit=25)]
        for query in QUERIES
        for viewer in viewers
    ]


@pytest.mark.parametrize("root", [None, SECOND_STORE])
def test_an_index_tokenised_by_workers_ranks_as_one_built_here(
    root: Path | None, store: Store, small_chunks: None
) -> None:
    loaded = store if root is None else load_store(root)
    docs = list(_search_docs(loaded))
    before = _children()
    pooled = SearchIndex(docs, workers=2)
    assert _children() == before  # the workers are gone once the index is built
    here = SearchIndex(docs)
    assert _answers(pooled, docs) == _answers(here, docs)
    assert any(hits for hits in _answers(pooled, docs))


def test_a_worker_that_dies_leaves_its_rows_to_this_process(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pool, "AHEAD", 1)  # the build outlives its workers
    docs = [(d.key, d.title, d.text) for d in _search_docs(store)]
    chunks = list(chunked(iter(docs)))
    assert len(chunks) > 4
    before = _children()
    results = pool.tokenised(iter(chunks), TITLE_WEIGHT, workers=2)
    first = next(results)
    for pid in _children() - before:
        os.kill(pid, 9)
    with caplog.at_level(logging.WARNING):
        rest = list(results)
    for (chunk, got), expected_chunk in zip([first, *rest], chunks, strict=True):
        assert chunk == expected_chunk
        want = tokenise(chunk, TITLE_WEIGHT)
        assert got.words == want.words
        assert got.ids.tolist() == want.ids.tolist() and got.counts.tolist() == want.counts.tolist()
        assert got.sizes.tolist() == want.sizes.tolist() and got.lengths.tolist() == want.lengths.tolist()
    assert "in this process" in caplog.text
    assert _children() == before


def test_a_large_store_tokenises_its_text_in_workers_while_it_builds_the_rest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if pool.workers_for(10**9) < 2:
        pytest.skip("one core: the text is always tokenised in-process")
    started: list[int] = []
    real_start = pool._start

    def counted() -> object:
        started.append(1)
        return real_start()

    monkeypatch.setattr(pool, "_start", counted)
    monkeypatch.setattr(search_module, "TOKENISE_FROM", 1)  # every store counts as large
    live = LiveStore(SECOND_STORE)
    assert started  # tokenised by workers
    monkeypatch.setattr(search_module, "TOKENISE_FROM", 10**9)
    reference = LiveStore(SECOND_STORE)
    docs = list(_search_docs(reference.current))
    assert _answers(live.current.search_index, docs) == _answers(reference.current.search_index, docs)
