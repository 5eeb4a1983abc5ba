"""The cyclic garbage collector's pace in the running bot: fewer, larger young collections.

At the default thresholds (700, 10, 10) a burst of commands (each allocating a request, a context, a reply and its
rendering, all freed by reference counting) ran a young collection every 700 allocations and a full one every
hundred of those; at 100,000 documents a burst of 1,000 commands stopped every thread for about 1.9 s in 150
collections, six of them full (100 to 200 ms each, walking what the last reload built and what the burst
promoted). Ten thousand allocations between young collections make them about fourteen times rarer, each still
about a millisecond, and the full ones as much rarer; garbage cycles (rare here) wait a little longer.
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 20, 10)


def set_pace() -> None:
    """Called once when the bot starts serving; never lowers a threshold someone set higher."""
    current = gc.get_threshold()
    gc.set_threshold(*(max(mine, theirs) for mine, theirs in zip(THRESHOLDS, current, strict=True)))


__all__ = ["THRESHOLDS", "set_pace"]
