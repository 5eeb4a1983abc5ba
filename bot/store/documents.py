"""Documents: one validated file each, with what is needed to report on it later."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from bot.store.model import Deal, EventLog, Person, SourceRegistry, Topic
from bot.store.yamlsafe import Loc, RawDocument


class Kind(StrEnum):
    SOURCES = "sources"
    PERSON = "person"
    DEAL = "deal"
    TOPIC = "topic"
    EVENTS = "events"


MODEL_OF_KIND: dict[Kind, type[BaseModel]] = {
    Kind.SOURCES: SourceRegistry,
    Kind.PERSON: Person,
    Kind.DEAL: Deal,
    Kind.TOPIC: Topic,
    Kind.EVENTS: EventLog,
}


@dataclass(frozen=True, slots=True)
class Placement:
    """What a file's place in the store says it is."""

    kind: Kind
    id: str  # the file's stem; for deal.yaml and events.yaml, the deal's id
    deal_id: str | None


@dataclass(frozen=True, slots=True)
class Document:
    path: str  # relative to the store root, forward slashes
    placement: Placement
    model: BaseModel
    body: str
    raw: RawDocument
    mtime_ns: int = 0

    @property
    def kind(self) -> Kind:
        return self.placement.kind

    @property
    def id(self) -> str:
        return self.placement.id

    @property
    def deal_id(self) -> str | None:
        return self.placement.deal_id

    def line_of(self, *loc: int | str) -> int:
        return self.raw.line_of(tuple(loc) if loc else ())

    def col_of(self, *loc: int | str) -> int:
        return self.raw.position_of(tuple(loc))[1]

    def at(self, loc: Loc) -> str:
        """``path:line`` of a key path, for messages that point at another file."""
        return f"{self.path}:{self.raw.line_of(loc)}"


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
