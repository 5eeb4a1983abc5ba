"""Interface languages: gettext catalogs (Babel), dates in the reader's language, and which language to answer in.

Message ids are the English text, so English needs no catalog; each other language has a ``.po`` file under
``bot/locale/<locale>/LC_MESSAGES/briefbot.po``, compiled in memory on first use (Babel's reader and writer), so a
fresh clone installed with ``pip install -e .`` works without a build step and no ``.mo`` file is kept in git.

A language is chosen per answer: ``lang:`` on the command, else the reader's locale when the platform sends it, else
the channel's ``language`` from the config, else the bot's default (see :func:`answer_language`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import gettext as _gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from bot.store.dates import ApproxDate, Precision

DOMAIN = "briefbot"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
# Briefbot's languages and the locale each speaks: Canadian French, as federal institutions write it.
LOCALES: dict[str, str] = {"en": "en_CA", "fr": "fr_CA"}
LANGUAGES = tuple(LOCALES)

Gettext = Callable[[str], str]


def normalize(value: str | None) -> str | None:
    """``fr-CA``, ``fr_FR``, ``FR`` -> ``fr``; a language Briefbot does not speak, or nothing, -> None."""
    if not value:
        return None
    language = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return language if language in LOCALES else None


def answer_language(option: str | None, reader: str | None, default: str = DEFAULT) -> str:
    """``lang:`` on the command, else the reader's (or channel's) language, else ``default``."""
    return normalize(option) or normalize(reader) or normalize(default) or DEFAULT


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalog for ``language``; English (the message ids themselves) is the null catalog."""
    locale = LOCALES.get(language)
    po = LOCALE_DIR / str(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or locale is None or not po.is_file():
        return _gettext.NullTranslations()
    # Babel here and in _format_date, not at import: about 10 ms that an English answer (the null catalog, the
    # English date words) never needs, on every one-shot `briefbot ask`.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with po.open("rb") as file:
        catalog = read_po(file, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def gettext_for(language: str) -> Gettext:
    return translations(language).gettext


def ngettext_for(language: str) -> Callable[[str, str, int], str]:
    return translations(language).ngettext


def _format_date(day: dt.date, pattern: str, locale: str) -> str:
    from babel.dates import format_date  # lazily: see translations()

    return format_date(day, pattern, locale=locale)


def human_day(day: dt.date, language: str) -> str:
    """``2 May 2025`` / ``2 mai 2025`` (``1er mai 2025``: French writes the first of the month so)."""
    return human_date(ApproxDate(day), language)


def human_date(date: ApproxDate, language: str) -> str:
    """An approximate date as a reader of ``language`` says it; English as :meth:`ApproxDate.human` does."""
    if language == DEFAULT or language not in LOCALES:
        return date.human()
    locale = LOCALES[language]
    _ = gettext_for(language)
    if date.precision is Precision.YEAR:
        return str(date.start.year)
    if date.precision is Precision.MONTH:
        return _format_date(date.start, "MMMM y", locale)
    day = _format_date(date.start, "d MMMM y", locale)
    if date.start.day == 1:
        day = "1er" + day[1:]
    return _("about {day}").format(day=day) if date.precision is Precision.ABOUT else day


def month_name(month: int, language: str) -> str:
    if language == DEFAULT or language not in LOCALES:
        return calendar.month_name[month]
    return _format_date(dt.date(2000, month, 1), "MMMM", LOCALES[language])


def labelled(label: str, text: str, language: str) -> str:
    """``label: text``; French sets a space before the colon (``label : text``)."""
    _ = gettext_for(language)
    return _("{label}: {text}").format(label=label, text=text)


def status_word(status: str, language: str) -> str:
    """A store status as readers of ``language`` say it (``in_talks`` -> ``in talks`` / ``en négociation``)."""
    _ = gettext_for(language)
    words = {
        "not_started": _("not started"),
        "in_progress": _("in progress"),
        "done": _("done"),
        "blocked": _("blocked"),
        "dropped": _("dropped"),
        "open": _("open"),
        "in_talks": _("in talks"),
        "stalled": _("stalled"),
        "agreed": _("agreed"),
        "resolved": _("resolved"),
    }
    return words.get(status, status.replace("_", " "))


__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "LOCALES",
    "answer_language",
    "gettext_for",
    "human_date",
    "human_day",
    "labelled",
    "month_name",
    "ngettext_for",
    "normalize",
    "status_word",
    "translations",
]
