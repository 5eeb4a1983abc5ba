"""Documents: one validated file each, with what is needed to report on it later."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from bot.store.model import Deal, EventLog, Person, SourceRegistry, Topic
from bot.store.placement import Kind, Placement, place
from bot.store.yamlsafe import Loc, RawDocument

__all__ = ["MODEL_OF_KIND", "Document", "Kind", "Placement", "place"]  # the last three: bot.store.placement

MODEL_OF_KIND: dict[Kind, type[BaseModel]] = {
    Kind.SOURCES: SourceRegistry,
    Kind.PERSON: Person,
    Kind.DEAL: Deal,
    Kind.TOPIC: Topic,
    Kind.EVENTS: EventLog,
}


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
