"""Owners and review dates: which documents are due for review, since when, and who owns each.

A document is due when any of these holds, checked in this order:

- ``review_by:`` has come (a fixed date), and no review was recorded on or after it;
- ``review_every:`` (``30d``, ``6w``) has passed since the later of ``updated:`` and the last recorded review;
- neither is set, and the later of the two is older than the store-wide ``stale_after_days``.

Recorded reviews (``/verify``) live in the state database, keyed by the document's path; this module takes them
as a plain mapping so the briefing, ``briefbot check --stale`` and the owners' direct messages agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from bot.store.dates import ApproxDate, human_day, shift
from bot.store.documents import Document
from bot.store.model import Deal, EventLog, Person, Topic
from bot.targets import Target

if TYPE_CHECKING:
    from bot.store.store import Store

Reviewed = Mapping[str, dt.date]  # document path -> the day its last review was recorded


def interval_days(text: str) -> int:
    """``30d`` -> 30, ``6w`` -> 42 (the model has already checked the spelling)."""
    count, unit = int(text[:-1]), text[-1]
    return count * 7 if unit == "w" else count


def owner_target(owner: str | None, people: Mapping[str, Person]) -> Target | None:
    """Where the owner gets direct messages: the target itself, or the named person's ``contact:``."""
    if owner is None:
        return None
    if ":" in owner:
        return Target.parse(owner)
    person = people.get(owner)
    return Target.parse(person.contact) if person is not None and person.contact else None


def people_of(store: Store) -> dict[str, Person]:
    return {person_id: entry.person for person_id, entry in store.people.items()}


def owner_name(owner: str | None, people: Mapping[str, Person]) -> str | None:
    """How a briefing names the owner: the person's name, or the target as written."""
    if owner is None:
        return None
    person = people.get(owner)
    return person.name if person is not None else owner


@dataclass(frozen=True, slots=True)
class Due:
    path: str
    title: str
    why: str  # "review was due 1 May 2025", "last updated April 2025"
    due_on: dt.date  # the day it fell due: one direct message per (document, due_on)
    owner: str | None  # as written in the file
    owner_name: str | None
    recipient: Target | None  # where the owner's direct message goes, when known
    field: str = "updated"  # the key to point at: review_by, review_every or updated

    def line(self) -> str:
        """``why``, naming the owner when there is one."""
        return f"{self.why} (owner: {self.owner_name})" if self.owner_name else self.why


def _updated(doc: Document) -> ApproxDate | None:
    model = doc.model
    return model.updated if isinstance(model, (Deal, Topic, Person, EventLog)) else None


def _title(doc: Document) -> str:
    model = doc.model
    if isinstance(model, Person):
        return model.name
    if isinstance(model, (Deal, Topic)):
        return model.title
    return doc.path


class DueOn(NamedTuple):
    day: dt.date
    why: str
    field: str  # the front-matter key that set the day: review_by, review_every or updated


def due_on(doc: Document, stale_after_days: int, reviewed: Reviewed) -> DueOn | None:
    """The day ``doc`` falls (or fell) due for review and why, or None for a document that is never due."""
    updated = _updated(doc)
    if updated is None:
        return None
    last_review = reviewed.get(doc.path)
    review_by: ApproxDate | None = getattr(doc.model, "review_by", None)
    every: str | None = getattr(doc.model, "review_every", None)
    if review_by is not None and not (last_review and last_review >= review_by.start):
        return DueOn(review_by.start, f"review was due {review_by.human()}", "review_by")
    if every is not None:
        start = max(updated.end, last_review) if last_review else updated.end
        day = shift(start, interval_days(every))
        return DueOn(day, f"review every {every} was due {human_day(day)}", "review_every")
    if last_review and last_review > updated.end:
        return DueOn(shift(last_review, stale_after_days + 1), f"last reviewed {human_day(last_review)}", "updated")
    return DueOn(shift(updated.end, stale_after_days + 1), f"last updated {updated.human()}", "updated")


def due_documents(
    documents: Iterable[Document],
    as_of: dt.date,
    stale_after_days: int,
    *,
    people: Mapping[str, Person] | None = None,
    reviewed: Reviewed | None = None,
) -> list[Due]:
    """Documents due for review on ``as_of``, in the order given, each with its owner."""
    people = people or {}
    reviewed = reviewed or {}
    out = []
    for doc in documents:
        found = due_on(doc, stale_after_days, reviewed)
        if found is None or found.day > as_of:
            continue
        owner: str | None = getattr(doc.model, "owner", None)
        out.append(
            Due(
                path=doc.path,
                title=_title(doc),
                why=found.why,
                due_on=found.day,
                field=found.field,
                owner=owner,
                owner_name=owner_name(owner, people),
                recipient=owner_target(owner, people),
            )
        )
    return out
