"""Full-text search over the store with SQLite FTS5 (in the standard library): ranked by BM25, titles weigh more.

Built once per load into an in-memory database; a reload builds a new one beside the old.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.store.text import fold, words

TITLE_WEIGHT = 6.0
SNIPPET_WORDS = 14


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
    snippet: str  # matched words wrapped in ** (the reply's bold)
    score: float


class SearchIndex:
    def __init__(self, docs: Iterable[SearchDoc]) -> None:
        import sqlite3  # only /search builds the index (Store.search_index): not on every store load

        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        self._restricted: dict[str, frozenset[str]] = {}
        rows = []
        for doc in docs:
            rows.append((doc.key, doc.title, doc.text))
            if doc.restricted_to:
                self._restricted[doc.key] = doc.restricted_to
        self._db.executemany("INSERT INTO docs (key, title, body) VALUES (?, ?, ?)", rows)
        self._db.execute("INSERT INTO docs(docs) VALUES ('optimize')")

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

    def _query(self, match: str, viewer: str | None, limit: int) -> list[Hit]:
        cursor = self._db.execute(
            f"SELECT key, title, snippet(docs, 2, '**', '**', '…', {SNIPPET_WORDS}), bm25(docs, 0, ?, 1.0) AS rank "
            "FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?",
            (TITLE_WEIGHT, match, limit + len(self._restricted)),
        )
        hits = []
        for key, title, snippet, rank in cursor:
            allowed = self._restricted.get(key)
            if allowed and viewer not in allowed:
                continue
            hits.append(Hit(key, title, snippet, -rank))
            if len(hits) == limit:
                break
        return hits


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
