"""The daily briefing: a top line on what moved, what changed in words and why it matters, the open questions that
changed, what is coming, progress per track and what has gone stale. A quiet day is one line.

Pure: the same store, deal, date and inputs give the same reply, so ``briefbot brief`` prints exactly what the
scheduler would post. What changed is a list of :class:`~bot.briefing.changes.Change`: either the store's dated
changes since a day (``since``; :mod:`bot.briefing.dated`) or, for a channel with a previous briefing, the digest
between its snapshot and now, which the caller passes in as ``changes``. The reply is neutral: Slack, Discord and
the console each draw it their own way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from bot.briefing.changes import Change, Kind, change_line, maintainer_line, top_line
from bot.briefing.dated import dated_changes
from bot.briefing.progress import Ahead, ahead_line, dates_ahead, track_progress
from bot.briefing.stale_text import stale_reason
from bot.config import BriefingOptions
from bot.i18n import DEFAULT, gettext_for, human_date, human_day, labelled, ngettext_for, status_word
from bot.markup import escape
from bot.reply import Progress, Reply, Section
from bot.store import DealEntry, Store
from bot.store.asof import AsOf, published_by
from bot.store.dates import ApproxDate, Precision, shift
from bot.store.documents import Document
from bot.store.index import EntityKind
from bot.store.localize import localize
from bot.store.model import Deal, EventLog, Person, Topic
from bot.store.review import Due, Reviewed, due_documents, people_of
from bot.textfmt import clip, source_ref

MAX_SHOWN = {Kind.EVENT: 5, Kind.NEW_EVENT: 5, Kind.QUOTE: 3}  # more than this are counted in one line
MAX_WHY = 3  # topics explained under "Why it matters"
OUTLOOK_CHARS = 220
MAX_QUESTIONS = 6
MAX_STALE = 4
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])")


def compose_briefing(
    store: Store,
    deal: DealEntry,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    changes: Sequence[Change] | None = None,
    previous: dict[str, Progress] | None = None,
    options: BriefingOptions = BriefingOptions(),
    viewer: str | None = None,
    commit: str | None = None,
    reviewed: Reviewed | None = None,
    language: str = DEFAULT,
) -> Reply:
    """``viewer`` is the target the briefing goes to: documents restricted away from it are left out, and a deal
    restricted away from it is refused (``LookupError``), never composed, whoever asks. ``language`` is the
    reader's: the store's translations into it, its words, plural rules and dates (changes passed in are already
    worded in it)."""
    if not store.index.visible(EntityKind.DEAL, deal.id, None, viewer):
        raise LookupError(f"deal '{deal.id}' may not be shown to {viewer}")
    _ = gettext_for(language)
    ngettext = ngettext_for(language)
    store = localize(store, language)
    deal = store.deals[deal.id]
    events = store.visible_events(deal.id, viewer)
    documents = store.visible_documents(_documents_of(store, deal), viewer)
    since = since or shift(as_of, -options.recent_days)
    on = AsOf.of(deal, as_of, events)  # progress as it stood on the briefing's day
    if changes is None:
        changes = dated_changes(store, deal, events, since, on, viewer, language)
    ahead = dates_ahead(deal, as_of, days=options.horizon_days, events=events, language=language)
    # scheduled when the record was written and due since: neither news nor still coming
    unconfirmed = [e for e in events if on.unconfirmed(e.date) and since < e.date.start and e.date.end < as_of]
    stale = due_documents(documents, as_of, options.stale_after_days, people=people_of(store), reviewed=reviewed)
    title = _("Daily briefing: {deal}").format(deal=deal.deal.title)
    day = human_day(as_of, language)
    if not changes and not unconfirmed:  # a quiet day is one line
        quiet = _quiet_line(since, ahead, stale, as_of, options, language)
        return Reply(title=title, subtitle=day, sections=(Section(text=quiet),), language=language)

    news = [c for c in changes if not c.question and not c.for_maintainers]
    lines = _shown(news, store, language)
    if also := maintainer_line([c for c in changes if c.for_maintainers], language):
        lines.append(also)
    top = top_line(changes, language) or _("Nothing new in the record since {day}.").format(
        day=human_day(since, language)
    )
    if unconfirmed:
        n = len(unconfirmed)
        top += " " + ngettext(
            "{count} scheduled event due by now has no recorded outcome.",
            "{count} scheduled events due by now have no recorded outcome.",
            n,
        ).format(count=n)
    sections = [Section(text=top)]
    if lines:
        sections.append(Section(heading=_("Since {day}").format(day=human_day(since, language)), text="\n".join(lines)))
    why, why_sources = _why_it_matters(store, deal, news, viewer, language)
    if why:
        sections.append(Section(heading=_("Why it matters"), text="\n".join(why)))
    questions = [change_line(c, language=language) for c in changes if c.question]
    if questions:
        if len(questions) > MAX_QUESTIONS:
            more = len(questions) - MAX_QUESTIONS
            questions[MAX_QUESTIONS:] = [_("- and {count} more (/deal lists them all)").format(count=more)]
        sections.append(Section(heading=_("Open questions"), text="\n".join(questions)))
    if ahead:
        days = options.horizon_days
        sections.append(
            Section(
                heading=ngettext("Coming up (next {count} day)", "Coming up (next {count} days)", days).format(
                    count=days
                ),
                text="\n".join(ahead_line(a, as_of, language) for a in ahead),
            )
        )
    if unconfirmed:
        lines = [
            "- " + labelled(f"**{human_date(e.date, language)}**", escape(e.title), language)
            for e in reversed(unconfirmed)
        ]
        ends = _("The record ends {day}.").format(day=human_date(deal.recorded_until, language))
        sections.append(Section(heading=_("Due, outcome not recorded"), text="\n".join([*lines, ends])))
    sections.append(Section(heading=_("Progress"), progress=tuple(_progress(deal, on, previous))))
    if stale:  # owners and review dates: bot.store.review
        sections.append(Section(heading=_("Gone stale (maintainers)"), text=_stale_lines(stale, language)))

    cited = [*(c.source for c in changes if c.source), *why_sources]
    cited_sources = store.cite(published_by(store, cited, as_of))
    source_refs = tuple(replace(source_ref(s), date=human_date(s.date, language)) for s in cited_sources)
    return Reply(
        title=title,
        subtitle=day,
        sections=tuple(sections),
        sources=source_refs,
        updated=human_date(max((_updated(d) for d in documents), default=deal.deal.updated), language),
        footer=(_("Store commit {commit}").format(commit=commit[:12]),) if commit else (),
        more=f"/deal deal:{deal.id}",
        language=language,
    )


def _progress(deal: DealEntry, on: AsOf, previous: dict[str, Progress] | None) -> list[Progress]:
    out = []
    for track in deal.deal.tracks:
        now = track_progress(track, on=on)
        before = (previous or {}).get(track.id)
        note = f"{before.done}/{before.total} → {now.done}/{now.total}" if before and before != now else ""
        out.append(Progress(now.label, now.done, now.total, note))
    return out


def _shown(news: Sequence[Change], store: Store, language: str) -> list[str]:
    """Each change in words; past a few events or quotes, the rest in one line each."""
    ngettext = ngettext_for(language)
    lines: list[str] = []
    left: dict[Kind, list[Change]] = {}
    shown: dict[Kind, int] = {}
    for change in news:
        most = MAX_SHOWN.get(change.kind)
        if most is not None and shown.get(change.kind, 0) >= most:
            left.setdefault(change.kind, []).append(change)
            continue
        shown[change.kind] = shown.get(change.kind, 0) + 1
        source = store.sources.get(change.source or "")
        lines.append(change_line(change, source.outlet if source else None, language))
    for kind, rest in left.items():
        if kind is Kind.QUOTE:
            who: dict[str, int] = {}
            for c in rest:
                who[c.title] = who.get(c.title, 0) + 1
            names = ", ".join(f"{escape(name)} ({n})" for name, n in who.items())
            n = len(rest)
            lines.append(
                ngettext("- {count} more quote: {names}", "- {count} more quotes: {names}", n).format(
                    count=n, names=names
                )
            )
        else:
            n, first = len(rest), escape(rest[-1].where or "")
            lines.append(
                ngettext("- {count} more event, from {day}", "- {count} more events, from {day}", n).format(
                    count=n, day=first
                )
            )
    return lines


def _why_it_matters(
    store: Store, deal: DealEntry, news: Sequence[Change], viewer: str | None, language: str
) -> tuple[list[str], list[str]]:
    """The outlook of each topic the changes touch (the first few), and the sources behind those outlooks."""
    lines: list[str] = []
    sources: list[str] = []
    for topic_id in dict.fromkeys(c.topic for c in news if c.topic):
        entry = deal.topics.get(topic_id)
        if entry is None or not store.index.visible(EntityKind.TOPIC, topic_id, deal.id, viewer):
            continue
        topic = entry.topic
        # the outlook says where it is heading; a topic without one is at least said what it is about
        outlook = clip(_first_sentence(" ".join((topic.outlook or topic.summary).split())), OUTLOOK_CHARS, breaks=" ")
        label = f"**{escape(topic.title)}** ({status_word(topic.status, language)})"
        lines.append("- " + labelled(label, escape(outlook), language))
        sources.extend(topic.sources)
        if len(lines) == MAX_WHY:
            break
    return lines, sources


def _first_sentence(text: str) -> str:
    """Up to the first full stop that ends a word ("U.S. tariffs" goes on): a briefing gives the gist."""
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def _quiet_line(
    since: dt.date,
    ahead: Sequence[Ahead],
    stale: Sequence[Due],
    as_of: dt.date,
    options: BriefingOptions,
    language: str,
) -> str:
    _ = gettext_for(language)
    ngettext = ngettext_for(language)
    days = options.horizon_days
    line = _("Quiet day: nothing has changed since {day}").format(day=human_day(since, language))
    if ahead:
        # a dated event says more than a month-wide target: name the first one that has a day
        nearest = next((a for a in ahead if a.date.precision in (Precision.DAY, Precision.ABOUT)), ahead[0])
        first = ahead_line(nearest, as_of, language).removeprefix("- ")
        more = ""
        if len(ahead) > 1:
            n = len(ahead) - 1
            more = ngettext(
                " ({count} more date in the next {days} days)", " ({count} more dates in the next {days} days)", n
            ).format(count=n, days=days)
        line += _(". Next: {first}{more}").format(first=first, more=more)
    else:
        line += ngettext(
            " and nothing is due in the next {count} day", " and nothing is due in the next {count} days", days
        ).format(count=days)
    if stale:
        n = len(stale)
        line += ngettext("; {count} document has gone stale", "; {count} documents have gone stale", n).format(count=n)
    return line + "."


def _stale_lines(stale: Sequence[Due], language: str) -> str:
    _ = gettext_for(language)
    lines = [f"- `{due.path}`: {escape(stale_reason(due, language))}" for due in stale[:MAX_STALE]]
    if len(stale) > MAX_STALE:
        lines.append(_("- and {count} more").format(count=len(stale) - MAX_STALE))
    return "\n".join(lines)


def _documents_of(store: Store, deal: DealEntry) -> list[Document]:
    docs = [deal.doc, *(t.doc for t in deal.topics.values())]
    if deal.events_doc:
        docs.append(deal.events_doc)
    docs.extend(p.doc for p in store.people_of_deal(deal.id))
    return docs


def _updated(doc: Document) -> ApproxDate:
    model = doc.model
    assert isinstance(model, (Deal, Topic, Person, EventLog))
    return model.updated
