"""A reply rendered for a terminal with rich: wrapped to the terminal's width, a rule under the title, colour by tone.

Pipes and files get :func:`bot.render_text.render_text` instead (see :func:`bot.terminal.output.for_stream`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.text import Text

from bot.i18n import gettext_for, status_word
from bot.markup import neutral_reply, to_plain
from bot.render_text import progress_bar
from bot.reply import Reply, Section, Tone
from bot.store.model import STATUS_TONE, StatusTone, status_label

# Colours by what kind of answer it is, then by the store status it reports (as Slack and Discord colour them).
REPLY_STYLE = {Tone.ERROR: "red", Tone.INTERNAL: "red", Tone.NOT_FOUND: "yellow", Tone.QUESTION: "cyan"}
STATUS_STYLE = {
    StatusTone.GOOD: "green",
    StatusTone.ACTIVE: "blue",
    StatusTone.NEUTRAL: "",
    StatusTone.WARNING: "yellow",
    StatusTone.BAD: "red",
    StatusTone.MUTED: "bright_black",
}
_BULLET = re.compile(r"^(\s*(?:[•\-*]|\d+[.)])\s+|\s+)(?=\S)")  # a list item's marker, or an indent


def status_style(status: str | None) -> str:
    tone = STATUS_TONE.get(status) if status else None
    return STATUS_STYLE[tone] if tone else ""


def reply_style(reply: Reply) -> str:
    return REPLY_STYLE.get(reply.tone) or status_style(reply.status)


def render_rich(reply: Reply, *, width: int, colour: bool) -> str:
    """The same content as :func:`render_text`, laid out for a terminal ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(width, 20),
        force_terminal=colour,
        no_color=not colour,
        color_system="standard" if colour else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        _environ={},  # the caller decided colour and width; ignore COLUMNS, NO_COLOR, TERM here
    )
    # Our colours are the only escape sequences written: the reply's own are dropped, with its bidi overrides.
    for renderable in _renderables(neutral_reply(reply), console):
        console.print(renderable)
    return buffer.getvalue()


def _renderables(reply: Reply, console: Console) -> Iterator[RenderableType]:
    style = reply_style(reply)
    _ = gettext_for(reply.language)
    yield _wrap(console, Text(reply.title, style=f"bold {style}".strip()))
    if reply.subtitle:
        yield _wrap(console, Text(reply.subtitle, style="dim"))
    status = status_word(reply.status, reply.language) if reply.status else ""
    if reply.status and (not reply.subtitle or status not in reply.subtitle):
        label = _("Status: {status}").split("{status}", 1)[0]
        yield Text.assemble(label, (status, status_style(reply.status)))
    yield Rule(style=style or "dim", characters="═")
    for section in reply.sections:
        yield from _section(section, console)
    if reply.choices:
        yield Text()
        yield Text(_("Choices:"), style="bold")
        for choice in reply.choices:
            line = Text(choice.command, style="cyan")
            if choice.description:
                line.append(f"   ({choice.description})", style="dim")
            yield _wrap(console, line, first="  ")
    tail = list(_tail(reply, console))
    if tail:
        yield Text()
        yield from tail


def _section(section: Section, console: Console) -> Iterator[RenderableType]:
    yield Text()
    if section.heading:
        heading = Text(section.heading, style="bold")
        if section.status:
            heading.append(f" [{status_label(section.status)}]", style=status_style(section.status))
        yield _wrap(console, heading)
    if section.text:
        for line in to_plain(section.text).splitlines():
            match = _BULLET.match(line)  # a list item wraps under its own text, not under the bullet
            first = match.group(1) if match else ""
            yield _wrap(console, Text(line[len(first) :]), first=first)
    width = max((cell_len(p.label) for p in section.progress), default=0)
    for p in section.progress:
        row = Text(f"  {p.label}{' ' * (width - cell_len(p.label))}  ")
        row.append(progress_bar(p), style="green")
        row.append(f"  {p.done}/{p.total}")
        if p.note:
            row.append(f"  ({p.note})", style="dim")
        yield _wrap(console, row, rest=" " * (width + 4))
    for field in section.fields:
        yield _wrap(console, Text.assemble((f"{field.name}: ", "bold"), to_plain(field.value)), first="  ")


def _tail(reply: Reply, console: Console) -> Iterator[RenderableType]:
    _ = gettext_for(reply.language)
    if reply.sources:
        text = Text(_("Sources: "), style="dim")
        for i, s in enumerate(reply.sources):
            text.append(("; " if i else "") + f"{s.outlet}, \u201c{s.title}\u201d, {s.date}", style="dim")
            if s.link:
                text.append(f" <{s.link}>", style="dim underline")
        yield _wrap(console, text)
    if reply.updated:
        yield _wrap(console, Text(_("Updated {date}").format(date=reply.updated), style="dim"))
    for line in reply.footer:
        yield _wrap(console, Text(line, style="dim"))
    if reply.more:
        yield _wrap(console, Text.assemble((_("More: "), "dim"), (reply.more, "cyan")))


def _wrap(console: Console, body: Text, *, first: str = "", rest: str | None = None) -> Text:
    """``body`` word-wrapped to the console's width after ``first``, continuation lines indented by ``rest``
    (by default as deep as ``first``), with no trailing blanks."""
    rest = " " * cell_len(first) if rest is None else rest
    room = max(console.width - max(cell_len(first), cell_len(rest)), 10)
    out = Text(end="")
    for i, line in enumerate(body.wrap(console, room, overflow="fold")):
        line.rstrip()
        if i:
            out.append("\n")
        out.append(first if i == 0 else rest)
        out.append_text(line)
    return out
