"""Plain-text rendering of a reply: the console, ``briefbot ask`` and logs. Pure and platform-free."""

from __future__ import annotations

from bot.i18n import gettext_for, status_word
from bot.markup import neutral_reply, to_plain
from bot.reply import Progress, Reply, Section
from bot.store.model import status_label
from bot.textfmt import source_text

BAR_WIDTH = 12


def progress_bar(progress: Progress, width: int = BAR_WIDTH, full: str = "█", empty: str = "░") -> str:
    filled = round(progress.fraction * width)
    return full * filled + empty * (width - filled)


def render_text(reply: Reply) -> str:
    reply = neutral_reply(reply)  # nothing from the store or the user may drive the terminal or reorder a line
    lines = [reply.title]
    _ = gettext_for(reply.language)
    if reply.subtitle:
        lines.append(reply.subtitle)
    status = status_word(reply.status, reply.language) if reply.status else ""
    if status and (not reply.subtitle or status not in reply.subtitle):
        lines.append(_("Status: {status}").format(status=status))
    lines.append("=" * min(72, max(len(reply.title), 8)))
    for section in reply.sections:
        lines.extend(_section(section))
    if reply.choices:
        lines.append("")
        lines.append(_("Choices:"))
        lines.extend(f"  {c.command}" + (f"   ({c.description})" if c.description else "") for c in reply.choices)
    tail = []
    if reply.sources:
        tail.append(
            _("Sources: ")
            + "; ".join(
                source_text(s.outlet, s.title, s.date) + (f" <{s.link}>" if s.link else "") for s in reply.sources
            )
        )
    if reply.updated:
        tail.append(_("Updated {date}").format(date=reply.updated))
    tail.extend(reply.footer)
    if reply.more:
        tail.append(_("More: ") + reply.more)
    if tail:
        lines.append("")
        lines.extend(tail)
    return "\n".join(lines).rstrip() + "\n"


def _section(section: Section) -> list[str]:
    out = [""]
    if section.heading:
        status = f" [{status_label(section.status)}]" if section.status else ""
        out.append(f"{section.heading}{status}")
    if section.text:
        out.append(to_plain(section.text))
    width = max((len(p.label) for p in section.progress), default=0)
    for p in section.progress:
        note = f"  ({p.note})" if p.note else ""
        out.append(f"  {p.label.ljust(width)}  {progress_bar(p)}  {p.done}/{p.total}{note}")
    for field in section.fields:
        out.append(f"  {field.name}: {to_plain(field.value)}")
    return out
