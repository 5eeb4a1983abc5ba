"""Small text pieces every surface shares: clipping to a length, and the event and outlet credits in answers.

One place for them so a briefing, a /status answer, a watch alert and a change digest credit a source the same way,
and every cut text ends the same way. Platform markup rules (Slack links, Discord escapes) stay in the adapters and
come in through ``tidy``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from bot.markup import escape
from bot.reply import SourceRef
from bot.store.model import Source

ELLIPSIS = "…"


def clip(
    text: str,
    limit: int,
    *,
    mark: str = ELLIPSIS,
    breaks: str = "",
    lose: int | Fraction | None = None,
    tidy: Callable[[str], str] | None = None,
) -> str:
    """``text`` in at most ``limit`` characters, ending with ``mark`` when it had to be cut.

    ``breaks`` are characters to cut back to, tried in order (``"\\n "``: a line end, else a word end), when that
    loses at most ``lose`` characters (an int), that share of the kept text (a Fraction), or any amount (None).
    ``tidy`` trims the kept text first, so a cut never lands inside platform markup.
    """
    if len(text) <= limit:
        return text
    if limit <= len(mark):
        return ""
    head = text[: limit - len(mark)]
    if tidy is not None:
        head = tidy(head)
    most = len(head) if lose is None else lose if isinstance(lose, int) else math.ceil(len(head) * lose)
    for stop in breaks:
        at = head.rfind(stop)
        if at >= 0 and len(head) - at <= most:
            head = head[:at]
            break
    return head.rstrip() + mark


def one_line(text: str) -> str:
    """Runs of whitespace, line breaks included, as single spaces: for echoing what someone typed."""
    return " ".join(text.split())


def credit(*parts: str | None) -> str:
    """Where a line comes from (its outlet, maybe a date), as its tail in the markdown subset: `` _(CBC News)_``;
    empty when every part is."""
    shown = [escape(p) for p in parts if p]
    return f" _({', '.join(shown)})_" if shown else ""


def event_line(day: str, title: str, outlet: str | None = None, *, new: bool = False) -> str:
    """One dated event as a list item: ``- **2 May 2025**: Title _(Outlet)_``; ``new`` says "New event"."""
    lead = f"New event, **{day}**" if new else f"**{day}**"
    return f"- {lead}: {escape(title)}{credit(outlet)}"


def source_text(outlet: str, title: str, date: str) -> str:
    """A source as plain text: ``Outlet, “Title”, 2 May 2025``."""
    return f"{outlet}, \u201c{title}\u201d, {date}"


def source_ref(source: Source) -> SourceRef:
    """A store source as a reply cites it."""
    return SourceRef(source.outlet, source.title, source.date.human(), source.link)
