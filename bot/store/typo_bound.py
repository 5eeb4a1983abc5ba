"""Which names of a scope a typo could match at a given WRatio cutoff: an upper bound on each name's score from
the characters it shares with the query, so that most names are never scored at all.

``fuzz.WRatio(query, name)`` is the largest of ``ratio``, ``token_ratio`` * 0.95 (similar lengths) or
``partial_ratio`` * 0.9 and ``partial_token_ratio`` * 0.855 (lengths 1.5 times apart or more; 0.6 for 8 times).
With ``C`` the characters the two share (as multisets), ``l1`` and ``l2`` their lengths and ``m`` the shorter:

- ``ratio`` is ``2 * LCS / (l1 + l2)`` and ``LCS <= C``: at most ``B = 200 * C / (l1 + l2)``;
- ``partial_ratio`` is a ``ratio`` of the shorter against a window of the longer (of length ``w``), whose
  characters are among the longer's: ``200 * min(C, w) / (m + w)``, at most ``P = 200 * C / (m + C)``;
- when the two share no word and neither repeats a word, ``token_sort_ratio`` and ``token_set_ratio`` compare
  the same characters (the words sorted, each once, joined by single spaces, as folded names are) and score at
  most ``B``, and ``partial_token_ratio`` at most ``P``.

So a name sharing no word with the query (neither repeating one) scores at most ``max(B, 0.9 * P)``; the others
are always scored (a word is one bit of 128: a name whose words' bits meet the query's may share one). Folded names
and queries hold only word characters and single spaces; characters outside ASCII letters, digits and the space
are counted together, which only raises ``C``, so the bound still holds.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import numpy.typing as npt

_COLUMNS = 38  # a-z, 0-9, space, anything else
_COLUMN = np.full(128, _COLUMNS - 1, dtype=np.intp)
_COLUMN[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789 ", dtype=np.uint8)] = np.arange(_COLUMNS - 1)
_MARGIN = 1e-6  # a bound this close to the cutoff is scored: rounding never drops a match


_BITS = 128  # a name's words, one bit each: two 64-bit columns
_EVERY_BIT = (1 << _BITS) - 1
_LOW = (1 << 64) - 1


def _bits(folded: str) -> int:
    """One bit (of :data:`_BITS`) for each word; every bit when a word repeats (or there is none)."""
    words = folded.split()
    unique = set(words)
    if not words or len(unique) < len(words):
        return _EVERY_BIT
    bits = 0
    for word in unique:
        bits |= 1 << (hash(word) % _BITS)
    return bits


def _halves(bits: int) -> tuple[int, int]:
    return bits & _LOW, bits >> 64


def _columns(text: str) -> npt.NDArray[np.intp]:
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.where(points < 128, _COLUMN[np.minimum(points, 127)], _COLUMNS - 1)


class TypoBound:
    """Built once per scope (on its first typo lookup) from its distinct folded names: about 50 bytes a name."""

    def __init__(self, names: list[str]) -> None:
        lengths = np.fromiter(map(len, names), dtype=np.intp, count=len(names))
        owner = np.repeat(np.arange(len(names)), lengths)
        counts = np.bincount(owner * _COLUMNS + _columns("".join(names)), minlength=len(names) * _COLUMNS)
        small = lengths.max(initial=0) <= 255  # folded names are (200 characters at most): a count fits a byte
        self._counts = counts.astype(np.uint8 if small else np.intp).reshape(len(names), _COLUMNS)
        self._lengths = lengths.astype(np.int32)
        # a bit for each of a name's words (a name with repeated words: every bit, so always scored); a name
        # with a bit of the query's may share a word with it, and is scored (a shared bit only costs a score)
        words = np.fromiter(chain.from_iterable(map(_halves, map(_bits, names))), np.uint64, count=2 * len(names))
        self._words = words.reshape(len(names), 2)

    def highest(self, query: str) -> npt.NDArray[np.float64] | None:
        """Each name's highest possible WRatio against ``query`` (infinite for names always scored); None when
        the query repeats a word (every name is scored)."""
        bits = _bits(query)
        if bits == _EVERY_BIT:
            return None
        wanted = np.bincount(_columns(query), minlength=_COLUMNS)
        if self._counts.dtype == np.uint8:  # every name's count is below 255: so is its minimum with the query's
            wanted = np.minimum(wanted, 255).astype(np.uint8)
        shared = np.minimum(self._counts, wanted).sum(axis=1, dtype=np.intp)
        length = len(query)
        ratio = 200.0 * shared / (length + self._lengths)
        partial = 200.0 * shared / (np.minimum(length, self._lengths) + shared)
        highest: npt.NDArray[np.float64] = np.maximum(ratio, 0.9 * partial)
        highest[(self._words & np.array(_halves(bits), dtype=np.uint64)).any(axis=1)] = np.inf
        return highest

    def candidates(self, query: str, cutoff: float) -> npt.NDArray[np.intp] | None:
        """Positions of the names that may score ``cutoff`` or more against ``query``, ascending; None: every name."""
        highest = self.highest(query)
        return None if highest is None else reaching(highest, cutoff)


def reaching(highest: npt.NDArray[np.float64], cutoff: float) -> npt.NDArray[np.intp]:
    """Positions of the names whose highest possible score (:meth:`TypoBound.highest`) reaches ``cutoff``."""
    return np.flatnonzero(highest >= cutoff - _MARGIN)
