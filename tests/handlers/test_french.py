"""/status, /who and /help in French: the same facts as in English (statuses, dates, sources, people, events),
in French words; names in either language find the same thing; the channel's language is the fallback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import App
from bot.config import HttpConfig, Settings, load_settings
from bot.errors import ConfigError
from bot.targets import Target
from tests.conftest import AS_OF, Ask, text_of


def _facts(reply_text: str) -> dict[str, object]:
    """Language-free facts of an answer: years, days of the month, outlets cited and the links."""
    return {
        "years": sorted(re.findall(r"\b20\d\d\b", reply_text)),
        "outlets": reply_text.count("CBC News"),
        "links": sorted(re.findall(r"https?://\S+", reply_text)),
    }


async def test_status_tarifs_in_french_shows_the_english_facts(ask: Ask) -> None:
    english = await ask("/status tariffs")
    french = await ask("/status tarifs lang:fr")

    assert french.title == "Droits de douane américains sur les produits canadiens"
    assert french.status == english.status == "open"
    assert french.subtitle is not None and "volet" in french.subtitle and "ouvert" in french.subtitle
    assert [s.heading for s in french.sections] == [
        None,
        "Positions",
        "Perspectives",
        "Derniers faits",
        "À venir",
        "Personnes",
        "Contexte",
    ]
    assert [s.heading is None for s in english.sections] == [s.heading is None for s in french.sections]
    assert [(s.outlet, s.title, s.link) for s in french.sources] == [
        (s.outlet, s.title, s.link) for s in english.sources
    ]
    assert english.updated == "about 1 May 2025" and french.updated == "vers le 1er mai 2025"
    assert french.footer[0].startswith("En date du 2 mai 2025 · deals/canada-us/topics/tariffs.fr.md")
    assert _facts(text_of(french)) == _facts(text_of(english))
    assert "25 %" in text_of(french)  # French spacing before the percent sign


async def test_who_clow_in_french_keeps_the_quotes_as_said_with_their_meaning(ask: Ask) -> None:
    english = await ask("/who clow")
    french = await ask("/who clow lang:fr")

    said = next(s for s in french.sections if s.heading == "Déclarations").text
    for quote in ("I'm choosing to be optimistic", "right out of the gate"):
        assert quote in said  # the words as said, with a French gloss beside them
    assert "«\u00a0À ce stade, je choisis d'être optimiste" in said
    assert said.count("\n") == next(s for s in english.sections if s.heading == "Said").text.count("\n")
    topics = next(s for s in french.sections if s.heading == "Dossiers").text
    assert "Droits de douane américains sur les produits canadiens" in topics and ": ouvert" in topics
    assert _facts(text_of(french)) == _facts(text_of(english))


async def test_names_in_either_language_find_the_same_entry(ask: Ask) -> None:
    for query in ("/status tarifs", "/status produits laitiers", "/status acier lang:fr"):
        reply = await ask(query)
        assert reply.tone == "answer", query
    assert (await ask("/status produits laitiers")).title == (await ask("/status dairy")).title


async def test_help_in_french(ask: Ask) -> None:
    reply = await ask("/help lang:fr")
    assert reply.title == "Commandes de Briefbot"
    assert "Où en est un dossier" in reply.sections[0].text
    detail = await ask("/help status lang:fr")
    assert "**Syntaxe :**" in detail.sections[0].text and "(obligatoire)" in detail.sections[0].text


async def test_an_unknown_language_is_refused_with_the_ones_there_are(ask: Ask) -> None:
    reply = await ask("/status tariffs lang:de")
    assert reply.tone == "error" and "en, fr" in reply.sections[0].text


def test_config_language_settings_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "briefbot.yaml"
    config.write_text("language: fr-CA\nchannel_languages:\n  slack:T1:C1: EN\n", encoding="utf-8")
    settings = load_settings(config)
    assert (settings.language, settings.channel_languages) == ("fr", {"slack:T1:C1": "en"})
    config.write_text("language: de\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'de' is not a language Briefbot speaks: use one of en, fr"):
        load_settings(config)


async def test_a_channel_configured_in_french_is_answered_in_french(tmp_path: Path) -> None:
    french_channel = Target.parse("slack:T1:CFR")
    settings = Settings(
        as_of=AS_OF,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        http=HttpConfig(enabled=False),
        channel_languages={str(french_channel): "fr"},
    )
    app = App(settings)
    assert (await app.ask("/who clow", french_channel)).sections[0].heading == "Position"
    assert (await app.ask("/who clow lang:en", french_channel)).sections[0].heading == "Stance"
    assert (await app.ask("/who clow", Target.parse("slack:T1:CEN"))).sections[0].heading == "Stance"


async def test_a_name_that_finds_nothing_is_answered_in_french(ask: Ask) -> None:
    reply = await ask("/status zzzz lang:fr")
    assert reply.tone == "not_found"
    assert reply.title == "Aucun dossier ne correspond à « zzzz »"
    assert reply.sections[0].text.startswith("Dossiers connus : ")
    assert "Droits de douane américains sur les produits canadiens" in reply.sections[0].text
    assert (await ask("/who zzzz lang:fr")).title == "Aucune personne ne correspond à « zzzz »"
    assert (await ask("/who zzzz")).title == "No person matches \u201czzzz\u201d"


async def test_dated_lines_in_french_set_a_space_before_the_colon(ask: Ask) -> None:
    french = text_of(await ask("/status tariffs lang:fr"))
    assert "• 30 avril 2025 : " in french  # French typography: « date : titre »
    assert "• 30 Apr 2025: " in text_of(await ask("/status tariffs"))  # English keeps its own
    assert "• 30 avril 2025 : " in text_of(await ask("/timeline tariffs lang:fr"))
