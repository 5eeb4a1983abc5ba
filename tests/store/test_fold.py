"""Folding takes a one-table shortcut for ASCII text: it must give exactly what the general regex path gives,
for names, queries and whole documents alike (the lookup and full-text keys of a store depend on it)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.text import MAX_QUERY_CHARS, compact, fold, fold_all, fold_each, words


def reference_fold_all(text: str) -> str:
    """The general path, for any text: what folding always did."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    text = re.sub(r"['\u2019\u2018`\u00b4\u02bc]", "", text.casefold())
    return re.sub(r"[\W_]+", " ", text).strip()


ascii_text = st.text(st.characters(max_codepoint=127), max_size=60)
# ASCII with the characters that fold differently nearby: apostrophes, accents, invisible and non-ASCII spaces
mixed_text = st.text(
    st.one_of(
        st.characters(max_codepoint=127),
        st.sampled_from("\u2019\u2018\u00b4\u02bc\u00e9\u00df\u0130\u200b\u00a0\u3000\ufb01\u0301\u2163"),
        st.characters(),
    ),
    max_size=60,
)


@settings(max_examples=500)
@given(text=st.one_of(ascii_text, mixed_text))
def test_folding_gives_what_the_general_path_gives(text: str) -> None:
    assert fold_all(text) == reference_fold_all(text)
    assert fold(text) == reference_fold_all(text[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    assert compact(text) == fold(text).replace(" ", "")
    assert words(text) == fold(text).split()


@given(text=ascii_text, copies=st.integers(1, 80))
def test_a_long_query_is_cut_short_as_before(text: str, copies: int) -> None:
    long = text * copies
    assert fold(long) == reference_fold_all(long[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    assert fold_all(long) == reference_fold_all(long)


@given(
    texts=st.lists(
        st.one_of(ascii_text, mixed_text, st.just(""), st.just("a\x00b"), st.text("ab -", min_size=190, max_size=900))
    )
)
def test_folding_many_texts_at_once_folds_each(texts: list[str]) -> None:
    """Empty texts, the separator the batch uses, texts that fold cuts short, non-ASCII ones among the rest."""
    assert fold_each(texts) == [fold(text) for text in texts]


def test_ascii_punctuation_apostrophes_and_case() -> None:
    assert fold("  O'Toole -- d`Arc_\tEU/US  ") == "otoole darc eu us"
    assert fold("\x1c\x1dA\x1fB\x0b") == "a b"  # control characters and unusual whitespace are separators too
    assert compact("CUSMA-review") == "cusmareview"
