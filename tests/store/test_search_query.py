"""The full-text query path (issue 22): the ranking, ties included, and a search that never holds the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.store import search as search_module
from bot.store.search import SEARCH_THREADS, SearchDoc, SearchIndex, _searcher


@pytest.mark.parametrize("tied", [40, 200])  # a tie seen whole past the cut, and one longer than what is fetched
def test_hits_tied_in_rank_come_in_key_order_across_the_cut(tied: int) -> None:
    # documents that rank the same: which ten are shown must not depend on the order they were indexed in
    keys = [f"topic:d/t{n:03d}" for n in range(tied)]
    index = SearchIndex(SearchDoc(key, "Quota", "dairy quota talks") for key in reversed(keys))
    assert [hit.key for hit in index.search("dairy quota", limit=10)] == keys[:10]


def test_a_better_match_outranks_the_ties_and_the_title_weighs_more() -> None:
    docs = [SearchDoc(f"topic:d/t{n:02d}", "Other", "dairy quota and more words here") for n in range(30)]
    docs.append(SearchDoc("topic:d/zz", "Dairy quota", "dairy quota"))
    index = SearchIndex(docs)
    hits = index.search("dairy quota", limit=5)
    assert hits[0].key == "topic:d/zz"
    assert [hit.key for hit in hits[1:]] == [f"topic:d/t{n:02d}" for n in range(4)]


def test_a_restricted_hit_is_left_out_for_others_and_the_list_is_still_full() -> None:
    docs = [SearchDoc("topic:d/a", "Quota", "dairy quota", frozenset({"slack:T:C1"}))]
    docs += [SearchDoc(f"topic:d/b{n}", "Quota", "dairy quota") for n in range(5)]
    index = SearchIndex(docs)
    assert [h.key for h in index.search("dairy", limit=3)] == ["topic:d/b0", "topic:d/b1", "topic:d/b2"]
    assert index.search("dairy", viewer="slack:T:C1", limit=3)[0].key == "topic:d/a"


async def test_a_search_over_a_large_store_runs_beside_the_event_loop_not_on_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_module, "INLINE_WORK", 0)  # every store counts as large
    index = SearchIndex([SearchDoc("topic:d/a", "Dairy", "dairy quota")])
    loop = asyncio.get_running_loop()
    loop_ran = threading.Event()
    # other searches hold every search thread; until the loop shows it still runs, they keep them
    held = [loop.run_in_executor(_searcher(), loop_ran.wait, 30) for _ in range(SEARCH_THREADS)]
    try:
        search = asyncio.ensure_future(index.search_async("dairy"))
        await asyncio.sleep(0.05)  # the search is under way meanwhile; the loop must get here without waiting for it
        assert not search.done()
        loop_ran.set()
        assert [hit.key for hit in await search] == ["topic:d/a"]
    finally:
        loop_ran.set()
        await asyncio.gather(*held)


async def test_a_search_over_a_small_store_does_not_wait_for_a_search_thread() -> None:
    # handing a search that takes well under a millisecond to a thread and back would cost more than it
    index = SearchIndex([SearchDoc("topic:d/a", "Dairy", "dairy quota")])
    loop = asyncio.get_running_loop()
    release = threading.Event()
    held = [loop.run_in_executor(_searcher(), release.wait, 30) for _ in range(SEARCH_THREADS)]
    try:
        assert [hit.key for hit in await asyncio.wait_for(index.search_async("dairy"), timeout=30)] == ["topic:d/a"]
        assert not any(h.done() for h in held)
    finally:
        release.set()
        await asyncio.gather(*held)
