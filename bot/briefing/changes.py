"""What changed, as data: one :class:`Change` per thing a reader should hear about, and how each is said.

Both ways of finding changes produce these, so the briefing reads the same whichever was used: the digest between
a channel's last snapshot and now (:mod:`bot.briefing.digest`), and the store's own dates since a day
(:mod:`bot.briefing.dated`). Wording lives here only: a change line, and the one-sentence top line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import DEFAULT, gettext_for, labelled, ngettext_for, status_word
from bot.markup import escape
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


def change_line(change: Change, outlet: str | None = None, language: str = DEFAULT) -> str:
    """The change as one list item of the markdown subset, credited to ``outlet``, in ``language``."""
    _ = gettext_for(language)
    what = escape(change.title)
    tail = credit(outlet)
    where = escape(change.where or "")
    old, new = _status(change.old, language), _status(change.new, language)
    match change.kind:
        case Kind.STATUS:
            return "- " + labelled(f"**{what}**", f"{old} → **{new}**", language) + tail
        case Kind.MILESTONE if change.old is None:
            return _("- New milestone **{what}** ({where}): {status}").format(what=what, where=where, status=new) + tail
        case Kind.MILESTONE:
            return "- " + labelled(f"**{what}** ({where})", f"{old} → **{new}**", language) + tail
        case Kind.TARGET:
            named = f"**{what}** ({where})"
            if change.old is None:
                line = _("- {what}: date set, **{day}**").format(what=named, day=escape(change.new or ""))
            elif change.new is None:
                line = _("- {what}: no date any more (was {day})").format(what=named, day=escape(change.old))
            else:
                line = _("- {what}: date moved from {old} to **{new}**").format(
                    what=named, old=escape(change.old), new=escape(change.new)
                )
            return line + tail
        case Kind.POSITION:
            words = escape(clip(change.new or "", POSITION_CHARS))
            # whole sentences: English's possessive (the United States' position) has no French counterpart
            said = (
                _("- **{what}**: {party}' position changed: {words}")
                if where.endswith("s")
                else _("- **{what}**: {party}'s position changed: {words}")
            )
            return said.format(what=what, party=where, words=words) + tail
        case Kind.QUOTE:
            words = escape(clip(change.new or "", QUOTE_CHARS))
            return "- " + labelled(f"**{what}** ({where})", f"\u201c{words}\u201d", language) + tail
        case Kind.EVENT:
            return "- " + labelled(f"**{where}**", what, language) + tail
        case Kind.NEW_EVENT:
            return _("- New event, **{day}**: {what}").format(day=where, what=what) + tail
        case Kind.QUESTION_NEW:
            return _("- New: {what}").format(what=what)
        case Kind.QUESTION_CLOSED:
            return _("- No longer open: {what}").format(what=what)
    return f"- {change.kind.value.capitalize()}: {what}"


def maintainer_line(changes: Sequence[Change], language: str = DEFAULT) -> str:
    """Documents added, edited or removed, in one line: what a reader skims past and a maintainer checks."""
    _ = gettext_for(language)
    said = {Kind.EDITED: _("edited {titles}"), Kind.ADDED: _("added {titles}"), Kind.REMOVED: _("removed {titles}")}
    parts = []
    for kind in (Kind.EDITED, Kind.ADDED, Kind.REMOVED):
        titles = [escape(c.title) for c in changes if c.kind is kind]
        if titles:
            parts.append(said[kind].format(titles=_list(titles, 4, language)))
    return _("- Also {what}").format(what="; ".join(parts)) if parts else ""


def _counted(what: str, n: int, language: str) -> str:
    """``n`` things of one kind, with the plural rule of ``language`` (French says « 1 nouvelle citation »)."""
    ngettext = ngettext_for(language)
    forms = {
        "new quote": ngettext("{count} new quote", "{count} new quotes", n),
        "event": ngettext("{count} event", "{count} events", n),
        "new event": ngettext("{count} new event", "{count} new events", n),
        "new milestone": ngettext("{count} new milestone", "{count} new milestones", n),
        "open question changed": ngettext("{count} open question changed", "{count} open questions changed", n),
        "document revised": ngettext("{count} document revised", "{count} documents revised", n),
        "other move": ngettext("{count} other move", "{count} other moves", n),
    }
    return forms[what].format(count=n)


def top_line(changes: Sequence[Change], language: str = DEFAULT) -> str:
    """One sentence on what moved, in the markdown subset: status moves, milestones and dates named; quotes,
    events and edits counted."""
    _ = gettext_for(language)
    named: list[str] = []
    counted: dict[str, int] = {}
    for c in changes:
        what = escape(c.title)
        if c.kind is Kind.STATUS:
            named.append(_("{what} moved to {status}").format(what=what, status=_status(c.new, language)))
        elif c.kind is Kind.MILESTONE and c.old is not None:
            named.append(labelled(what, _status(c.new, language), language))
        elif c.kind is Kind.TARGET:
            named.append((_("{what}: date set") if c.old is None else _("{what}: date moved")).format(what=what))
        elif c.kind is Kind.POSITION:
            named.append(_("{party} shifted on {what}").format(party=escape(c.where or ""), what=what))
        else:
            kind = {
                Kind.EVENT: "event",
                Kind.NEW_EVENT: "new event",
                Kind.QUOTE: "new quote",
                Kind.MILESTONE: "new milestone",
                Kind.QUESTION_NEW: "open question changed",
                Kind.QUESTION_CLOSED: "open question changed",
            }.get(c.kind, "document revised")
            counted[kind] = counted.get(kind, 0) + 1
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
    parts.extend(_counted(what, n, language) for what, n in counted.items())
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if sentence else ""


def _list(items: Sequence[str], most: int, language: str = DEFAULT) -> str:
    _ = gettext_for(language)
    shown = list(items[:most])
    if len(items) > most:
        shown.append(_("{count} more").format(count=len(items) - most))
    return ", ".join(shown)


def _status(status: str | None, language: str = DEFAULT) -> str:
    _ = gettext_for(language)
    return status_word(status, language) if status else _("unknown")
