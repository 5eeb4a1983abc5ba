"""The full-text index's arrays: which documents hold each word, how often, and BM25 scored over them at once.

A full build tokenises every document once into one sorted vocabulary and CSR postings (per word, its documents
and its weighted count), so the words a prefix expands to are one contiguous slice, and a query costs a few
vectorised passes over the documents, whatever the words: no per-row work in Python and no per-row calls into
SQLite (FTS5 called its ranking function once per matching row, which at 100,000 rows all matching took 100+ ms).
numpy lets go of the GIL in those passes, so two searches can run at once.

The scores are FTS5's ``bm25(docs, 0, title_weight, 1)`` as SQLite computes it (k1 1.2, b 0.75, an idf at or
below zero taken as 1e-6, a row's length in tokens over both columns), so a ranking readers knew stays as it was.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.store.text import fold_all

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

K1 = 1.2
B = 0.75
# characters of text per chunk of rows tokenised at once (see chunked): a worker's task. Each task costs the thread
# that feeds the workers two waits for the GIL (a write, a read), behind a load busy in Python: at 100,000
# documents a quarter of this size (442 tasks) kept the workers waiting for a second and a half in all
CHUNK_CHARS = 1_000_000
_LAST = "\U0010ffff"  # sorts after every character: a prefix's words are those in [prefix, prefix + _LAST)


@dataclass(frozen=True, slots=True)
class Tokens:
    """One document's words, each with its count (a title word counting ``title_weight`` times), and its length."""

    counts: dict[str, int]
    length: int


# ASCII text folded in one C pass: lower case, apostrophes dropped, anything but a letter or digit a space
_ASCII_FOLD = str.maketrans(
    {chr(c): (chr(c).lower() if chr(c).isalnum() else None if chr(c) in "'`" else " ") for c in range(128)}
)


def index_words(text: str) -> list[str]:
    """The words of a whole document as :func:`bot.store.text.fold` reads a query (which it cuts short)."""
    if text.isascii():
        return text.translate(_ASCII_FOLD).split()
    return fold_all(text).split()


def tokens(title: str, text: str, title_weight: int) -> Tokens:
    title_words = index_words(title)
    body_words = index_words(text)
    # a title word counted title_weight times: all in C, no Python step per word
    return Tokens(Counter(body_words + title_words * title_weight), len(title_words) + len(body_words))


def idf(documents: int, matching: int) -> float:
    value = math.log((documents - matching + 0.5) / (matching + 0.5))
    return value if value > 0 else 1e-6  # as FTS5: a word in most documents still counts, a little


def bm25(freq: NDArray[np.float64], norm: NDArray[np.float64], weight: float) -> NDArray[np.float64]:
    """One query word's part of the score; ``norm`` is k1 * (1 - b + b * length / average length)."""
    return weight * (freq * (K1 + 1.0)) / (freq + norm)


def norms(lengths: NDArray[np.float64], average: float) -> NDArray[np.float64]:
    return K1 * (1 - B + B * lengths / average)


class Tokenised(NamedTuple):
    """A chunk of rows tokenised (:func:`tokenise`): plain values and arrays, so a worker process can send it back.

    Row ``i`` of the chunk holds ``sizes[i]`` postings, in order; a posting is a word (``ids``: its place in the
    chunk's own ``words``) and its weighted count."""

    words: list[str]
    ids: NDArray[np.int32]
    counts: NDArray[np.float32]
    sizes: NDArray[np.int32]
    lengths: NDArray[np.int32]  # each row's length in tokens, title and body


Chunk = list[tuple[str, str, str]]  # rows (key, title, text)


def chunked(docs: Iterable[tuple[str, str, str]], chars: int | None = None) -> Iterator[Chunk]:
    """``docs`` in chunks of about ``chars`` characters of text (:data:`CHUNK_CHARS`): a task for a worker, or a
    step of an in-process build, small enough to stream and large enough that its overhead is noise."""
    limit = CHUNK_CHARS if chars is None else chars
    chunk: Chunk = []
    size = 0
    for doc in docs:
        chunk.append(doc)
        size += len(doc[1]) + len(doc[2])
        if size >= limit:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def tokenise(chunk: Chunk, title_weight: int) -> Tokenised:
    """Every row's distinct words and their weighted counts (what a worker process does with its tasks)."""
    import numpy as np

    vocabulary: dict[str, int] = {}
    fresh = itertools.count()  # a new word's id (unique, not dense: setdefault draws one per call; < 2**31)
    words: list[str] = []  # each row's distinct words, row after row
    counts: list[int] = []
    sizes: list[int] = []
    lengths: list[int] = []
    for _key, title, text in chunk:
        doc = tokens(title, text, title_weight)
        lengths.append(doc.length)
        words.extend(doc.counts)
        counts.extend(doc.counts.values())
        sizes.append(len(doc.counts))
    ids = np.fromiter(map(vocabulary.setdefault, words, fresh), dtype=np.int32, count=len(words))  # in C
    # ids drawn but not kept (a word seen before) leave gaps: number the chunk's words densely
    drawn = np.fromiter(vocabulary.values(), dtype=np.int32, count=len(vocabulary))
    dense = np.zeros(next(fresh), dtype=np.int32)
    dense[drawn] = np.arange(len(drawn), dtype=np.int32)
    return Tokenised(
        list(vocabulary),
        dense[ids],
        np.array(counts, dtype=np.float32),
        np.array(sizes, dtype=np.int32),
        np.array(lengths, dtype=np.int32),
    )


class Postings:
    """The documents of one full build, read-only once made (snapshots share it)."""

    def __init__(self, chunks: Iterable[tuple[Chunk, Tokenised]]) -> None:
        """``chunks``: the rows, in order, each chunk with its :func:`tokenise` (made here or in a worker)."""
        import numpy as np

        self.keys: list[str] = []
        self.titles: list[str] = []
        vocabulary: dict[str, int] = {}
        fresh = itertools.count()  # a new word's id, as in tokenise
        words: list[Any] = []  # per chunk: word ids (the build's), rows and counts, as arrays
        rows: list[Any] = []
        counts: list[Any] = []
        lengths: list[Any] = []
        for chunk, tokenised in chunks:
            first = len(self.keys)
            self.keys += [key for key, _title, _text in chunk]
            self.titles += [title for _key, title, _text in chunk]
            # the chunk's words in this build's numbering: one step per distinct word of the chunk, not per posting
            ids = np.fromiter(map(vocabulary.setdefault, tokenised.words, fresh), dtype=np.int32)
            words.append(ids[tokenised.ids])
            rows.append(np.repeat(np.arange(first, len(self.keys), dtype=np.int32), tokenised.sizes))
            counts.append(tokenised.counts)
            lengths.append(tokenised.lengths)
        # words in sorted order, so a prefix's words are neighbours and their postings one slice
        self.words = sorted(vocabulary)
        rank = np.zeros(next(fresh), dtype=np.int32)  # word id -> place in sorted order
        rank[np.fromiter(map(vocabulary.__getitem__, self.words), dtype=np.int64, count=len(self.words))] = np.arange(
            len(self.words), dtype=np.int32
        )
        # Postings grouped by word, each word's in row order: counted first, then each batch put in its place and
        # let go (a sort of them all at once held twice as much again, at the height of a cold load)
        per_word = np.zeros(len(self.words), dtype=np.int64)
        for batch in words:
            batch[:] = rank[batch]
            per_word += np.bincount(batch, minlength=len(self.words))
        del rank
        self.starts: NDArray[np.int64] = np.concatenate(([0], np.cumsum(per_word)))
        self.rows: NDArray[np.int32] = np.empty(int(self.starts[-1]), dtype=np.int32)
        self.counts: NDArray[np.float32] = np.empty(int(self.starts[-1]), dtype=np.float32)
        filled = self.starts[:-1].copy()  # where each word's next posting goes
        for batch_words_ranked, batch_rows, batch_weights in zip(words, rows, counts, strict=True):
            order = np.argsort(batch_words_ranked, kind="stable")
            ranked = batch_words_ranked[order]
            first = np.searchsorted(ranked, ranked, side="left")  # each posting's word's first place in the batch
            place = filled[ranked] + (np.arange(len(ranked)) - first)
            self.rows[place] = batch_rows[order]
            self.counts[place] = batch_weights[order]
            filled += np.bincount(ranked, minlength=len(self.words))
        words.clear()
        rows.clear()
        counts.clear()
        self.lengths: NDArray[np.float64] = (
            np.concatenate(lengths).astype(np.float64) if lengths else np.zeros(0, dtype=np.float64)
        )
        self.where = {key: row for row, key in enumerate(self.keys)}
        # each row's place in key order: rows tied in score are shown in key order
        self.key_order: NDArray[np.int32] = np.empty(len(self.keys), dtype=np.int32)
        self.key_order[sorted(range(len(self.keys)), key=self.keys.__getitem__)] = np.arange(
            len(self.keys), dtype=np.int32
        )

    def __len__(self) -> int:
        return len(self.keys)

    def freq(self, prefix: str) -> NDArray[np.float64]:
        """Every row's weighted count of the words that start with ``prefix`` (0 where none does)."""
        import numpy as np

        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + _LAST, lo)
        start, stop = int(self.starts[lo]), int(self.starts[hi])
        if hi - lo == 1:  # one word: each row at most once, no need to add up
            out = np.zeros(len(self.keys), dtype=np.float64)
            out[self.rows[start:stop]] = self.counts[start:stop]
            return out
        weights = self.counts[start:stop].astype(np.float64)
        return np.bincount(self.rows[start:stop], weights=weights, minlength=len(self.keys)).astype(
            np.float64, copy=False
        )


@dataclass(frozen=True, slots=True)
class Row:
    """A row written after the full build (a one-file reload's)."""

    title: str
    tokens: Tokens
    restricted_to: frozenset[str]


class Added:
    """The rows written since the full build, with their own small word table: a search reads only the rows
    holding its words, not every row added, and scores them in one pass as it does the built ones.
    Read-only once made: :meth:`changed` makes another, copying only the words the change touches."""

    def __init__(self, rows: dict[str, Row] | None = None, by_word: dict[str, dict[str, int]] | None = None) -> None:
        self.rows = rows or {}
        self.by_word = by_word or {}  # word -> {key: weighted count}

    def changed(self, gone: Iterable[str], rows: dict[str, Row]) -> Added:
        """Without the rows of ``gone`` keys (and of the keys in ``rows``), with ``rows``."""
        kept = dict(self.rows)
        drop: dict[str, set[str]] = {}
        for key in {*gone, *rows}:
            old = kept.pop(key, None)
            if old is not None:
                for word in old.tokens.counts:
                    drop.setdefault(word, set()).add(key)
        put: dict[str, dict[str, int]] = {}
        for key, row in rows.items():
            kept[key] = row
            for word, n in row.tokens.counts.items():
                put.setdefault(word, {})[key] = n
        by_word = dict(self.by_word)
        for word in drop.keys() | put.keys():
            dropped = drop.get(word, set())
            now = {key: n for key, n in by_word.get(word, {}).items() if key not in dropped} | put.get(word, {})
            if now:
                by_word[word] = now
            else:
                by_word.pop(word, None)
        return Added(kept, by_word)

    def freqs(self, prefixes: Sequence[str]) -> tuple[list[str], list[NDArray[np.float64]]]:
        """The rows holding a word that starts with one of ``prefixes``, and each prefix's counts in them."""
        import numpy as np

        per_prefix: list[dict[str, int]] = []
        for prefix in prefixes:
            counts: dict[str, int] = {}
            for word, holders in self.by_word.items():
                if word.startswith(prefix):
                    for key, n in holders.items():
                        counts[key] = counts.get(key, 0) + n
            per_prefix.append(counts)
        keys = sorted({key for counts in per_prefix for key in counts})
        return keys, [np.array([c.get(key, 0) for key in keys], dtype=np.float64) for c in per_prefix]
