"""The French catalog is complete: every string the code passes to gettext, and every command and option
description /help shows, has a French translation with the same placeholders."""

from __future__ import annotations

import re

from bot.i18n import gettext_for, human_date, human_day
from bot.i18n_catalog import translated as catalog
from bot.i18n_catalog import used_by_the_code
from bot.store.dates import ApproxDate

_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_the_extractor_sees_the_handlers_strings() -> None:
    """Guards the check below: an extractor that found nothing would pass it."""
    assert {"Positions", "Said", "Briefbot commands", "Sources: ", "As of {day}"} <= used_by_the_code()


def test_french_has_every_string_the_code_uses() -> None:
    french = catalog("fr")
    missing = sorted(m for m in used_by_the_code() if not french.get(m))
    assert missing == [], "run python -m bot.i18n_catalog, then translate:\n" + "\n".join(missing)


def test_french_keeps_every_placeholder() -> None:
    wrong = [
        (msgid, text)
        for msgid, text in catalog("fr").items()
        if sorted(_PLACEHOLDER.findall(msgid)) != sorted(_PLACEHOLDER.findall(text))
    ]
    assert wrong == []


def test_the_catalog_is_compiled_from_the_po_file_on_load() -> None:
    assert gettext_for("fr")("Coming up") == "À venir"
    assert gettext_for("en")("Coming up") == "Coming up"


def test_dates_read_as_a_french_canadian_writes_them() -> None:
    import datetime as dt

    assert human_day(dt.date(2025, 5, 2), "fr") == "2 mai 2025"
    assert human_day(dt.date(2025, 5, 1), "fr") == "1er mai 2025"
    assert human_date(ApproxDate.parse("~2025-05-01"), "fr") == "vers le 1er mai 2025"
    assert human_date(ApproxDate.parse("2024-11"), "fr") == "novembre 2024"
    assert human_day(dt.date(2025, 5, 2), "en") == "2 May 2025"


def test_plural_forms_follow_french_rules() -> None:
    from handlers.lookup_text import lookup_text

    assert [lookup_text("topic", "fr", unlisted=n).more for n in (1, 2)] == [" et 1 autre", " et 2 autres"]
    assert [lookup_text("topic", "en", unlisted=n).more for n in (1, 2)] == [" and 1 more", " and 2 more"]
