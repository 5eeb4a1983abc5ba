"""/brief in French: the same facts as in English (the same days, counts, statuses, progress and sources), in French
words, with French plural rules and dates."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from babel.dates import get_month_names

from bot.i18n import LOCALES, status_word
from bot.reply import Reply
from bot.store.model import MilestoneStatus, TopicStatus
from tests.conftest import Ask, text_of

STATUSES = [*(s.value for s in TopicStatus), *(s.value for s in MilestoneStatus)]


def _days(text: str, language: str) -> Counter[dt.date]:
    """Every day the text names, whatever language it says it in (``2 May 2025``, ``1er mai 2025``)."""
    months = {
        name.lower(): number
        for width in ("wide", "abbreviated")
        for number, name in get_month_names(width, locale=LOCALES[language]).items()
    }
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    found = re.findall(rf"(?<!\d)(\d{{1,2}})(?:er)? ({names})\.? (\d{{4}})(?!\d)", text, flags=re.IGNORECASE)
    return Counter(dt.date(int(y), months[m.lower()], int(d)) for d, m, y in found)


def _numbers(text: str) -> Counter[str]:
    return Counter(re.findall(r"\b\d+\b", text.replace("1er ", "1 ")))


def _statuses(text: str, language: str) -> Counter[str]:
    """Statuses where a briefing states them: moved from and to (``old → new``), and after a title (``(open)``)."""
    counts: Counter[str] = Counter()
    for status in STATUSES:
        word = re.escape(status_word(status, language))
        counts[status] = len(re.findall(rf"(?:: |\()({word})(?: →|\))|→ ({word})\b", text))
    return +counts


def _progress(reply: Reply) -> list[tuple[int, int, str]]:
    return [(p.done, p.total, p.note) for s in reply.sections for p in s.progress]


async def test_brief_in_french_shows_the_same_facts_as_in_english(ask: Ask) -> None:
    english = await ask("/brief since:2025-04-25")
    french = await ask("/brief since:2025-04-25 lang:fr")
    en, fr = text_of(english), text_of(french)

    assert french.language == "fr"
    assert french.title.startswith("Bulletin quotidien : ")
    assert french.subtitle == "2 mai 2025" and english.subtitle == "2 May 2025"
    headings = [s.heading for s in french.sections]
    assert headings == [
        None,
        "Depuis le 25 avril 2025",
        "Pourquoi c'est important",
        "À venir (14 prochains jours)",
        "Avancement",
    ]
    assert len(english.sections) == len(french.sections)

    assert _days(fr, "fr") == _days(en, "en") and len(_days(en, "en")) >= 5
    assert _numbers(fr) == _numbers(en)
    assert _statuses(fr, "fr") == _statuses(en, "en") and _statuses(en, "en")["done"] >= 1
    assert _progress(french) == _progress(english)
    assert [(s.outlet, s.link) for s in french.sources] == [(s.outlet, s.link) for s in english.sources]
    assert french.sources[0].date == "vers le 1er mai 2025"

    # French plural rules and words throughout the top line and the rest
    assert "3 événements; 7 nouvelles citations." in fr
    assert "4 autres citations : Brian Clow (1), Erin O'Toole (3)" in fr
    assert "pas commencé → fait" in fr
    for english_word in ("Since", "Why it matters", "Coming up", "Progress", "new quotes", "not started"):
        assert english_word not in fr


async def test_a_quiet_day_in_french_counts_with_french_plurals(ask: Ask) -> None:
    english = await ask("/brief since:2025-05-02 date:2025-05-03")
    french = await ask("/brief since:2025-05-02 date:2025-05-03 lang:fr")

    line = text_of(french)
    assert "Journée calme : rien n'a changé depuis le 2 mai 2025" in line
    assert _days(line, "fr") == _days(text_of(english), "en")
    assert _numbers(line) == _numbers(text_of(english))


async def test_deal_in_french_has_french_headings_and_dates_and_the_same_progress(ask: Ask) -> None:
    english = await ask("/deal")
    french = await ask("/deal lang:fr")

    assert french.language == "fr" and french.title.startswith("Pourparlers Canada–États-Unis")
    assert [s.heading for s in french.sections][1] == "Avancement"
    assert french.sections[-1].heading == "Prochaines dates"
    assert _progress(french) == _progress(english)
    assert _days(text_of(french), "fr") == _days(text_of(english), "en")
    assert _statuses(text_of(french), "fr") == _statuses(text_of(english), "en")
    assert "**Objectif** : " in (french.sections[0].text or "")
    assert french.footer[0].startswith("En date du 2 mai 2025 · deals/canada-us/deal.fr.yaml")


async def test_timeline_in_french_counts_and_dates_in_french(ask: Ask) -> None:
    english = await ask("/timeline tariffs")
    french = await ask("/timeline tarifs lang:fr")

    assert french.title == "Chronologie : Droits de douane américains sur les produits canadiens"
    assert english.subtitle == "8 events up to 2 May 2025, 1 scheduled"
    assert french.subtitle == "8 événements jusqu'au 2 mai 2025, 1 prévu"
    assert [s.heading for s in french.sections] == ["Prévu", "Événements"]
    assert _days(text_of(french), "fr") == _days(text_of(english), "en")
    nothing = await ask("/timeline tariffs page:9 lang:fr")
    assert nothing.sections[0].text == "Il n'y a pas de page 9 : 8 événements tiennent sur 1 page."


async def test_search_in_french_shows_the_same_hits_in_french(ask: Ask) -> None:
    english = await ask("/search dairy")
    french = await ask("/search dairy lang:fr")

    assert french.title == "Recherche : dairy"
    assert english.subtitle == "4 best matches" and french.subtitle == "4 meilleurs résultats"
    assert french.sections[0].heading == "Dossier : Produits laitiers et gestion de l'offre"
    assert [c.command for c in french.choices] == [c.command for c in english.choices]
    # each hit's date (the prose around the words differs by language, and may name other days)
    dated = [f"{s.heading} {s.text.splitlines()[-2]}" for s in french.sections if s.text]
    dated_en = [f"{s.heading} {s.text.splitlines()[-2]}" for s in english.sections if s.text]
    assert (
        _days(" ".join(dated), "fr") == _days(" ".join(dated_en), "en") and _days(" ".join(dated_en), "en").total() >= 3
    )
    none = await ask("/search zzzqqq lang:fr")
    assert none.title == "Aucun résultat"
