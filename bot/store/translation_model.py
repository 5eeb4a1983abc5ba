"""The schema of a translation file: the prose fields of each kind of document, and facts it may repeat.

Every fact field is optional and only there so a translator can note what was translated against; when given, it
must agree with the original (``bot.store.translations`` checks). Prose left out falls back to the original's.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.store.dates import ApproxDate
from bot.store.documents import Kind
from bot.store.model import Id, Line, MilestoneStatus, TargetText, Text, TopicStatus


class _Strict(BaseModel):
    # defer_build: a validator is built on a model's first validation, not at import, so `briefbot ask` answering
    # from the compiled-store cache (bot.store.cache) never pays for one; loading the store costs the same.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


# Facts a translation may repeat (they must then agree with the original): every field named here.
class _Facts(_Strict):
    updated: ApproxDate | None = None
    review_by: ApproxDate | None = None
    sources: list[Id] | None = None
    restricted_to: list[TargetText] | None = None


class TopicTranslation(_Facts):
    title: Line | None = None
    aliases: list[Line] = Field(default_factory=list)
    summary: Line | None = None
    positions: dict[Id, Text] = Field(default_factory=dict)
    outlook: Text | None = None
    track: Id | None = None
    status: TopicStatus | None = None
    people: list[Id] | None = None


class QuoteTranslation(_Strict):
    context: Line | None = None
    gloss: Line | None = Field(
        default=None, description="The quote's meaning in this language; the quote itself stays."
    )
    date: ApproxDate | None = None
    source: Id | None = None


class PersonTranslation(_Facts):
    name: Line | None = None
    aliases: list[Line] = Field(default_factory=list)
    role: Line | None = None
    affiliation: Line | None = None
    stance: Text | None = None
    quotes: list[QuoteTranslation] = Field(default_factory=list, description="In the original's order.")
    party: Id | None = None
    deals: list[Id] | None = None
    topics: list[str] | None = None


class MilestoneTranslation(_Strict):
    title: Line | None = None
    note: Text | None = None
    status: MilestoneStatus | None = None
    target: ApproxDate | None = None
    done_on: ApproxDate | None = None


class TrackTranslation(_Strict):
    title: Line | None = None
    question: Line | None = None
    open_questions: list[Line] | None = None
    milestones: dict[Id, MilestoneTranslation] = Field(default_factory=dict)


class DealTranslation(_Facts):
    title: Line | None = None
    aliases: list[Line] = Field(default_factory=list)
    summary: Text | None = None
    goal: Text | None = None
    parties: dict[Id, Line] = Field(default_factory=dict, description="Party names, keyed by party id.")
    tracks: dict[Id, TrackTranslation] = Field(default_factory=dict)


class EventTranslation(_Strict):
    title: Line | None = None
    detail: Text | None = None
    date: ApproxDate | None = None


class EventsTranslation(_Strict):
    updated: ApproxDate | None = None
    events: dict[Id, EventTranslation] = Field(default_factory=dict)


MODEL_OF_KIND: dict[Kind, type[BaseModel]] = {
    Kind.TOPIC: TopicTranslation,
    Kind.PERSON: PersonTranslation,
    Kind.DEAL: DealTranslation,
    Kind.EVENTS: EventsTranslation,
}
