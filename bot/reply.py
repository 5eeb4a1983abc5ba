"""The neutral reply every handler returns and every adapter renders its own way.

Text fields hold a small markdown subset (``**bold**``, ``_italics_``, ``[links](https://...)``, ``- lists``).
Handlers build that markdown with :func:`bot.markup.escape` around anything from the store or the user, and
each adapter converts it with :mod:`bot.markup`, escaping the rest for its platform.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Visibility(StrEnum):
    PRIVATE = "private"  # only the asker sees it (Slack ephemeral, Discord ephemeral)
    SHARED = "shared"  # the whole channel sees it


class Tone(StrEnum):
    """What kind of answer this is, independent of any store status."""

    ANSWER = "answer"
    QUESTION = "question"  # ambiguous: pick one of the choices
    NOT_FOUND = "not_found"
    ERROR = "error"  # the user's input was wrong; says how to fix it
    INTERNAL = "internal"  # something broke on our side


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str  # markdown subset
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Progress:
    label: str
    done: int
    total: int
    note: str = ""  # e.g. "2/7 → 3/7 since the last briefing"

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Section:
    heading: str | None = None
    text: str = ""  # markdown subset
    fields: tuple[Field, ...] = ()
    progress: tuple[Progress, ...] = ()
    status: str | None = None  # a store status shown beside the heading


@dataclass(frozen=True, slots=True)
class Choice:
    """A button or menu entry; picking it runs ``command`` as if the user had typed it."""

    label: str
    command: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class SourceRef:
    outlet: str
    title: str
    date: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes with an answer (a chart): uploaded on Slack and Discord, saved to a file on the console."""

    filename: str  # such as deal-progress.png
    data: bytes
    alt: str  # what the picture shows, for screen readers and for platforms that show no image
    media_type: str = "image/png"


@dataclass(frozen=True)
class Reply:
    title: str
    sections: tuple[Section, ...] = ()
    status: str | None = None  # from the store's vocabularies; adapters map it via bot.store.model.STATUS_TONE
    tone: Tone = Tone.ANSWER
    sources: tuple[SourceRef, ...] = ()
    updated: str | None = None  # human date of the newest `updated` behind the answer
    choices: tuple[Choice, ...] = ()
    visibility: Visibility = Visibility.PRIVATE
    more: str | None = None  # a command that shows the rest when an adapter has to cut
    footer: tuple[str, ...] = ()  # plain context lines (commit, "as of" date, idempotency key)
    subtitle: str | None = None
    command: str | None = None  # the command that produced it, for "Share in channel" and paging
    attachments: tuple[Attachment, ...] = ()
    language: str = "en"  # the language of its words, so adapters label it alike ("Sources", "Updated")

    def shared(self) -> Reply:
        return replace(self, visibility=Visibility.SHARED)


__all__ = ["Attachment", "Choice", "Field", "Progress", "Reply", "Section", "SourceRef", "Tone", "Visibility"]
