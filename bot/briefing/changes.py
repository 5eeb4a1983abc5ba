"""What changed, as data: one :class:`Change` per thing a reader should hear about, and how each is said.

Both ways of finding changes produce these, so the briefing reads the same whichever was used: the digest between
a channel's last snapshot and now (:mod:`bot.briefing.digest`), and the store's own dates since a day
(:mod:`bot.briefing.dated`). Wording lives here only: a change line, and the one-sentence top line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.markup import escape
from bot.store.model import status_label
from bot.textfmt import clip, credit

QUOTE_CHARS = 160  # a quote longer than this is cut: the briefing attributes it, /who has it whole
POSITION_CHARS = 200
MAX_NAMED = 3  # the top line names this many changes, then counts the rest


class Kind(StrEnum):
    STATUS = "status"  # a topic's status moved
    POSITION = "position"  # a party's position on a topic changed
    MILESTONE = "milestone"  # a milestone's status moved (``old`` None: a new milestone)
    TARGET = "target"  # a milestone's target date was set or moved
    EVENT = "event"  # dated in the window (the store's dates)
    NEW_EVENT = "new_event"  # added to the record since the last briefing, whatever its date
    QUOTE = "quote"
    QUESTION_NEW = "question_new"
    QUESTION_CLOSED = "question_closed"  # no longer in the open questions: answered or dropped
    ADDED = "added"  # a document, for maintainers
    EDITED = "edited"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Change:
    """One change. ``title`` names what changed (a topic, milestone, event, person, question or document);
    ``old``/``new`` are statuses, dates, a quote's or a position's words; ``where`` is a track title, a party name
    or a quote's date; ``topic`` is the topic id whose outlook says why it matters; ``source`` a source id."""

    kind: Kind
    title: str
    old: str | None = None
    new: str | None = None
    where: str | None = None
    topic: str | None = None
    source: str | None = None

    @property
    def for_maintainers(self) -> bool:
        return self.kind in (Kind.ADDED, Kind.EDITED, Kind.REMOVED)

    @property
    def question(self) -> bool:
        return self.kind in (Kind.QUESTION_NEW, Kind.QUESTION_CLOSED)


def change_line(change: Change, outlet: str | None = None) -> str:
    """The change as one list item of the markdown subset, credited to ``outlet``."""
    what = escape(change.title)
    tail = credit(outlet)
    match change.kind:
        case Kind.STATUS:
            return f"- **{what}**: {_status(change.old)} → **{_status(change.new)}**{tail}"
        case Kind.MILESTONE if change.old is None:
            return f"- New milestone **{what}** ({escape(change.where or '')}): {_status(change.new)}{tail}"
        case Kind.MILESTONE:
            return (
                f"- **{what}** ({escape(change.where or '')}): {_status(change.old)} → **{_status(change.new)}**{tail}"
            )
        case Kind.TARGET:
            where = f"**{what}** ({escape(change.where or '')})"
            if change.old is None:
                return f"- {where}: date set, **{escape(change.new or '')}**{tail}"
            if change.new is None:
                return f"- {where}: no date any more (was {escape(change.old)}){tail}"
            return f"- {where}: date moved from {escape(change.old)} to **{escape(change.new)}**{tail}"
        case Kind.POSITION:
            words = escape(clip(change.new or "", POSITION_CHARS))
            return f"- **{what}**: {_possessive(escape(change.where or ''))} position changed: {words}{tail}"
        case Kind.QUOTE:
            words = escape(clip(change.new or "", QUOTE_CHARS))
            return f"- **{what}** ({escape(change.where or '')}): \u201c{words}\u201d{tail}"
        case Kind.EVENT:
            return f"- **{escape(change.where or '')}**: {what}{tail}"
        case Kind.NEW_EVENT:
            return f"- New event, **{escape(change.where or '')}**: {what}{tail}"
        case Kind.QUESTION_NEW:
            return f"- New: {what}"
        case Kind.QUESTION_CLOSED:
            return f"- No longer open: {what}"
    return f"- {change.kind.value.capitalize()}: {what}"


def maintainer_line(changes: Sequence[Change]) -> str:
    """Documents added, edited or removed, in one line: what a reader skims past and a maintainer checks."""
    parts = []
    for kind in (Kind.EDITED, Kind.ADDED, Kind.REMOVED):
        titles = [escape(c.title) for c in changes if c.kind is kind]
        if titles:
            parts.append(f"{kind.value} {_list(titles, 4)}")
    return f"- Also {'; '.join(parts)}" if parts else ""


PLURALS = {
    "new quote": "new quotes",
    "event": "events",
    "new event": "new events",
    "new milestone": "new milestones",
    "open question changed": "open questions changed",
    "document revised": "documents revised",
    "other move": "other moves",
}


def top_line(changes: Sequence[Change]) -> str:
    """One sentence on what moved, in the markdown subset: status moves, milestones and dates named; quotes,
    events and edits counted."""
    named: list[str] = []
    counted: dict[str, int] = {}
    for c in changes:
        if c.kind is Kind.STATUS:
            named.append(f"{escape(c.title)} moved to {_status(c.new)}")
        elif c.kind is Kind.MILESTONE and c.old is not None:
            named.append(f"{escape(c.title)}: {_status(c.new)}")
        elif c.kind is Kind.TARGET:
            named.append(f"{escape(c.title)}: date {'set' if c.old is None else 'moved'}")
        elif c.kind is Kind.POSITION:
            named.append(f"{escape(c.where or '')} shifted on {escape(c.title)}")
        else:
            what = {
                Kind.EVENT: "event",
                Kind.NEW_EVENT: "new event",
                Kind.QUOTE: "new quote",
                Kind.MILESTONE: "new milestone",
                Kind.QUESTION_NEW: "open question changed",
                Kind.QUESTION_CLOSED: "open question changed",
            }.get(c.kind, "document revised")
            counted[what] = counted.get(what, 0) + 1
    if named or len(counted) > 1:
        counted.pop("document revised", None)  # edits are for maintainers: named only when nothing else moved
    events = [c for c in changes if c.kind in (Kind.EVENT, Kind.NEW_EVENT)]
    if len(events) == 1 and len(named) < MAX_NAMED:  # one event says more by its title than as "1 event"
        for kind in ("event", "new event"):
            counted.pop(kind, None)
        named.append(escape(events[0].title))
    parts = named[:MAX_NAMED]
    if len(named) > MAX_NAMED:
        counted = {"other move": len(named) - MAX_NAMED, **counted}
    parts.extend(f"1 {what}" if n == 1 else f"{n} {PLURALS[what]}" for what, n in counted.items())
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if sentence else ""


def _list(items: Sequence[str], most: int) -> str:
    shown = list(items[:most])
    if len(items) > most:
        shown.append(f"{len(items) - most} more")
    return ", ".join(shown)


def _status(status: str | None) -> str:
    return status_label(status) if status else "unknown"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"  # the United States' position
