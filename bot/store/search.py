"""Full-text search over the store: ranked by BM25 as SQLite FTS5 ranks (titles weigh more), on numpy arrays.

Built once per full load (:class:`bot.store.postings.Postings`); a one-file reload makes a new snapshot that
hides the replaced rows of that build and holds the few new ones beside it, so it costs those rows, not a rebuild.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.store.postings import Added, Postings, Row, bm25, chunked, idf, norms, tokenise, tokens
from bot.store.text import fold, words

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

TITLE_WEIGHT = 6  # a title word counts as six in the body (FTS5's column weight, as before)
SNIPPET_WORDS = 14
MAX_WORDS = 12  # of a query; the rest are left out
SEARCH_THREADS = 2  # the machine's cores: a search scores in numpy, which lets go of the GIL
# Documents from which a full build's text is tokenised by worker processes, beside the rest of the load: below it
# the workers' start (an interpreter and numpy, about 0.1 s each) and the pickles cost more than they save.
TOKENISE_FROM = 5_000
# Rows written since the full build that a snapshot keeps beside it before a reload builds it whole again: at
# least this many, or a twentieth of the store. Each search reads every word of those rows in Python.
COMPACT_FROM = 1_000
INLINE_WORK = 40_000  # rows times query words below which a search runs where it is asked: about a millisecond


@dataclass(frozen=True, slots=True)
class SearchDoc:
    key: str  # what a hit points back to, e.g. "topic:canada-us/tariffs"
    title: str
    text: str
    restricted_to: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    title: str
    score: float  # the reader's snippet is quoted from the hit's prose (:func:`snippet`), not from the index


class SearchIndex:
    """A snapshot of the full-text index: the rows of a full build still current, and the rows added since.

    :meth:`updated` hides a changed document's built row (a mask of its own) and keeps its new text in a small
    table beside the build, so a one-file reload costs one row, not a rebuild. A snapshot never changes once
    made: an older one still held by a slow reader keeps finding what it found, and never a newer one's rows.
    """

    def __init__(self, docs: Iterable[SearchDoc] = (), *, workers: int = 0) -> None:
        """``workers``: processes that tokenise the text (:func:`tokenise_workers`), 0 to do it here."""
        import numpy as np

        self._restricted: dict[str, frozenset[str]] = {}

        def noted(docs: Iterable[SearchDoc]) -> Iterable[tuple[str, str, str]]:  # may be a generator: read once
            for doc in docs:
                if doc.restricted_to:
                    self._restricted[doc.key] = doc.restricted_to
                yield doc.key, doc.title, doc.text

        chunks = chunked(noted(docs))
        if workers:
            from bot.store.pool import tokenised  # the worker processes' module reads files too: only a large build

            self._built = Postings(tokenised(chunks, TITLE_WEIGHT, workers=workers))
        else:
            self._built = Postings((chunk, tokenise(chunk, TITLE_WEIGHT)) for chunk in chunks)
        self._live: NDArray[np.bool_] = np.ones(len(self._built), dtype=np.bool_)
        self._added = Added()
        self._documents = len(self._built)
        self._tokens = float(self._built.lengths.sum())
        self._hidden_by: dict[frozenset[str], NDArray[np.intp]] | None = None  # made on first use

    def updated(self, removed: Iterable[str], added: Iterable[SearchDoc]) -> SearchIndex:
        """A new snapshot with the rows of ``removed`` keys gone and ``added`` written (an edit is both)."""
        added = list(added)
        new = SearchIndex.__new__(SearchIndex)
        new._built = self._built
        new._live = self._live.copy()
        new._restricted = dict(self._restricted)
        new._documents, new._tokens = self._documents, self._tokens
        new._hidden_by = None
        for key in {*removed, *(doc.key for doc in added)}:
            row = self._built.where.get(key)
            if row is not None and new._live[row]:
                new._live[row] = False
                new._documents -= 1
                new._tokens -= float(self._built.lengths[row])
            old = self._added.rows.get(key)
            if old is not None:
                new._documents -= 1
                new._tokens -= old.tokens.length
            new._restricted.pop(key, None)
        rows = {doc.key: Row(doc.title, tokens(doc.title, doc.text, TITLE_WEIGHT), doc.restricted_to) for doc in added}
        for doc in added:
            new._documents += 1
            new._tokens += rows[doc.key].tokens.length
            if doc.restricted_to:
                new._restricted[doc.key] = doc.restricted_to
        new._added = self._added.changed(removed, rows)
        return new

    @property
    def rows_since_build(self) -> int:
        """Rows written by one-file reloads since the full build, kept beside it."""
        return len(self._added.rows)

    def crowded(self) -> bool:
        """Whether the rows kept beside the full build have outgrown their share (:data:`COMPACT_FROM`)."""
        return self.rows_since_build > max(COMPACT_FROM, len(self._built) // 20)

    def search(self, query: str, *, viewer: str | None = None, limit: int = 10) -> list[Hit]:
        terms = [w for w in words(query) if w][:MAX_WORDS]
        if not terms or not self._documents:
            return []
        import numpy as np

        built = [self._built.freq(term) for term in terms]
        added_keys, added = self._added.freqs(terms)
        found = [(f > 0) & self._live for f in built]
        found_added = [f > 0 for f in added]
        weights = [
            idf(self._documents, int(np.count_nonzero(hit)) + int(np.count_nonzero(hit_added)))
            for hit, hit_added in zip(found, found_added, strict=True)
        ]
        # Every word must appear (as a prefix, so 'tariff' finds 'tariffs'); failing that, any word may.
        for join in (np.logical_and, np.logical_or):
            matched = functools.reduce(join, found)
            matched_added = functools.reduce(join, found_added)
            if not matched.any() and not matched_added.any():
                continue
            hits = self._ranked(built, weights, matched, viewer, limit)
            hits += self._ranked_added(added_keys, added, weights, matched_added, viewer)
            hits.sort(key=lambda hit: (-hit.score, hit.key))
            if hits:
                return hits[:limit]
        return []

    def _ranked(
        self,
        built: list[NDArray[np.float64]],
        weights: list[float],
        matched: NDArray[np.bool_],
        viewer: str | None,
        limit: int,
    ) -> list[Hit]:
        """The best ``limit`` of the matched built rows the viewer may see, ties in key order."""
        import numpy as np

        matched = matched.copy()  # one word's: the fallback's too
        for allowed, hidden in self._hidden().items():
            if viewer not in allowed:
                matched[hidden] = False
        rows = np.flatnonzero(matched)
        norm = norms(self._built.lengths[rows], self._tokens / self._documents)
        scores = np.zeros(len(rows), dtype=np.float64)
        for f, weight in zip(built, weights, strict=True):
            scores += bm25(f[rows], norm, weight)
        keys, titles = self._built.keys, self._built.titles
        return [Hit(keys[r], titles[r], s) for s, r in _best(rows, scores, self._built.key_order, limit)]

    def _ranked_added(
        self,
        keys: list[str],
        added: list[NDArray[np.float64]],
        weights: list[float],
        matched: NDArray[np.bool_],
        viewer: str | None,
    ) -> list[Hit]:
        """The matched rows added since the build that the viewer may see, scored as the built ones are."""
        import numpy as np

        rows = self._added.rows
        at = [
            i
            for i in np.flatnonzero(matched).tolist()
            if viewer in rows[keys[i]].restricted_to or not rows[keys[i]].restricted_to
        ]
        lengths = np.array([rows[keys[i]].tokens.length for i in at], dtype=np.float64)
        norm = norms(lengths, self._tokens / self._documents)
        scores = np.zeros(len(at), dtype=np.float64)
        for f, weight in zip(added, weights, strict=True):
            scores += bm25(f[at], norm, weight)
        return [Hit(keys[i], rows[keys[i]].title, s) for i, s in zip(at, scores.tolist(), strict=True)]

    def _hidden(self) -> dict[frozenset[str], NDArray[np.intp]]:
        """The built rows of restricted documents, by who may see them (few lists, however many rows)."""
        if self._hidden_by is None:
            import numpy as np

            by: dict[frozenset[str], list[int]] = {}
            for key, allowed in self._restricted.items():
                row = self._built.where.get(key)
                if row is not None:
                    by.setdefault(allowed, []).append(row)
            self._hidden_by = {allowed: np.array(rows, dtype=np.intp) for allowed, rows in by.items()}
        return self._hidden_by

    async def search_async(self, query: str, *, viewer: str | None = None, limit: int = 10) -> list[Hit]:
        """:meth:`search`, in the searches' own threads over a large store: numpy lets go of the GIL while it
        scores, so such a search runs beside the event loop (acks, health, other commands) and beside another.
        Over a small one it runs here: it takes less than handing it to a thread and back (a loaded machine makes
        that hop milliseconds)."""
        if (len(self._built) + len(self._added.rows)) * min(len(words(query)), MAX_WORDS) <= INLINE_WORK:
            return self.search(query, viewer=viewer, limit=limit)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            _searcher(), functools.partial(self.search, query, viewer=viewer, limit=limit)
        )


def tokenise_workers(documents: int) -> int:
    """Worker processes for a full build over ``documents`` documents: one per core from :data:`TOKENISE_FROM`."""
    if documents < TOKENISE_FROM:
        return 0
    from bot.store.pool import workers_for

    return workers_for(documents, at_least=TOKENISE_FROM)


def _best(
    rows: NDArray[np.intp], scores: NDArray[np.float64], key_order: NDArray[np.int32], limit: int
) -> list[tuple[float, int]]:
    """(score, row) of the ``limit`` best rows; of rows tied at the cut, those first in key order."""
    import numpy as np

    if len(rows) > limit:
        cut = float(np.partition(scores, len(scores) - limit)[len(scores) - limit])  # the limit-th best score
        above = np.flatnonzero(scores > cut)
        tied = np.flatnonzero(scores == cut)
        wanted = limit - len(above)
        if len(tied) > wanted:  # a tie runs past the cut: keep the first keys (synthetic stores tie by thousands)
            order = key_order[rows[tied]]
            tied = tied[np.argpartition(order, wanted - 1)[:wanted]]
        chosen = np.concatenate((above, tied)).astype(np.intp)
        rows, scores = rows[chosen], scores[chosen]
    return list(zip(scores.tolist(), rows.tolist(), strict=True))


@functools.cache
def _searcher() -> ThreadPoolExecutor:
    """The searches' threads, made on first use: snapshots are read-only, so searches need no lock."""
    return ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="search")


_WORD = re.compile(r"\S+")


def snippet(prose: Iterable[str], query: str, *, width: int = SNIPPET_WORDS) -> str:
    """About ``width`` words of the first passage of ``prose`` that mentions a word of ``query``, those words in
    ``**``; the opening words of the first passage when none does (the hit matched on a name). Prose only: the
    index also holds names and aliases, which read as word salad when quoted."""
    terms = words(query)
    passages = [" ".join(p.split()) for p in prose if p and p.strip()]
    for passage in passages:
        tokens = _WORD.findall(passage)
        hits = [i for i, t in enumerate(tokens) if any(w.startswith(tuple(terms)) for w in fold(t).split())]
        if hits:
            start = max(0, min(hits[0] - width // 3, len(tokens) - width))
            shown = [f"**{t}**" if i in hits else t for i, t in enumerate(tokens)][start : start + width]
            return ("…" if start else "") + " ".join(shown) + ("…" if start + width < len(tokens) else "")
    if not passages:
        return ""
    tokens = _WORD.findall(passages[0])
    return " ".join(tokens[:width]) + ("…" if len(tokens) > width else "")
