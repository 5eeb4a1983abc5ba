"""A reply as an HTML fragment, for a feed entry's content. Pure.

Section texts are the reply's markdown subset, rendered by markdown-it-py with raw HTML off (store text was
escaped by the handler, and anything else becomes text); links other than http(s) are dropped by markdown-it's own
link check. Headings, labels and footers are plain text and escaped here.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from bot.markup import neutral_reply
from bot.reply import Reply, Section
from bot.textfmt import source_text

_md = MarkdownIt("zero").enable(["emphasis", "link", "list", "escape", "newline", "backticks"])


def reply_html(reply: Reply) -> str:
    reply = neutral_reply(reply)
    parts = [f"<h2>{escape(reply.title)}</h2>"]
    if reply.subtitle:
        parts.append(f"<p><em>{escape(reply.subtitle)}</em></p>")
    for section in reply.sections:
        parts.extend(_section(section))
    if reply.sources:
        items = []
        for s in reply.sources:
            text = escape(source_text(s.outlet, s.title, s.date))
            link = s.link if s.link and s.link.lower().startswith(("https://", "http://")) else None
            items.append(f'<li><a href="{escape(link)}">{text}</a></li>' if link else f"<li>{text}</li>")
        parts.append("<h3>Sources</h3><ul>" + "".join(items) + "</ul>")
    tail = ([f"Updated {reply.updated}"] if reply.updated else []) + list(reply.footer)
    if tail:
        parts.append("<p><small>" + "<br/>".join(escape(t) for t in tail) + "</small></p>")
    return "\n".join(parts)


def _section(section: Section) -> list[str]:
    out = []
    if section.heading:
        out.append(f"<h3>{escape(section.heading)}</h3>")
    if section.text:
        out.append(_md.render(section.text).strip())
    if section.progress:
        rows = []
        for p in section.progress:
            note = f" ({escape(p.note)})" if p.note else ""
            rows.append(f"<li>{escape(p.label)}: {p.done}/{p.total} done{note}</li>")
        out.append("<ul>" + "".join(rows) + "</ul>")
    if section.fields:
        rows = [f"<dt>{escape(f.name)}</dt><dd>{_md.renderInline(f.value)}</dd>" for f in section.fields]
        out.append("<dl>" + "".join(rows) + "</dl>")
    return out
