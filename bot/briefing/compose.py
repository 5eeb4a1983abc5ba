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

from bot.briefing.changes import Change, Kind, change_line, maintainer_line, top_line
from bot.briefing.dated import dated_changes
from bot.briefing.progress import Ahead, ahead_line, dates_ahead, track_progress
from bot.config import BriefingOptions
from bot.markup import escape
from bot.reply import Progress, Reply, Section
from bot.store import DealEntry, Store
from bot.store.asof import AsOf, published_by
from bot.store.dates import ApproxDate, Precision, human_day, shift
from bot.store.documents import Document
from bot.store.index import EntityKind
from bot.store.model import Deal, EventLog, Person, Topic, status_label
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
) -> Reply:
    """``viewer`` is the target the briefing goes to: documents restricted away from it are left out, and a deal
    restricted away from it is refused (``LookupError``), never composed, whoever asks."""
    if not store.index.visible(EntityKind.DEAL, deal.id, None, viewer):
        raise LookupError(f"deal '{deal.id}' may not be shown to {viewer}")
    events = store.visible_events(deal.id, viewer)
    documents = store.visible_documents(_documents_of(store, deal), viewer)
    since = since or shift(as_of, -options.recent_days)
    on = AsOf.of(deal, as_of, events)  # progress as it stood on the briefing's day
    if changes is None:
        changes = dated_changes(store, deal, events, since, on, viewer)
    ahead = dates_ahead(deal, as_of, days=options.horizon_days, events=events)
    # scheduled when the record was written and due since: neither news nor still coming
    unconfirmed = [e for e in events if on.unconfirmed(e.date) and since < e.date.start and e.date.end < as_of]
    stale = due_documents(documents, as_of, options.stale_after_days, people=people_of(store), reviewed=reviewed)
    title, day = f"Daily briefing: {deal.deal.title}", human_day(as_of)
    if not changes and not unconfirmed:  # a quiet day is one line
        return Reply(
            title=title, subtitle=day, sections=(Section(text=_quiet_line(since, ahead, stale, as_of, options)),)
        )

    news = [c for c in changes if not c.question and not c.for_maintainers]
    lines = _shown(news, store)
    if also := maintainer_line([c for c in changes if c.for_maintainers]):
        lines.append(also)
    top = top_line(changes) or f"Nothing new in the record since {human_day(since)}."
    if unconfirmed:
        verb = "has" if len(unconfirmed) == 1 else "have"
        top += f" {_plural(len(unconfirmed), 'scheduled event')} due by now {verb} no recorded outcome."
    sections = [Section(text=top)]
    if lines:
        sections.append(Section(heading=f"Since {human_day(since)}", text="\n".join(lines)))
    why, why_sources = _why_it_matters(store, deal, news, viewer)
    if why:
        sections.append(Section(heading="Why it matters", text="\n".join(why)))
    questions = [change_line(c) for c in changes if c.question]
    if questions:
        if len(questions) > MAX_QUESTIONS:
            questions[MAX_QUESTIONS:] = [f"- and {len(questions) - MAX_QUESTIONS} more (/deal lists them all)"]
        sections.append(Section(heading="Open questions", text="\n".join(questions)))
    if ahead:
        sections.append(
            Section(
                heading=f"Coming up (next {options.horizon_days} days)",
                text="\n".join(ahead_line(a, as_of) for a in ahead),
            )
        )
    if unconfirmed:
        lines = [f"- **{e.date.human()}**: {escape(e.title)}" for e in reversed(unconfirmed)]
        sections.append(
            Section(
                heading="Due, outcome not recorded",
                text="\n".join([*lines, f"The record ends {deal.recorded_until.human()}."]),
            )
        )
    sections.append(Section(heading="Progress", progress=tuple(_progress(deal, on, previous))))
    if stale:  # owners and review dates: bot.store.review
        sections.append(Section(heading="Gone stale (maintainers)", text=_stale_lines(stale)))

    cited = [*(c.source for c in changes if c.source), *why_sources]
    source_refs = tuple(source_ref(s) for s in store.cite(published_by(store, cited, as_of)))
    return Reply(
        title=title,
        subtitle=day,
        sections=tuple(sections),
        sources=source_refs,
        updated=max((_updated(d) for d in documents), default=deal.deal.updated).human(),
        footer=(f"Store commit {commit[:12]}",) if commit else (),
        more=f"/deal deal:{deal.id}",
    )


def _progress(deal: DealEntry, on: AsOf, previous: dict[str, Progress] | None) -> list[Progress]:
    out = []
    for track in deal.deal.tracks:
        now = track_progress(track, on=on)
        before = (previous or {}).get(track.id)
        note = f"{before.done}/{before.total} → {now.done}/{now.total}" if before and before != now else ""
        out.append(Progress(now.label, now.done, now.total, note))
    return out


def _shown(news: Sequence[Change], store: Store) -> list[str]:
    """Each change in words; past a few events or quotes, the rest in one line each."""
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
        lines.append(change_line(change, source.outlet if source else None))
    for kind, rest in left.items():
        if kind is Kind.QUOTE:
            who: dict[str, int] = {}
            for c in rest:
                who[c.title] = who.get(c.title, 0) + 1
            names = ", ".join(f"{escape(name)} ({n})" for name, n in who.items())
            lines.append(f"- {_plural(len(rest), 'more quote')}: {names}")
        else:
            lines.append(f"- {_plural(len(rest), 'more event')}, from {escape(rest[-1].where or '')}")
    return lines


def _why_it_matters(
    store: Store, deal: DealEntry, news: Sequence[Change], viewer: str | None
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
        lines.append(f"- **{escape(topic.title)}** ({status_label(topic.status)}): {escape(outlook)}")
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
) -> str:
    line = f"Quiet day: nothing has changed since {human_day(since)}"
    if ahead:
        # a dated event says more than a month-wide target: name the first one that has a day
        nearest = next((a for a in ahead if a.date.precision in (Precision.DAY, Precision.ABOUT)), ahead[0])
        first = ahead_line(nearest, as_of).removeprefix("- ")
        more = (
            f" ({_plural(len(ahead) - 1, 'more date')} in the next {options.horizon_days} days)"
            if len(ahead) > 1
            else ""
        )
        line += f". Next: {first}{more}"
    else:
        line += f" and nothing is due in the next {options.horizon_days} days"
    if stale:
        line += f"; {_plural(len(stale), 'document')} {'has' if len(stale) == 1 else 'have'} gone stale"
    return line + "."


def _stale_lines(stale: Sequence[Due]) -> str:
    lines = [f"- `{due.path}`: {escape(due.line())}" for due in stale[:MAX_STALE]]
    if len(stale) > MAX_STALE:
        lines.append(f"- and {len(stale) - MAX_STALE} more")
    return "\n".join(lines)


def _plural(n: int, what: str) -> str:
    return f"1 {what}" if n == 1 else f"{n} {what}s"


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
