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
are always scored. Folded names and queries hold only word characters and single spaces; characters outside
ASCII letters, digits and the space are counted together, which only raises ``C``, so the bound still holds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_COLUMNS = 38  # a-z, 0-9, space, anything else
_COLUMN = np.full(128, _COLUMNS - 1, dtype=np.intp)
_COLUMN[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789 ", dtype=np.uint8)] = np.arange(_COLUMNS - 1)
_MARGIN = 1e-6  # a bound this close to the cutoff is scored: rounding never drops a match


def _columns(text: str) -> npt.NDArray[np.intp]:
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.where(points < 128, _COLUMN[np.minimum(points, 127)], _COLUMNS - 1)


class TypoBound:
    """Built once per scope (on its first typo lookup) from its distinct folded names."""

    def __init__(self, names: list[str]) -> None:
        lengths = np.fromiter(map(len, names), dtype=np.intp, count=len(names))
        owner = np.repeat(np.arange(len(names)), lengths)
        counts = np.bincount(owner * _COLUMNS + _columns("".join(names)), minlength=len(names) * _COLUMNS)
        small = lengths.max(initial=0) <= 255  # folded names are (200 characters at most): a count fits a byte
        self._counts = counts.astype(np.uint8 if small else np.intp).reshape(len(names), _COLUMNS)
        self._lengths = lengths
        self._always = np.zeros(len(names), dtype=bool)  # names repeating a word: always scored
        self._with_word: dict[str, list[int]] = {}  # the names each word is in
        for position, name in enumerate(names):
            words = name.split()
            if len(set(words)) < len(words):
                self._always[position] = True
            for word in set(words):
                self._with_word.setdefault(word, []).append(position)

    def highest(self, query: str) -> npt.NDArray[np.float64] | None:
        """Each name's highest possible WRatio against ``query`` (infinite for names always scored); None when
        the query repeats a word (every name is scored)."""
        words = query.split()
        if not words or len(set(words)) < len(words):
            return None
        wanted = np.bincount(_columns(query), minlength=_COLUMNS)
        if self._counts.dtype == np.uint8:  # every name's count is below 255: so is its minimum with the query's
            wanted = np.minimum(wanted, 255).astype(np.uint8)
        shared = np.minimum(self._counts, wanted).sum(axis=1, dtype=np.intp)
        length = len(query)
        ratio = 200.0 * shared / (length + self._lengths)
        partial = 200.0 * shared / (np.minimum(length, self._lengths) + shared)
        highest: npt.NDArray[np.float64] = np.maximum(ratio, 0.9 * partial)
        highest[self._always] = np.inf
        for word in set(words):
            highest[self._with_word.get(word, [])] = np.inf
        return highest

    def candidates(self, query: str, cutoff: float) -> npt.NDArray[np.intp] | None:
        """Positions of the names that may score ``cutoff`` or more against ``query``, ascending; None: every name."""
        highest = self.highest(query)
        return None if highest is None else reaching(highest, cutoff)


def reaching(highest: npt.NDArray[np.float64], cutoff: float) -> npt.NDArray[np.intp]:
    """Positions of the names whose highest possible score (:meth:`TypoBound.highest`) reaches ``cutoff``."""
    return np.flatnonzero(highest >= cutoff - _MARGIN)
