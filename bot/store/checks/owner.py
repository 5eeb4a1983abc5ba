"""``owner:`` on a deal, topic or person: a people id must name a person with a ``contact:``, and the owner must be
allowed to see a restricted document (the review reminder goes to them by direct message)."""

from __future__ import annotations

from bot.store.checks.base import Report
from bot.store.documents import Document


def check_owner(doc: Document, report: Report) -> None:
    owner: str | None = getattr(doc.model, "owner", None)
    if owner is None:
        return
    recipient: str | None = owner
    if ":" not in owner:
        known = report.known
        if owner not in known.people:
            report.add(doc, ("owner",), f"unknown person '{owner}' in owner: add people/{owner}.md or write a target")
            return
        recipient = known.contacts.get(owner)
        if recipient is None:
            if owner in known.contacts:  # loaded, but no contact (a broken file's own problem is reported already)
                report.add(
                    doc,
                    ("owner",),
                    f"owner '{owner}' has no contact: add 'contact: slack:TEAM:@USER' to people/{owner}.md",
                )
            return
    restricted: list[str] = getattr(doc.model, "restricted_to", [])
    report.need(
        doc,
        ("owner",),
        not restricted or recipient in restricted,
        f"owner '{owner}' may not see this document: add {recipient} to restricted_to, or choose another owner",
    )
