"""Values worked out from one loaded store, kept while that store is in use.

A store never changes once loaded: a reload, a localised view or a store as of a past day is a new object. So a
value keyed by the store it came from cannot go stale, and it goes when its store goes (a weak reference drops
it). Answers that read only the store and a few plain inputs (``/status``'s topic, day, language, reader) are
worked out once and reused by every request that asks the same.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PerStore(Generic[K, V]):
    """At most ``maxsize`` values per store, least recently used first out."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._stores: dict[int, tuple[weakref.ref[object], OrderedDict[K, V]]] = {}
        # Commands are answered on several evaluation threads. Re-entrant: a store dropped by a garbage collection
        # that runs while the lock is held calls ``_forget`` on the same thread.
        self._lock = threading.RLock()

    def get(self, store: object, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key`` worked out from ``store``, by ``compute()`` the first time."""
        with self._lock:
            slot = self._stores.get(id(store))
            if slot is None or slot[0]() is not store:
                slot = (weakref.ref(store, partial(self._forget, id(store))), OrderedDict())
                self._stores[id(store)] = slot
            values = slot[1]
            if key in values:
                values.move_to_end(key)
                return values[key]
        value = compute()  # outside the lock: two threads may work the same value out; both answers are equal
        with self._lock:
            values[key] = value
            if len(values) > self.maxsize:
                values.popitem(last=False)
        return value

    def _forget(self, ident: int, ref: weakref.ref[object]) -> None:
        """The store is gone: its values go too (unless its id already names a newer store's slot)."""
        with self._lock:
            slot = self._stores.get(ident)
            if slot is not None and slot[0] is ref:
                del self._stores[ident]

    def __len__(self) -> int:
        """How many stores have values kept."""
        return len(self._stores)


__all__ = ["PerStore"]
