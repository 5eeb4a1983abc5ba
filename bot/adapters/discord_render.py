"""A neutral :class:`~bot.reply.Reply` as one Discord embed. Pure: no I/O, no client.

Layout: the title; a description with the subtitle, the status and the sections that have no heading; one
field per headed section (with its progress bars and its own fields); a footer with the sources, the
``updated`` date, the reply's footer lines and the idempotency key. The colour follows the store status
(via ``STATUS_TONE``) or, for questions and errors, the kind of answer.

Discord refuses an embed over its limits, so everything is cut to fit (title 256, description 4,096, 25 fields
of 256/1,024, footer 2,048, 6,000 in all), at line boundaries where possible, and a cut answer ends with a
pointer to ``reply.more``. Markdown text goes through :func:`to_discord`, the markup subset drawn with
discord.py's own ``escape_markdown`` and ``escape_mentions``; plain text (title, headings, footer) has its
mentions broken too, although embeds never ping anyone (and the client allows no mentions at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import discord

from bot import textfmt
from bot.i18n import gettext_for, status_word
from bot.markup import Flavor, neutral_reply, neutralise, render
from bot.render_text import progress_bar
from bot.reply import Progress, Reply, Section, Tone
from bot.store.model import STATUS_TONE, StatusTone, status_label
from bot.textfmt import ELLIPSIS

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
TOTAL_MAX = 6000
BAR_WIDTH = 10
ZWSP = "\u200b"

STATUS_COLOURS: dict[StatusTone, int] = {
    StatusTone.GOOD: 0x2ECC71,
    StatusTone.ACTIVE: 0x3498DB,
    StatusTone.NEUTRAL: 0x95A5A6,
    StatusTone.WARNING: 0xE67E22,
    StatusTone.BAD: 0xE74C3C,
    StatusTone.MUTED: 0x607D8B,
}
TONE_COLOURS: dict[Tone, int] = {
    Tone.QUESTION: 0x5865F2,
    Tone.NOT_FOUND: 0x95A5A6,
    Tone.ERROR: 0xE67E22,
    Tone.INTERNAL: 0xE74C3C,
}
ANSWER_COLOUR = 0x5865F2  # Discord's blurple, for answers without a status

_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)


def discord_text(text: str) -> str:
    """Store or user text made literal in Discord markdown: discord.py's escaping, and ``<`` broken too, so no
    ``<@id>``, ``<#channel>`` or ``<t:…>`` of any length is parsed (escape_mentions only knows real-length ids)."""
    text = neutralise(text)
    # A fragment that starts with a space is never at a line start (markdown-it strips those), so its "- " is no
    # list marker; escaping it would show a stray backslash.
    body = text.lstrip()
    escaped = text[: len(text) - len(body)] + discord.utils.escape_markdown(body)
    # escape_mentions is case-sensitive; Discord is not.
    return _MENTION.sub(f"@{ZWSP}\\1", discord.utils.escape_mentions(escaped.replace("<", f"<{ZWSP}")))


DISCORD = Flavor(
    discord_text,
    "**",
    "_",
    lambda label, href: f"[{label}](<{href}>)",
    lambda t: f"`{t.replace('`', 'ˋ')}`",
    "•",
)


def to_discord(markdown: str) -> str:
    """The reply's markdown subset as Discord markdown, with store and user text escaped."""
    return render(markdown, DISCORD)


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: str
    inline: bool


def colour_of(reply: Reply) -> int:
    if reply.tone in TONE_COLOURS:
        return TONE_COLOURS[reply.tone]
    tone = STATUS_TONE.get(reply.status) if reply.status else None
    return STATUS_COLOURS[tone] if tone else ANSWER_COLOUR


def render_embed(reply: Reply, *, key: str | None = None) -> discord.Embed:
    """The embed for ``reply``; ``key`` (a delivery's idempotency key) goes into the footer."""
    reply = neutral_reply(reply)
    title = clip(plain(reply.title), TITLE_MAX)
    footer = clip(_footer(reply, key), FOOTER_MAX)
    note = _cut_note(reply)
    # Room for the cut note is kept aside from the start, so adding it can never break a limit.
    left = TOTAL_MAX - len(title) - len(footer) - len(note) - 2
    lead, fields = _layout(reply)

    description = clip(lead, min(DESCRIPTION_MAX - len(note) - 2, left))
    cut = description != lead
    left -= len(description)
    kept: list[_Field] = []
    for position, field in enumerate(fields):
        if cut:
            break
        last = position == len(fields) - 1
        if (len(kept) == FIELDS_MAX - 1 and not last) or len(field.name) + 40 > left:
            cut = True
            break
        value = clip(field.value, min(FIELD_VALUE_MAX, left - len(field.name)))
        cut = value != field.value
        kept.append(_Field(field.name, value, field.inline))
        left -= len(field.name) + len(value)
    if cut and note:
        if kept:
            kept.append(_Field("More", note, False))
        else:
            description = f"{description}\n\n{note}".strip()

    embed = discord.Embed(title=title, description=description or None, colour=colour_of(reply))
    for field in kept:
        embed.add_field(name=field.name, value=field.value, inline=field.inline)
    if footer:
        embed.set_footer(text=footer)
    return embed


def plain(text: str) -> str:
    """Plain text for a title, heading or footer: break ``@everyone``/``@here`` and ``<@id>`` mentions."""
    return _MENTION.sub(f"@{ZWSP}\\1", text.replace("<@", f"<{ZWSP}@"))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a line or word boundary when one is near, ending with "…"."""
    # never leave a lone escape character before the ellipsis
    return textfmt.clip(text, limit, breaks="\n ", lose=Fraction(1, 3), tidy=lambda head: head.rstrip("\\"))


def _layout(reply: Reply) -> tuple[str, list[_Field]]:
    lead: list[str] = []
    _ = gettext_for(reply.language)
    if reply.subtitle:
        lead.append(f"_{to_discord_text(reply.subtitle)}_")
    status = status_word(reply.status, reply.language) if reply.status else ""
    if status and (not reply.subtitle or status not in reply.subtitle):
        lead.append(_("Status: {status}").format(status=f"**{status}**"))
    fields: list[_Field] = []
    for section in reply.sections:
        body = _section_body(section)
        if not section.heading and not fields:  # the sections before the first heading lead the answer
            if body:
                lead.append(body)
        else:
            name = plain(section.heading or ZWSP)
            if section.status:
                name = f"{name} · {status_label(section.status)}"
            fields.extend(_split(clip(name, FIELD_NAME_MAX), body))
        fields.extend(
            _Field(clip(plain(f.name), FIELD_NAME_MAX) or ZWSP, to_discord(f.value) or ZWSP, True)
            for f in section.fields
            if f.inline
        )
    return "\n\n".join(lead), fields


def _section_body(section: Section) -> str:
    """Text, progress bars and long fields, in order; short (inline) fields become a grid of embed fields."""
    parts = [to_discord(section.text)] if section.text else []
    parts.extend(_progress_line(p) for p in section.progress)
    parts.extend(f"**{to_discord_text(f.name)}:** {to_discord(f.value)}" for f in section.fields if not f.inline)
    return "\n".join(p for p in parts if p)


def _progress_line(progress: Progress) -> str:
    note = f" ({to_discord_text(progress.note)})" if progress.note else ""
    bar = progress_bar(progress, BAR_WIDTH)
    return f"`{bar}` {progress.done}/{progress.total} {to_discord_text(progress.label)}{note}"


def _split(name: str, value: str) -> list[_Field]:
    """A section longer than one field value goes on in further fields, split between lines."""
    if not value:
        return [_Field(name, ZWSP, False)] if name != ZWSP else []
    out: list[_Field] = []
    chunk: list[str] = []
    size = 0
    for raw in value.split("\n"):
        line = clip(raw, FIELD_VALUE_MAX)
        if chunk and size + len(line) + 1 > FIELD_VALUE_MAX:
            out.append(_Field(name if not out else f"{name} (continued)"[:FIELD_NAME_MAX], "\n".join(chunk), False))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    out.append(_Field(name if not out else f"{name} (continued)"[:FIELD_NAME_MAX], "\n".join(chunk), False))
    return out


def _footer(reply: Reply, key: str | None) -> str:
    lines: list[str] = []
    _ = gettext_for(reply.language)
    if reply.sources:
        cited = "; ".join(f"{s.outlet}, \u201c{s.title}\u201d, {s.date}" for s in reply.sources)
        lines.append(_("Sources: ") + cited)
    if reply.updated:
        lines.append(_("Updated {date}").format(date=reply.updated))
    lines.extend(reply.footer)
    if reply.more:
        lines.append(_("More: ") + reply.more)
    if key:
        lines.append(f"key {key}")
    return plain("\n".join(lines))


def _cut_note(reply: Reply) -> str:
    if reply.more:
        return f"{ELLIPSIS} cut to fit Discord; `{_code(reply.more)}` shows the rest."
    return f"{ELLIPSIS} cut to fit Discord's size limits."


def _code(text: str) -> str:
    return text.replace("`", "ˋ")[:200]


def to_discord_text(text: str) -> str:
    """Plain text (not markdown) shown where Discord renders markdown: escaped so it reads literally."""
    return discord_text(text)


__all__ = ["DISCORD", "clip", "colour_of", "discord_text", "plain", "render_embed", "to_discord"]
