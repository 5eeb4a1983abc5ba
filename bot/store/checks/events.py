"""deals/*/events.yaml: the deal exists, event ids once each, topics, milestones, people and sources resolve."""

from __future__ import annotations

from typing import cast

from bot.store.checks.base import Report
from bot.store.documents import Document
from bot.store.model import EventLog


def check_events(doc: Document, report: Report) -> None:
    log = cast(EventLog, doc.model)
    assert doc.deal_id is not None
    known = report.known
    owner = report.need_deal_file(doc)
    report.unique(doc, "event", [("events", i, "id") for i in range(len(log.events))], [e.id for e in log.events])
    milestones = {f"{t.id}/{m.id}" for t in owner[1].tracks for m in t.milestones} if owner else set()
    topics = known.topics.get(doc.deal_id, ())
    for i, event in enumerate(log.events):  # a message is made only for a problem found
        for j, topic_id in enumerate(event.topics):
            if topic_id not in topics:
                report.add(doc, ("events", i, "topics", j), f"unknown topic '{topic_id}' in deal '{doc.deal_id}'")
        if owner is not None:
            for j, ref in enumerate(event.milestones):
                if ref not in milestones:
                    message = f"unknown milestone '{ref}' (write track/milestone)"
                    report.add(doc, ("events", i, "milestones", j), message)
        for j, person_id in enumerate(event.people):
            if person_id not in known.people:
                report.add(doc, ("events", i, "people", j), f"unknown person '{person_id}'")
        report.need_source(doc, ("events", i, "source"), event.source)
