"""Commands that forgive what is unambiguous and explain what is not (issue 17, items 7 to 9), through the router."""

from __future__ import annotations

import pytest

from bot.reply import Tone
from tests.conftest import Ask, text_of


async def test_an_option_the_command_does_not_take_names_the_ones_it_does(ask: Ask) -> None:
    reply = await ask("/status tariffs since:2025-04-01")
    assert reply.tone == Tone.ERROR
    text = text_of(reply)
    assert "since:" in text and "deal:" in text and "date:" in text
    assert "which topic" not in text.lower()


async def test_an_unknown_word_with_a_colon_is_not_swallowed_into_the_lookup(ask: Ask) -> None:
    reply = await ask("/status tariffs foo:bar")
    assert reply.tone == Tone.ERROR
    assert "foo:" in text_of(reply)


async def test_a_command_without_options_says_so(ask: Ask) -> None:
    reply = await ask("/health foo:bar")
    assert reply.tone == Tone.ERROR
    assert "takes no options" in text_of(reply)


async def test_an_option_with_a_space_after_the_colon_works(ask: Ask) -> None:
    spaced = await ask("/status tariffs date: 2025-03-10")
    assert spaced.tone == Tone.ANSWER
    assert text_of(spaced) == text_of(await ask("/status tariffs date:2025-03-10"))


async def test_search_words_with_a_colon_stay_search_words(ask: Ask) -> None:
    reply = await ask("/search note: dairy")
    assert reply.tone == Tone.ANSWER
    assert "note: dairy" in text_of(reply)


@pytest.mark.parametrize(
    ("typed", "meant"), [("/stauts tariffs", "/status tariffs"), ("/serch dairy", "/search dairy")]
)
async def test_a_misspelt_command_offers_the_one_meant(ask: Ask, typed: str, meant: str) -> None:
    reply = await ask(typed)
    text = text_of(reply)
    assert reply.tone == Tone.ERROR
    assert f"did you mean `{meant}`" in text.lower()
    assert "/unwatch" not in text  # not the whole list


async def test_an_unknown_command_with_no_near_name_points_to_help_and_search(ask: Ask) -> None:
    text = text_of(await ask("/dairy"))
    assert "/help" in text and "/search dairy" in text


async def test_a_date_without_leading_zeros_is_understood(ask: Ask) -> None:
    loose = await ask("/status tariffs date:2025-3-9")
    assert loose.tone == Tone.ANSWER
    assert text_of(loose) == text_of(await ask("/status tariffs date:2025-03-09"))


async def test_bare_words_run_the_command_they_name_and_otherwise_search(ask: Ask) -> None:
    assert text_of(await ask("status tariffs")) == text_of(await ask("/status tariffs"))
    assert (await ask("dairy")).title.startswith("Search: dairy")
    assert "Did you mean `/status tariffs`" in text_of(await ask("stauts tariffs"))
