"""Values kept per loaded store: worked out once, never shared between stores, gone with their store."""

from __future__ import annotations

import gc

from bot.config import BUNDLED_STORE
from bot.per_store import PerStore
from bot.store import Store, load_store


def test_a_value_is_worked_out_once_per_store_and_key() -> None:
    cache: PerStore[str, int] = PerStore()
    calls: list[str] = []
    first, second = load_store(BUNDLED_STORE), load_store(BUNDLED_STORE)

    def compute(store: Store, key: str) -> int:
        calls.append(key)
        return len(calls)

    assert cache.get(first, "a", lambda: compute(first, "a")) == 1
    assert cache.get(first, "a", lambda: compute(first, "a")) == 1
    assert cache.get(first, "b", lambda: compute(first, "b")) == 2
    assert cache.get(second, "a", lambda: compute(second, "a")) == 3  # an equal store is still another store
    assert calls == ["a", "b", "a"]


def test_values_go_with_their_store() -> None:
    cache: PerStore[str, str] = PerStore()
    store = load_store(BUNDLED_STORE)
    cache.get(store, "a", lambda: "value")
    assert len(cache) == 1
    del store
    gc.collect()
    assert len(cache) == 0


def test_only_the_most_recently_used_values_are_kept() -> None:
    cache: PerStore[int, int] = PerStore(maxsize=2)
    store = load_store(BUNDLED_STORE)
    calls: list[int] = []

    def compute(key: int) -> int:
        calls.append(key)
        return key

    for key in (1, 2, 1, 3, 1, 2):
        cache.get(store, key, lambda key=key: compute(key))  # type: ignore[misc]
    assert calls == [1, 2, 3, 2]  # 2 was the least recently used when 3 came
