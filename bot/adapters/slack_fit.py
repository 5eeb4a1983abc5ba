"""Fitting Block Kit into Slack's limits: keep whole blocks while they fit, cut the first one that does not at a word
end, and never leave half a ``<link|label>`` or ``&amp;`` entity behind."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from bot.textfmt import clip

Block = dict[str, Any]


def fit(blocks: list[Block], blocks_left: int, chars_left: int) -> tuple[list[Block], bool]:
    """Keep whole blocks while they fit; cut the first one that does not, if enough room is left."""
    kept: list[Block] = []
    for block in blocks:
        length = size([block])
        if len(kept) < blocks_left and length <= chars_left:
            kept.append(block)
            chars_left -= length
            continue
        if len(kept) < blocks_left and chars_left >= 200 and "text" in block:
            kept.append({**block, "text": {"type": "mrkdwn", "text": cut(block["text"]["text"], chars_left)}})
        return kept, True
    return kept, False


def size(blocks: Sequence[Block]) -> int:
    """Characters of text in ``blocks``: what Slack's total-length limit is about."""
    total = 0
    for block in blocks:
        total += _text_len(block)
    return total


def _text_len(value: Any) -> int:
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return len(value["text"])
        return sum(_text_len(v) for v in value.values())
    if isinstance(value, list):
        return sum(_text_len(v) for v in value)
    return 0


def chunks(text: str, limit: int) -> Iterator[str]:
    """Split at line breaks into pieces of at most ``limit`` characters; cut a single overlong line."""
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            yield current
        current = line if len(line) <= limit else cut(line, limit)
    if current.strip():
        yield current


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, at a word end when one is near."""
    return clip(text, limit, breaks=" ", lose=39, tidy=_whole_markup)


def _whole_markup(head: str) -> str:
    """``head`` without a trailing part of a ``<link|label>`` or an ``&amp;`` entity, which Slack would garble."""
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    amp = head.rfind("&")
    if amp >= 0 and ";" not in head[amp:]:
        head = head[:amp]
    return head
