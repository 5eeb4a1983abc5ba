"""The quick paths of :mod:`bot.markup` answer exactly as the plain definitions they replace: every field of a reply
is neutralised however deep it sits, and escaping is the same character for character."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.markup import escape, neutral_reply, neutralise
from bot.reply import Attachment, Choice, Field, Progress, Reply, Section, SourceRef, Tone, Visibility

# Text that mixes what neutralise drops, what escape marks and plain words.
PIECES = [*"ab -*+1.)\n\t\\`_[]()<>#~|é", "\u202e", "\u2066", "\x1b[2J", "\x1b]0;t\x07", "\x07", "\x9b"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
OPTIONAL = st.none() | TEXT

REPLIES = st.builds(
    Reply,
    title=TEXT,
    sections=st.lists(
        st.builds(
            Section,
            heading=OPTIONAL,
            text=TEXT,
            fields=st.lists(st.builds(Field, TEXT, TEXT, st.booleans()), max_size=3).map(tuple),
            progress=st.lists(st.builds(Progress, TEXT, st.integers(0, 9), st.integers(0, 9), TEXT), max_size=2).map(
                tuple
            ),
            status=OPTIONAL,
        ),
        max_size=3,
    ).map(tuple),
    status=OPTIONAL,
    tone=st.sampled_from(Tone),
    sources=st.lists(st.builds(SourceRef, TEXT, TEXT, TEXT, OPTIONAL), max_size=2).map(tuple),
    updated=OPTIONAL,
    choices=st.lists(st.builds(Choice, TEXT, TEXT, TEXT), max_size=2).map(tuple),
    visibility=st.sampled_from(Visibility),
    more=OPTIONAL,
    footer=st.lists(TEXT, max_size=3).map(tuple),
    subtitle=OPTIONAL,
    command=OPTIONAL,
    attachments=st.lists(st.builds(Attachment, TEXT, st.binary(max_size=4), TEXT), max_size=1).map(tuple),
    language=st.sampled_from(["en", "fr"]),
)


def _reference(value: Any) -> Any:
    """The plain definition: neutralise every string, rebuild every tuple and dataclass."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, tuple):
        return tuple(_reference(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _reference(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    return value


def _reference_escape(text: str) -> str:
    text = re.sub(r"([\\`*_\[\]()<>#~|])", r"\\\1", neutralise(text))
    return re.sub(r"^(\s*)([-+*]|\d+[.)])(\s)", r"\1\\\2\3", text, flags=re.MULTILINE)


@given(REPLIES)
def test_every_field_of_a_reply_is_neutralised_as_by_the_plain_definition(reply: Reply) -> None:
    assert neutral_reply(reply) == _reference(reply)


@given(REPLIES)
def test_a_neutral_reply_stays_neutral(reply: Reply) -> None:
    once = neutral_reply(reply)
    assert neutral_reply(once) == once


def test_a_reply_with_nothing_to_drop_is_passed_on_as_it_is() -> None:
    """Most replies carry no control character: renderers get them without a copy (the Slack hot path)."""
    reply = Reply(
        title="Tariffs",
        sections=(Section(heading="Positions", fields=(Field("Canada", "**no**"),)),),
        sources=(SourceRef("Reuters", "Talks", "2 May 2025"),),
        footer=("As of 2 May 2025",),
    )
    assert neutral_reply(reply) is reply


def test_a_control_character_deep_in_a_reply_is_dropped_and_the_rest_kept() -> None:
    reply = Reply(title="T", sections=(Section(text="a"), Section(fields=(Field("n", "v\u202eal"),))))
    cleaned = neutral_reply(reply)
    assert cleaned.sections[1].fields[0].value == "val"
    assert cleaned.sections[0] is reply.sections[0] and cleaned.title == "T"


@given(TEXT)
def test_escape_matches_the_plain_definition(text: str) -> None:
    assert escape(text) == _reference_escape(text)
