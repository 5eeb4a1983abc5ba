"""Why a document has gone stale, in the reader's language.

:mod:`bot.store.review` words the reason in English (``review was due 1 May 2025``, ``last updated April 2025``)
for ``briefbot check --stale`` and the owners' messages; the briefing reads the reason back into its parts (which
kind of reason, the interval, the date) and says it again in the reader's language.
"""

from __future__ import annotations

import calendar
import re

from bot.i18n import DEFAULT, gettext_for, human_date
from bot.store.dates import ApproxDate
from bot.store.review import Due

_MONTHS = {name: i for i in range(1, 13) for name in (calendar.month_name[i], calendar.month_abbr[i])}
_DATE = r"(?P<about>about )?(?:(?P<day>\d{1,2}) )?(?:(?P<month>[A-Z][a-z]+) )?(?P<year>\d{4})"
_REASONS = (
    ("review_by", re.compile(rf"^review was due {_DATE}$")),
    ("every", re.compile(rf"^review every (?P<every>\S+) was due {_DATE}$")),
    ("reviewed", re.compile(rf"^last reviewed {_DATE}$")),
    ("updated", re.compile(rf"^last updated {_DATE}$")),
)


def stale_reason(due: Due, language: str) -> str:
    """``due.line()`` in ``language``: the reason, naming the owner when there is one."""
    if language == DEFAULT:
        return due.line()
    _ = gettext_for(language)
    why = due.why
    for kind, pattern in _REASONS:
        match = pattern.match(why)
        date = _date(match) if match else None
        if match is None or date is None:
            continue
        day = human_date(date, language)
        if kind == "review_by":
            why = _("review was due {day}").format(day=day)
        elif kind == "every":
            why = _("review every {every} was due {day}").format(every=match["every"], day=day)
        elif kind == "reviewed":
            why = _("last reviewed {day}").format(day=day)
        else:
            why = _("last updated {day}").format(day=day)
        break
    return _("{why} (owner: {owner})").format(why=why, owner=due.owner_name) if due.owner_name else why


def _date(match: re.Match[str]) -> ApproxDate | None:
    month = _MONTHS.get(match["month"] or "")
    if match["month"] and month is None:
        return None
    text = match["year"]
    if month:
        text += f"-{month:02d}"
        if match["day"]:
            text += f"-{int(match['day']):02d}"
    return ApproxDate.parse(("~" if match["about"] else "") + text)
