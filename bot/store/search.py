"""Full-text search over the store with SQLite FTS5 (in the standard library): ranked by BM25, titles weigh more.

Built once per full load into an in-memory database; a one-file reload updates only that file's rows.
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.store.text import fold, words

TITLE_WEIGHT = 6.0
SNIPPET_WORDS = 14
TIE_WINDOW = 64  # rows fetched past the cut, to order a tie there by key


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


class _Table:
    """The FTS5 table every snapshot derived from one full build shares: an edit writes only its own rows."""

    def __init__(self) -> None:
        import sqlite3  # only when a search index is built: a one-shot lookup never needs it

        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        self.lock = threading.Lock()  # readers in the searches' thread, writers in a reload's worker thread
        self.last_rowid = 0

    def insert(self, docs: Iterable[SearchDoc], rowids: dict[str, int]) -> None:
        """Write ``docs`` in batches, so a whole store's text is never held twice (rows and table) at once."""
        rows = []
        for doc in docs:
            self.last_rowid += 1
            rowids[doc.key] = self.last_rowid
            rows.append((self.last_rowid, doc.key, doc.title, doc.text))
            if len(rows) == _BATCH:
                self.db.executemany(_INSERT, rows)
                rows.clear()
        self.db.executemany(_INSERT, rows)


_INSERT = "INSERT INTO docs (rowid, key, title, body) VALUES (?, ?, ?, ?)"
_BATCH = 2000


class SearchIndex:
    """A snapshot of the full-text index: the rows it was built or updated with, whatever was written since.

    :meth:`updated` writes a changed document's new row into the shared table and drops its old one, so a
    one-file reload costs one row, not a rebuild. A snapshot sees only its own rows (by key and rowid); an
    older snapshot still held by a slow reader no longer finds the rows replaced since (it never sees new ones).
    """

    def __init__(self, docs: Iterable[SearchDoc] = ()) -> None:
        self._table = _Table()
        self._rowids: dict[str, int] = {}
        self._restricted: dict[str, frozenset[str]] = {}

        def noted(docs: Iterable[SearchDoc]) -> Iterator[SearchDoc]:  # ``docs`` may be a generator: read once
            for doc in docs:
                if doc.restricted_to:
                    self._restricted[doc.key] = doc.restricted_to
                yield doc

        with self._table.lock:
            self._table.insert(noted(docs), self._rowids)
            self._table.db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self._seen = self._table.last_rowid

    def updated(self, removed: Iterable[str], added: Iterable[SearchDoc]) -> SearchIndex:
        """A new snapshot with the rows of ``removed`` keys gone and ``added`` written (an edit is both)."""
        added = list(added)
        new = SearchIndex.__new__(SearchIndex)
        new._table = self._table
        new._rowids = dict(self._rowids)
        new._restricted = dict(self._restricted)
        gone = [new._rowids.pop(key) for key in {*removed, *(d.key for d in added)} if key in new._rowids]
        for key in removed:
            new._restricted.pop(key, None)
        for doc in added:
            new._restricted.pop(doc.key, None)
            if doc.restricted_to:
                new._restricted[doc.key] = doc.restricted_to
        with self._table.lock:
            self._table.db.executemany("DELETE FROM docs WHERE rowid = ?", [(rowid,) for rowid in gone])
            self._table.insert(added, new._rowids)
        new._seen = self._table.last_rowid
        return new

    def search(self, query: str, *, viewer: str | None = None, limit: int = 10) -> list[Hit]:
        terms = [w for w in words(query) if w][:12]
        if not terms:
            return []
        # Every word must appear (as a prefix, so 'tariff' finds 'tariffs'); failing that, any word may.
        for joiner in (" AND ", " OR "):
            match = joiner.join(f'"{term}"*' for term in terms)
            hits = self._query(match, viewer, limit)
            if hits:
                return hits
        return []

    async def search_async(self, query: str, *, viewer: str | None = None, limit: int = 10) -> list[Hit]:
        """:meth:`search` in the searches' own thread: SQLite lets go of the GIL while it ranks, so a search over a
        large store runs beside the event loop (acks, health, other commands) instead of holding it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            _searcher(), functools.partial(self.search, query, viewer=viewer, limit=limit)
        )

    def _query(self, match: str, viewer: str | None, limit: int) -> list[Hit]:
        with self._table.lock:
            db = self._table.db
            newer = self._table.last_rowid - self._seen  # rows written after this snapshot: fetched, then skipped
            wanted = limit + len(self._restricted) + newer
            # Rank on the index alone (reading every match's stored key too doubled the cost); rows tied in rank
            # are shown in key order, so a few rows past the cut are fetched to see the whole tie there.
            ranked = db.execute(
                "SELECT rowid, bm25(docs, 0, ?, 1.0) AS rank FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?",
                (TITLE_WEIGHT, match, wanted + TIE_WINDOW),
            ).fetchall()
            if len(ranked) == wanted + TIE_WINDOW and ranked[-1][1] == ranked[wanted - 1][1]:
                # a tie runs past what was fetched: let SQLite order every match by key (synthetic stores)
                rows = db.execute(
                    "SELECT rowid, key, title, bm25(docs, 0, ?, 1.0) AS rank "
                    "FROM docs WHERE docs MATCH ? ORDER BY rank, key LIMIT ?",
                    (TITLE_WEIGHT, match, wanted),
                ).fetchall()
            elif not ranked:
                return []
            else:
                cut = ranked[min(wanted, len(ranked)) - 1][1]
                rank_of = {rowid: rank for rowid, rank in ranked if rank <= cut}
                marks = ",".join("?" * len(rank_of))
                named = db.execute(f"SELECT rowid, key, title FROM docs WHERE rowid IN ({marks})", list(rank_of))
                rows = sorted(((r, k, t, rank_of[r]) for r, k, t in named), key=lambda row: (row[3], row[1]))
        kept = []
        for rowid, key, title, rank in rows:
            if self._rowids.get(key) != rowid:
                continue  # a row of a later snapshot
            allowed = self._restricted.get(key)
            if allowed and viewer not in allowed:
                continue
            kept.append(Hit(key, title, -rank))
            if len(kept) == limit:
                break
        return kept


@functools.cache
def _searcher() -> ThreadPoolExecutor:
    """One thread, made on first use: searches share one SQLite connection and its lock, so a second thread
    would only wait."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")


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
