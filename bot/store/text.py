"""Normalising what people type, so that ``O'Toole``, ``otoole`` and ``o\u2019toole`` are one key."""

from __future__ import annotations

import re
import unicodedata
from itertools import compress

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")
# ASCII text in one pass (str.translate has a fast path for ASCII to ASCII): letters and digits lower-cased,
# apostrophes dropped, every other character a space; the regexes above do the same, several times slower.
_ASCII_FOLD = {
    code: None if char in "'`" else char.lower() if char.isalnum() else " "
    for code, char in ((code, chr(code)) for code in range(128))
}
_SEPARATOR = "\x00"  # between the texts :func:`fold_each` folds in one pass (kept by its table, unlike in fold)
_ASCII_FOLD_EACH = {**_ASCII_FOLD, ord(_SEPARATOR): _SEPARATOR}
MAX_QUERY_CHARS = 200


def fold(text: str) -> str:
    """Case-fold, strip accents, drop apostrophes and invisible characters, and collapse punctuation."""
    return fold_all(text[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]


def fold_all(text: str) -> str:
    """:func:`fold` of a whole text, however long (a document to index, not a query)."""
    if text.isascii():  # no accents, invisible format characters or non-ASCII apostrophes: one table does it all
        return " ".join(text.translate(_ASCII_FOLD).split())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    text = _APOSTROPHES.sub("", text.casefold())
    return _NON_WORD.sub(" ", text).strip()


def fold_each(texts: list[str]) -> list[str]:
    """:func:`fold` of every text, for thousands of names at once (an index's): the usual ones (ASCII, not too long)
    go through the table in one pass, then are split and joined by C loops rather than a Python call apiece."""
    if not texts:
        return []
    joined = _SEPARATOR.join(texts)
    if (
        joined.isascii()
        and joined.count(_SEPARATOR) == len(texts) - 1
        and max(map(len, texts)) <= MAX_QUERY_CHARS * 4  # else fold cuts the text first
    ):
        parts = joined.translate(_ASCII_FOLD_EACH).split(_SEPARATOR)
        folded = list(map(" ".join, map(str.split, parts)))
        if max(map(len, folded)) > MAX_QUERY_CHARS:
            folded = [text[:MAX_QUERY_CHARS] for text in folded]
        return folded
    usual = list(map(_usual, texts))
    batch = iter(fold_each(list(compress(texts, usual))))
    return [next(batch) if plain else fold(text) for text, plain in zip(texts, usual, strict=True)]


def _usual(text: str) -> bool:
    return text.isascii() and len(text) <= MAX_QUERY_CHARS * 4 and _SEPARATOR not in text


def compact(text: str) -> str:
    """The exact-match key: folded, with no spaces, so ``cusma review`` finds ``cusma-review``."""
    return fold(text).replace(" ", "")


def words(text: str) -> list[str]:
    return fold(text).split()
