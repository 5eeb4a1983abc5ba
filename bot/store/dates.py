"""Approximate dates, as sources give them: a day, "about" a day, a month, or a year.

Written in the store as ``2025-05-06``, ``~2025-05-01``, ``2025-05`` or ``2025``. Every approximate date
sorts and compares by its earliest possible day, so timelines and "coming up" lists stay ordered.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

_PATTERN = re.compile(r"^(?P<about>~)?(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12]\d|3[01])"
# what editors check: the same spellings parse() takes ('~' only with a full day); impossible days like
# 2025-02-30 still pass here and are caught by `briefbot check`
JSON_PATTERN = rf"^(~?\d{{4}}-{_MONTH}-{_DAY}|\d{{4}}-{_MONTH}|\d{{4}})$"


class Precision(StrEnum):
    DAY = "day"
    ABOUT = "about"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, order=True, slots=True)
class ApproxDate:
    """A date with the precision its source allows; ordered by ``start`` then precision."""

    start: dt.date
    precision: Precision = Precision.DAY

    @classmethod
    def parse(cls, value: object) -> ApproxDate:
        if isinstance(value, ApproxDate):
            return value
        if isinstance(value, dt.datetime):
            return cls(value.date())
        if isinstance(value, dt.date):
            return cls(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"expected a date such as 2025-05-06, ~2025-05-01 or 2025-05, got {value!r}")
        text = value.strip()
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a date: write 2025-05-06, ~2025-05-01 (about), 2025-05 or 2025")
        year, month, day = int(match["y"]), match["m"], match["d"]
        try:
            if day is not None:
                start = dt.date(year, int(month), int(day))
                return cls(start, Precision.ABOUT if match["about"] else Precision.DAY)
            if match["about"]:
                raise ValueError(f"'{text}': '~' (about) goes with a full day, such as ~2025-05-01")
            if month is not None:
                return cls(dt.date(year, int(month), 1), Precision.MONTH)
            return cls(dt.date(year, 1, 1), Precision.YEAR)
        except ValueError as exc:
            if "about" in str(exc):
                raise
            raise ValueError(f"'{text}' is not a real date ({exc})") from None

    @property
    def end(self) -> dt.date:
        """The last day this date could mean."""
        if self.precision is Precision.MONTH:
            last = calendar.monthrange(self.start.year, self.start.month)[1]
            return self.start.replace(day=last)
        if self.precision is Precision.YEAR:
            return self.start.replace(month=12, day=31)
        return self.start

    @property
    def is_exact(self) -> bool:
        return self.precision is Precision.DAY

    def iso(self) -> str:
        """The store's own spelling, round-trippable through :meth:`parse`."""
        if self.precision is Precision.MONTH:
            return self.start.strftime("%Y-%m")
        if self.precision is Precision.YEAR:
            return str(self.start.year)
        prefix = "~" if self.precision is Precision.ABOUT else ""
        return prefix + self.start.isoformat()

    def human(self) -> str:
        """How a briefing says it: ``6 May 2025``, ``about 1 May 2025``, ``May 2025``, ``2026``."""
        if self.precision is Precision.MONTH:
            return f"{calendar.month_name[self.start.month]} {self.start.year}"
        if self.precision is Precision.YEAR:
            return str(self.start.year)
        text = f"{self.start.day} {calendar.month_abbr[self.start.month]} {self.start.year}"
        return f"about {text}" if self.precision is Precision.ABOUT else text

    def __str__(self) -> str:
        return self.human()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(lambda v: v.iso())
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": JSON_PATTERN,
            "description": "A day (2025-05-06), about a day (~2025-05-01), a month (2025-05) or a year (2025).",
        }


# The days a command may ask about: wide enough for any negotiation, far enough from the calendar's ends that
# "as of" arithmetic (windows of days to years around the day) never leaves Python's date range.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def parse_day(text: str) -> dt.date:
    """Parse an exact ``YYYY-MM-DD`` (the "as of" dates of commands), with a readable error."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD, for example 2025-05-02") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"'{text.strip()}' is out of range: Briefbot answers for dates from {FIRST_DAY} to {LAST_DAY}")
    return day


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, held at the calendar's ends rather than overflowing."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def human_day(day: dt.date) -> str:
    """``2 May 2025``."""
    return ApproxDate(day).human()
