"""Normalising what people type, so that ``O'Toole``, ``otoole`` and ``o\u2019toole`` are one key."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")
MAX_QUERY_CHARS = 200


def fold(text: str) -> str:
    """Case-fold, strip accents, drop apostrophes and invisible characters, and collapse punctuation."""
    return fold_all(text[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]


def fold_all(text: str) -> str:
    """:func:`fold` of a whole text, however long (a document to index, not a query)."""
    if not text.isascii():  # ASCII has no accents or invisible format characters: skip the per-character pass
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    text = _APOSTROPHES.sub("", text.casefold())
    return _NON_WORD.sub(" ", text).strip()


def compact(text: str) -> str:
    """The exact-match key: folded, with no spaces, so ``cusma review`` finds ``cusma-review``."""
    return fold(text).replace(" ", "")


def words(text: str) -> list[str]:
    return fold(text).split()
