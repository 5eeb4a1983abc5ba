"""Checks that span documents: references resolve, and ids and aliases are claimed once.

Each problem points at the referring key's line; a clash between two files names both places. Each document kind's
checks live in ``bot.store.checks``; this driver runs them in file order, then settles the names claimed.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.store.checks.base import AllNames, Known, Report
from bot.store.checks.deal import check_deal
from bot.store.checks.events import check_events
from bot.store.checks.owner import check_owner
from bot.store.checks.person import check_person
from bot.store.checks.sources import check_sources
from bot.store.checks.topic import check_topic
from bot.store.documents import Document, Kind, Placement
from bot.store.model import Source
from bot.store.problems import Problem


def crosscheck(
    docs: Iterable[Document],
    sources: dict[str, Source],
    broken: Iterable[Placement] = (),
    *,
    only: Iterable[Document] | None = None,
    known: Known | None = None,
) -> list[Problem]:
    """Cross-file problems. ``broken`` are files that exist but failed to load: references to them are not
    reported again (their own problem already was). ``only``: check just these documents (in file order)
    against the whole store; a one-file reload passes what that file can affect (and ``known``, what the store
    holds, moved on from the last reload's)."""
    docs = list(docs)
    report = Report(known or Known.of(docs, sources, list(broken)))
    names = AllNames()
    seen_sources: dict[str, Document] = {}
    for doc in docs if only is None else only:
        if doc.kind is Kind.SOURCES:
            check_sources(doc, report, seen_sources)
        elif doc.kind is Kind.PERSON:
            check_person(doc, report, names)
        elif doc.kind is Kind.DEAL:
            check_deal(doc, report, names)
        elif doc.kind is Kind.TOPIC:
            check_topic(doc, report, names)
        elif doc.kind is Kind.EVENTS:
            check_events(doc, report)
        check_owner(doc, report)
    names.resolve(report.problems)
    return report.problems
