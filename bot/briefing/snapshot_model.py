"""The shape of a snapshot (what a channel was told), and its JSON form in the state database.

Typed dicts rather than classes because a snapshot *is* its JSON: the same value is compared by the change digest,
written to the database and read back, and a snapshot saved by an older release (``v`` 1, event logs without
``visible_hash``) must keep loading as it is: a field added later is ``NotRequired``, and a change it
would show is only reported when both snapshots have it. mypy checks every key; pydantic checks what comes back from the
database, so a row in a shape this release cannot read is reported as no snapshot, never half-compared.
"""

from __future__ import annotations

import json
import logging
from typing import NotRequired  # pydantic reads typing's TypedDict only from Python 3.12

import pydantic
from typing_extensions import TypedDict

log = logging.getLogger(__name__)
SNAPSHOT_VERSION = 1


class MilestoneSeen(TypedDict):
    title: str
    status: str  # a MilestoneStatus value
    source: str | None
    target: NotRequired[str | None]  # ApproxDate.iso(); absent in snapshots saved before it was kept


class TrackSeen(TypedDict):
    id: str
    title: str
    done: int
    total: int  # milestones not dropped
    milestones: dict[str, MilestoneSeen]
    open_questions: NotRequired[list[str]]


class TopicSeen(TypedDict):
    title: str
    status: str  # a TopicStatus value
    source: str | None  # the newest of its sources
    path: str
    positions: NotRequired[dict[str, str]]  # party id -> position


class EventSeen(TypedDict):
    date: str  # ApproxDate.iso()
    title: str
    source: str | None
    topics: NotRequired[list[str]]  # visible topic ids, for why it matters


class QuoteSeen(TypedDict):
    text: str
    date: str
    source: str | None


class PersonSeen(TypedDict):
    name: str
    path: str
    quotes: dict[str, QuoteSeen]  # by a hash of the words: quotes have no id


class DocumentSeen(TypedDict):
    title: str
    updated: str
    hash: str  # of the whole file
    visible_hash: NotRequired[str]  # an event log: of the events the viewer may see (absent in older snapshots)


class Snapshot(TypedDict):
    v: int
    deal: str
    deal_path: str
    events_path: str | None
    tracks: list[TrackSeen]
    topics: dict[str, TopicSeen]
    events: dict[str, EventSeen]
    people: dict[str, PersonSeen]
    documents: dict[str, DocumentSeen]
    outlets: dict[str, str]  # source id -> outlet, for every source cited above
    parties: NotRequired[dict[str, str]]  # party id -> name


_SNAPSHOT = pydantic.TypeAdapter(Snapshot)


def to_json(snapshot: Snapshot) -> str:
    """Canonical JSON: the same snapshot always gives the same text."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str | bytes) -> Snapshot | None:
    """The snapshot in ``text``, or None when it is from another format version or not a snapshot at all."""
    try:
        raw = json.loads(text)
    except ValueError:
        log.warning("a saved snapshot is not JSON; briefing as if there were none")
        return None
    return read(raw)


def read(raw: object) -> Snapshot | None:
    """``raw`` (parsed JSON) as a snapshot this release can diff against, or None."""
    if not isinstance(raw, dict) or raw.get("v") != SNAPSHOT_VERSION:
        return None  # another format version: the first briefing's view ("recent days") is the honest fallback
    try:
        return _SNAPSHOT.validate_python(raw, strict=True)
    except pydantic.ValidationError as exc:
        log.warning(
            "a saved snapshot does not read as version %s (%d errors); briefing as if there were none",
            SNAPSHOT_VERSION,
            exc.error_count(),
        )
        return None
