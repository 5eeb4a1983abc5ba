"""The cyclic garbage collector paused while a whole store is built, and the result frozen after.

A build allocates millions of objects that all stay alive, and each collection walks every one of them again
(about a third of a 10k load, more as stores grow). What is freed meanwhile is freed by reference counting; cycles
wait until the collector is back on. Afterwards the survivors are frozen (``gc.freeze``): a full collection would
otherwise walk the whole store again, seconds at 100,000 documents. A store's objects hold no reference cycles, so
an old store is still freed by reference counting once nobody reads it. Used by the bot's loads
(:mod:`bot.store.live`), ``briefbot check`` and the compiled store's unpickling (:mod:`bot.store.cache`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()
