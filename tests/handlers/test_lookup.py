"""Forgiving lookups: aliases, typos, accents and apostrophes, ambiguity, empty and absurd input."""

from __future__ import annotations

import pytest

from bot.reply import Tone
from tests.conftest import Ask, text_of


@pytest.mark.parametrize(
    ("query", "title_word"),
    [
        ("tariffs", "tariffs"),
        ("steel", "tariffs"),
        ("TARIFFS", "tariffs"),
        ("tarrifs", "tariffs"),  # typo
        ("cusma-review", "CUSMA"),
        ("cusma review", "CUSMA"),
        ("usmca", "CUSMA"),
        ("digital services tax", "Digital"),
        ("dst", "Digital"),
        ("uranium", "minerals"),
    ],
)
async def test_topic_lookups_find_the_topic(ask: Ask, query: str, title_word: str) -> None:
    reply = await ask(f"/status {query}")
    assert reply.tone == Tone.ANSWER, text_of(reply)
    assert title_word.lower() in reply.title.lower()


@pytest.mark.parametrize(
    "query", ["otoole", "o'toole", "O\u2019Toole", "O'TOOLE", "erin o toole", "Erin O’Toole", "toole"]
)
async def test_apostrophes_and_case_find_otoole(ask: Ask, query: str) -> None:
    reply = await ask(f"/who {query}")
    assert reply.title == "Erin O'Toole", text_of(reply)


async def test_accents_are_folded(ask: Ask) -> None:
    assert (await ask("/who cárney")).title == "Mark Carney"


async def test_typo_is_answered_and_flagged_as_closest_match(ask: Ask) -> None:
    reply = await ask("/who lightizer")
    assert reply.title == "Robert Lighthizer"
    assert any("closest match" in line for line in reply.footer)


async def test_unknown_topic_says_so_and_lists_what_exists(ask: Ask) -> None:
    reply = await ask("/status fisheries")
    assert reply.tone == Tone.NOT_FOUND
    text = text_of(reply)
    assert "No topic matches" in text
    assert "Dairy" in text  # lists the known topics


async def test_empty_argument_gets_usage_not_a_crash(ask: Ask) -> None:
    reply = await ask("/status   ")
    assert reply.tone == Tone.ERROR
    assert "/status" in text_of(reply) and "tariffs" in text_of(reply)


async def test_very_long_input_is_answered(ask: Ask) -> None:
    reply = await ask("/status " + "tariff " * 3000)
    assert reply.tone in (Tone.ANSWER, Tone.NOT_FOUND, Tone.QUESTION)


async def test_unknown_command_lists_the_commands(ask: Ask) -> None:
    reply = await ask("/statuss tariffs")
    assert reply.tone == Tone.ERROR
    assert "/status" in text_of(reply)


async def test_ambiguous_query_offers_choices_that_reissue_the_command(ask_second: Ask) -> None:
    # port-access exists in both deals of the second store, and no deal is implied
    reply = await ask_second("/status port access")
    assert reply.tone == Tone.QUESTION
    commands = {c.command for c in reply.choices}
    assert commands == {"/status port-access deal:northwind-fisheries", "/status port-access deal:northwind-timber"}
    picked = await ask_second(sorted(commands)[1])
    assert picked.tone == Tone.ANSWER


async def test_deal_option_scopes_topics(ask_second: Ask) -> None:
    reply = await ask_second("/status port-access deal:northwind-timber")
    assert reply.tone == Tone.ANSWER
    assert "timber" in (reply.subtitle or "").lower()


async def test_channel_default_deal_applies(ask_second: Ask) -> None:
    reply = await ask_second("/status port-access", default_deal="northwind-fisheries")
    assert reply.tone == Tone.ANSWER
    assert "fisheries" in (reply.subtitle or "").lower()


async def test_several_deals_and_none_given_asks_which(ask_second: Ask) -> None:
    reply = await ask_second("/deal")
    assert reply.tone == Tone.QUESTION
    assert {c.command for c in reply.choices} == {"/deal deal:northwind-fisheries", "/deal deal:northwind-timber"}
