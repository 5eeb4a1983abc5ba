"""Where a file sits in the store, and so what it is: plain rules on paths, no models (a worker process that only
reads and parses files imports this, not pydantic)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SOURCES = "sources"
    PERSON = "person"
    DEAL = "deal"
    TOPIC = "topic"
    EVENTS = "events"


@dataclass(frozen=True, slots=True)
class Placement:
    """What a file's place in the store says it is."""

    kind: Kind
    id: str  # the file's stem; for deal.yaml and events.yaml, the deal's id
    deal_id: str | None


def place(relative: str) -> Placement | None:
    """Where a store-relative path belongs in the layout, or None if it is not a store document."""
    parts = relative.split("/")
    name = parts[-1]
    stem, _, suffix = name.rpartition(".")
    if suffix not in ("md", "yaml", "yml") or not stem:
        return None
    if parts in (["sources.yaml"], ["sources.yml"]):
        return Placement(Kind.SOURCES, "sources", None)
    if len(parts) == 2 and parts[0] == "people" and suffix == "md":
        return Placement(Kind.PERSON, stem, None)
    if len(parts) == 3 and parts[0] == "deals" and suffix in ("yaml", "yml"):
        if stem == "deal":
            return Placement(Kind.DEAL, parts[1], parts[1])
        if stem == "events":
            return Placement(Kind.EVENTS, parts[1], parts[1])
    if len(parts) == 4 and parts[0] == "deals" and parts[2] == "topics" and suffix == "md":
        return Placement(Kind.TOPIC, stem, parts[1])
    return None
