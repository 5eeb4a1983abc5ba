"""A reply as a Microsoft Teams Adaptive Card, wrapped as the message a Workflows webhook posts.

Teams' Workflows ("When a Teams webhook request is received") takes ``{"type": "message", "attachments": [...]}``
with one ``application/vnd.microsoft.card.adaptive`` attachment; the retired Office 365 connector cards are not
used. Text blocks take a small markdown subset (bold, italics, links, lists), so the reply's markup is converted
with a flavor of :mod:`bot.markup` that escapes what remains. A card must stay under 28 KB; sections are dropped
from the end (with a note naming the command that shows the rest) until it fits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.markup import Flavor, neutral_reply, neutralise, render
from bot.reply import Progress, Reply, Section, Tone
from bot.store.model import STATUS_TONE, StatusTone, status_label
from bot.textfmt import source_text

CARD_VERSION = "1.4"  # what Teams renders in channels and chats
MAX_BYTES = 28 * 1024 - 1024  # Teams' limit for a card message, with room for the envelope
# What Adaptive Card markdown acts on (no HTML, tables or headings; a mention needs an explicit entity). With the
# brackets escaped no link can form, so parentheses stay as they are.
_MD = re.compile(r"([\\`*_\[\]])")
COLOURS = {
    StatusTone.GOOD: "Good",
    StatusTone.ACTIVE: "Accent",
    StatusTone.WARNING: "Warning",
    StatusTone.BAD: "Attention",
}
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
TONE_COLOURS = {Tone.ERROR: "Attention", Tone.INTERNAL: "Attention", Tone.NOT_FOUND: "Warning"}


def teams_text(text: str) -> str:
    """Store text made literal in a card's markdown."""
    return _MD.sub(r"\\\1", neutralise(text))


TEAMS = Flavor(teams_text, "**", "_", lambda label, href: f"[{label}]({href})", teams_text, "-")


def to_teams(markdown: str) -> str:
    return render(markdown, TEAMS)


def render_card(reply: Reply, *, key: str | None = None) -> dict[str, Any]:
    """The Adaptive Card for ``reply``; ``key`` (the idempotency key) goes in its last line."""
    reply = neutral_reply(reply)
    head = _head(reply)
    tail = _tail(reply, key)
    sections = [_section(s) for s in reply.sections]
    while True:
        body = [*head, *(item for items in sections for item in items), *tail]
        card = _card(body)
        if len(json.dumps(message(card)).encode()) <= MAX_BYTES or not sections:
            return card
        sections.pop()
        if not any(item.get("id") == "cut" for item in tail):
            more = f"The rest did not fit: {reply.more}" if reply.more else "The rest did not fit in one card."
            tail.insert(0, {**_text(teams_text(more), subtle=True), "id": "cut"})


def message(card: dict[str, Any]) -> dict[str, Any]:
    """The body a Workflows webhook takes: one Adaptive Card attachment."""
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}],
    }


def _card(body: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }


def _head(reply: Reply) -> list[dict[str, Any]]:
    tone = STATUS_TONE.get(reply.status) if reply.status else None
    colour = TONE_COLOURS.get(reply.tone) or (COLOURS.get(tone, "Default") if tone else "Default")
    items = [{**_text(teams_text(reply.title)), "size": "Large", "weight": "Bolder", "color": colour}]
    if reply.subtitle:
        items.append(_text(teams_text(reply.subtitle), subtle=True))
    if reply.status and (not reply.subtitle or status_label(reply.status) not in reply.subtitle):
        items.append(_text(f"Status: **{teams_text(status_label(reply.status))}**"))
    return items


def _section(section: Section) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if section.heading:
        status = f" \\[{teams_text(status_label(section.status))}\\]" if section.status else ""
        items.append({**_text(teams_text(section.heading) + status), "weight": "Bolder", "separator": True})
    if section.text:
        items.append(_text(to_teams(section.text)))
    if section.progress:
        items.append(_text("\n\n".join(_progress(p) for p in section.progress)))
    if section.fields:
        facts = [{"title": teams_text(f.name), "value": to_teams(f.value)} for f in section.fields]
        items.append({"type": "FactSet", "facts": facts})
    return items


def _progress(progress: Progress) -> str:
    from bot.render_text import progress_bar

    note = f" ({teams_text(progress.note)})" if progress.note else ""
    return f"{teams_text(progress.label)}: {progress_bar(progress)} {progress.done}/{progress.total}{note}"


def _tail(reply: Reply, key: str | None) -> list[dict[str, Any]]:
    lines = []
    if reply.sources:
        sources = "; ".join(
            f"[{teams_text(source_text(s.outlet, s.title, s.date))}]({s.link})"
            if s.link and s.link.lower().startswith(("https://", "http://"))
            else teams_text(source_text(s.outlet, s.title, s.date))
            for s in reply.sources
        )
        lines.append(f"Sources: {sources}")
    if reply.updated:
        lines.append(f"Updated {teams_text(reply.updated)}")
    lines.extend(teams_text(f) for f in reply.footer)
    if key:
        lines.append(teams_text(f"key {key}"))
    return [{**_text(line, subtle=True), "size": "Small"} for line in lines]


def _text(text: str, *, subtle: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


__all__ = ["TEAMS", "message", "render_card", "teams_text", "to_teams"]
