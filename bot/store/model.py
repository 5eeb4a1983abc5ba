"""The store's schema: one pydantic model per kind of document.

These models are the single source of truth for the briefing format: the loader validates every file against
them, ``briefbot schema`` exports them as JSON Schema for editors, and ``briefings/README.md`` documents them.

Layout of a store (kinds come from where a file lives; a document's id is its file name without suffix)::

    sources.yaml                      Source registry shared by every deal
    people/<person>.md                Person, shared by every deal
    deals/<deal>/deal.yaml            Deal: parties, tracks, milestones, open questions
    deals/<deal>/topics/<topic>.md    Topic of that deal
    deals/<deal>/events.yaml          Dated events of that deal
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from bot.store.dates import ApproxDate
from bot.targets import Target

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80),
    Field(description="Lower-case letters, digits and hyphens, such as cusma-review."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


def _target(value: str) -> str:
    return str(Target.parse(value))  # raises ValueError naming the expected shape


TargetText = Annotated[
    str, AfterValidator(_target), Field(description="A target such as slack:T123:C456 or discord:G1:C2.")
]

# Owners and review intervals (``owner:``, ``review_every:``, a person's ``contact:``): see bot.store.review.
INTERVAL_PATTERN = r"^[1-9][0-9]{0,3}[dw]$"
_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def _owner(value: str) -> str:
    if ":" in value:
        return _target(value)
    if not re.match(_ID_PATTERN, value):
        raise ValueError(f"'{value}' is not an owner: write a people id (ada-lind) or a target (slack:T1:@U2)")
    return value


def _interval(value: str) -> str:
    if not re.match(INTERVAL_PATTERN, value):
        raise ValueError(f"'{value}' is not an interval: write days or weeks, such as 30d or 6w")
    return value


OwnerText = Annotated[
    str,
    AfterValidator(_owner),
    Field(description="Who reviews this document: a people id with a contact, or a target such as slack:T1:@U2."),
]
Interval = Annotated[
    str,
    AfterValidator(_interval),
    Field(
        description="How often to review, in days or weeks: 30d, 6w.", json_schema_extra={"pattern": INTERVAL_PATTERN}
    ),
]


class MilestoneStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    DROPPED = "dropped"


class TopicStatus(StrEnum):
    OPEN = "open"  # on the table, not yet negotiated
    IN_TALKS = "in_talks"
    STALLED = "stalled"
    AGREED = "agreed"
    RESOLVED = "resolved"  # settled without a deal (withdrawn, lifted, moot)
    DROPPED = "dropped"


class StatusTone(StrEnum):
    """How a status should look; adapters map a tone to a colour or an emoji."""

    GOOD = "good"
    ACTIVE = "active"
    NEUTRAL = "neutral"
    WARNING = "warning"
    BAD = "bad"
    MUTED = "muted"


STATUS_TONE: dict[str, StatusTone] = {
    MilestoneStatus.NOT_STARTED: StatusTone.NEUTRAL,
    MilestoneStatus.IN_PROGRESS: StatusTone.ACTIVE,
    MilestoneStatus.DONE: StatusTone.GOOD,
    MilestoneStatus.BLOCKED: StatusTone.BAD,
    MilestoneStatus.DROPPED: StatusTone.MUTED,
    TopicStatus.OPEN: StatusTone.NEUTRAL,
    TopicStatus.IN_TALKS: StatusTone.ACTIVE,
    TopicStatus.STALLED: StatusTone.WARNING,
    TopicStatus.AGREED: StatusTone.GOOD,
    TopicStatus.RESOLVED: StatusTone.GOOD,
    TopicStatus.DROPPED: StatusTone.MUTED,
}


def status_label(status: str) -> str:
    """``in_talks`` -> ``in talks``: how people read a status."""
    return status.replace("_", " ")


class _Strict(BaseModel):
    # defer_build: a validator is built on a model's first validation, not at import, so `briefbot ask` answering
    # from the compiled-store cache (bot.store.cache) never pays for one; loading the store costs the same.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Source(_Strict):
    """Where a fact comes from. Registered once in ``sources.yaml`` and cited by id."""

    id: Id
    outlet: Line
    title: Line
    date: ApproxDate
    link: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None

    def citation(self) -> str:
        return f"{self.outlet}, \u201c{self.title}\u201d, {self.date.human()}"


class SourceRegistry(_Strict):
    sources: list[Source] = Field(min_length=1)


class Party(_Strict):
    id: Id
    name: Line


class Milestone(_Strict):
    id: Id
    title: Line
    status: MilestoneStatus
    target: ApproxDate | None = Field(default=None, description="When it is due or hoped for.")
    done_on: ApproxDate | None = None
    note: Text | None = None
    source: Id | None = None


class Track(_Strict):
    id: Id
    title: Line
    question: Line | None = Field(default=None, description="The question this track has to answer.")
    milestones: list[Milestone] = Field(default_factory=list)
    open_questions: list[Line] = Field(default_factory=list)


class Deal(_Strict):
    """``deals/<id>/deal.yaml``: the negotiation itself."""

    title: Line
    aliases: list[Line] = Field(default_factory=list)
    parties: list[Party] = Field(min_length=2)
    summary: Text
    goal: Text | None = None
    tracks: list[Track] = Field(min_length=1)
    updated: ApproxDate
    review_by: ApproxDate | None = None
    owner: OwnerText | None = None
    review_every: Interval | None = None
    sources: list[Id] = Field(default_factory=list)
    restricted_to: list[TargetText] = Field(default_factory=list, description="Targets that alone may see this deal.")


class Quote(_Strict):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    date: ApproxDate
    source: Id
    context: Line | None = None
    deal: Id | None = None


class Person(_Strict):
    """``people/<id>.md`` front matter; the body is free prose about the person."""

    name: Line
    aliases: list[Line] = Field(default_factory=list)
    role: Line
    affiliation: Line
    party: Id | None = Field(default=None, description="Whose side they are on, as a party id (ca, us...).")
    stance: Text | None = None
    deals: list[Id] = Field(default_factory=list)
    topics: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]] = Field(
        default_factory=list, description="Topics this person touches, as deal/topic."
    )
    quotes: list[Quote] = Field(default_factory=list)
    updated: ApproxDate
    review_by: ApproxDate | None = None
    owner: OwnerText | None = None
    review_every: Interval | None = None
    contact: TargetText | None = Field(default=None, description="Where this person gets direct messages.")
    sources: list[Id] = Field(default_factory=list)
    restricted_to: list[TargetText] = Field(default_factory=list)


class Topic(_Strict):
    """``deals/<deal>/topics/<id>.md`` front matter; the body is free prose (markdown)."""

    title: Line
    aliases: list[Line] = Field(default_factory=list)
    track: Id
    status: TopicStatus
    summary: Line
    positions: dict[Id, Text] = Field(default_factory=dict, description="Each party's position, keyed by party id.")
    outlook: Text | None = None
    people: list[Id] = Field(default_factory=list)
    updated: ApproxDate
    review_by: ApproxDate | None = None
    owner: OwnerText | None = None
    review_every: Interval | None = None
    sources: list[Id] = Field(min_length=1)
    restricted_to: list[TargetText] = Field(default_factory=list)


class Event(_Strict):
    id: Id
    date: ApproxDate
    title: Line
    detail: Text | None = None
    topics: list[Id] = Field(default_factory=list)
    milestones: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]] = Field(
        default_factory=list, description="Milestones this event moves, as track/milestone."
    )
    people: list[Id] = Field(default_factory=list)
    source: Id


class EventLog(_Strict):
    """``deals/<deal>/events.yaml``."""

    updated: ApproxDate
    events: list[Event] = Field(default_factory=list)
