"""A reply as an e-mail: one MIME message with a plain-text part and an HTML part drawn from the same Reply.

The plain part is :func:`bot.render_text.render_text` (what the terminal shows); the HTML part converts the same
markdown subset with markdown-it-py (raw HTML off, only http(s) and mailto links) and escapes everything else.

Headers that make a digest behave like one:
- ``Message-ID`` is derived from the post key, so the same briefing sent twice carries the same id: mail servers
  and clients that deduplicate by it drop the second, and a reader can see it is a resend, not a new briefing;
- ``List-Unsubscribe`` (RFC 2369) says how to stop it; ``Auto-Submitted: auto-generated`` (RFC 3834) keeps
  out-of-office replies away; ``X-Briefbot-Key`` carries the key itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import textwrap
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from markdown_it import MarkdownIt

from bot.config import EmailConfig
from bot.markup import neutral_reply
from bot.render_text import progress_bar, render_text
from bot.reply import Progress, Reply, Section
from bot.store.model import status_label
from bot.textfmt import source_text

_md = MarkdownIt("zero").enable(["emphasis", "link", "list", "escape", "newline", "backticks"])
_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_md.validateLink = lambda url: bool(_SAFE_LINK.match(url))  # type: ignore[method-assign]
KEY_HEADER = "X-Briefbot-Key"
WHY = (
    "You get this because a Briefbot admin subscribed this address. To stop it, use your mail program's "
    "Unsubscribe, or ask them to run /unsubscribe."
)


def message_id(key: str, from_address: str) -> str:
    """``<briefbot.HASH@domain>``: the same for every send of one post key, and only for it."""
    domain = from_address.rpartition("@")[2] or "localhost"
    return f"<briefbot.{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def unsubscribe_header(config: EmailConfig, to: str) -> str:
    if config.unsubscribe:
        return f"<{config.unsubscribe}>"
    return f"<mailto:{config.from_address}?subject={quote('unsubscribe ' + to)}>"


def build_message(reply: Reply, *, to: str, key: str, config: EmailConfig, now: dt.datetime) -> EmailMessage:
    """The message for ``reply`` to ``to``; ``key`` is the post key (claim and idempotency key)."""
    reply = neutral_reply(reply)
    msg = EmailMessage()
    msg["From"] = formataddr((config.from_name, config.from_address))
    msg["To"] = to
    msg["Subject"] = subject(reply)
    msg["Date"] = format_datetime(now.astimezone(dt.UTC))
    msg["Message-ID"] = message_id(key, config.from_address)
    msg["List-Unsubscribe"] = unsubscribe_header(config, to)
    msg["Auto-Submitted"] = "auto-generated"
    msg[KEY_HEADER] = key
    msg.set_content(plain_part(reply, key), cte="quoted-printable")  # readable as sent, safe on 7-bit relays
    msg.add_alternative(html_part(reply, key), subtype="html")
    return msg


def subject(reply: Reply) -> str:
    text = reply.title if not reply.subtitle else f"{reply.title}: {reply.subtitle}"
    return " ".join(text.split())[:200]  # one line, whatever the store held


def plain_part(reply: Reply, key: str) -> str:
    return render_text(reply) + f"\n-- \n{textwrap.fill(WHY, 72)}\nBriefbot post key: {key}\n"


def html_part(reply: Reply, key: str) -> str:
    parts = [f'<h1 style="font-size:1.4em;margin:0 0 .3em">{_e(reply.title)}</h1>']
    if reply.subtitle:
        parts.append(f'<p style="color:#555;margin:0 0 .5em">{_e(reply.subtitle)}</p>')
    if reply.status and (not reply.subtitle or status_label(reply.status) not in reply.subtitle):
        parts.append(f"<p>Status: <strong>{_e(status_label(reply.status))}</strong></p>")
    parts.extend(_section(s) for s in reply.sections)
    tail: list[str] = []
    if reply.sources:
        items = "".join(f"<li>{_source(s.outlet, s.title, s.date, s.link)}</li>" for s in reply.sources)
        tail.append(f"<p>Sources:</p><ul>{items}</ul>")
    if reply.updated:
        tail.append(f"<p>Updated {_e(reply.updated)}</p>")
    tail.extend(f"<p>{_e(line)}</p>" for line in reply.footer)
    if reply.more:
        tail.append(f"<p>More: <code>{_e(reply.more)}</code></p>")
    tail.append(f"<p>{_e(WHY)}<br>Briefbot post key: <code>{_e(key)}</code></p>")
    style = "color:#666;font-size:.85em;border-top:1px solid #ddd;margin-top:1em"
    parts.append(f'<div style="{style}">{"".join(tail)}</div>')
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        f'<body style="font-family:sans-serif;line-height:1.4;max-width:42em">\n{body}\n</body></html>\n'
    )


def _section(section: Section) -> str:
    out = []
    if section.heading:
        status = f" <small>[{_e(status_label(section.status))}]</small>" if section.status else ""
        out.append(f'<h2 style="font-size:1.1em;margin:1em 0 .3em">{_e(section.heading)}{status}</h2>')
    if section.text:
        out.append(_md.render(section.text))
    if section.progress:
        rows = "".join(_progress(p) for p in section.progress)
        out.append(f'<table style="border-collapse:collapse">{rows}</table>')
    if section.fields:
        rows = "".join(
            f'<tr><th style="text-align:left;padding-right:1em">{_e(f.name)}</th><td>{_inline(f.value)}</td></tr>'
            for f in section.fields
        )
        out.append(f"<table>{rows}</table>")
    return "\n".join(out)


def _progress(progress: Progress) -> str:
    note = f" ({_e(progress.note)})" if progress.note else ""
    return (
        f'<tr><td style="padding-right:1em">{_e(progress.label)}</td>'
        f'<td style="font-family:monospace">{progress_bar(progress)}</td>'
        f"<td>{progress.done}/{progress.total}{note}</td></tr>"
    )


def _inline(markdown: str) -> str:
    return str(_md.renderInline(markdown))


def _source(outlet: str, title: str, date: str, link: str | None) -> str:
    text = _e(source_text(outlet, title, date))
    if link and _SAFE_LINK.match(link):
        return f'<a href="{_e(link)}">{text}</a>'
    return text


def _e(text: str) -> str:
    return html.escape(text, quote=True)


__all__ = ["KEY_HEADER", "build_message", "html_part", "message_id", "plain_part", "subject"]
