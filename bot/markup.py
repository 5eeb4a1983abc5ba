"""The reply's markdown subset, converted for each surface with markdown-it-py.

Handlers write ``**bold**``, ``_italics_``, ``[text](https://...)`` and ``- list items``, wrapping store and
user text in :func:`escape`. Renderers call :func:`to_plain`, :func:`to_slack` or :func:`to_discord`, which
escape whatever remains for that platform, so store text can never become a live mention or markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("zero").enable(["emphasis", "link", "list", "escape", "newline", "backticks"])
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#~|])")
_LIST_START = re.compile(r"^(\s*)([-+*]|\d+[.)])(\s)", re.MULTILINE)
_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)


def escape(text: str) -> str:
    """Make store or user text literal inside the markdown subset."""
    return _LIST_START.sub(r"\1\\\2\3", _MD_SPECIAL.sub(r"\\\1", text))


def slack_escape(text: str) -> str:
    """Slack mrkdwn needs only &, < and > escaped; that also disarms <!channel> and <@U123>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_DISCORD_SPECIAL = re.compile(r"([\\*_`~|>#\[\]()-])")
_DISCORD_MENTION = re.compile(r"@(everyone|here|[!&]?\d)", re.IGNORECASE)


def discord_escape(text: str) -> str:
    """Escape Discord markdown, and break @everyone/@here/<@id> with a zero-width space (belt and braces:
    adapters also send ``allowed_mentions`` with nothing allowed)."""
    text = _DISCORD_SPECIAL.sub(r"\\\1", text.replace("<", "<\u200b"))
    return _DISCORD_MENTION.sub("@\u200b\\1", text)


class _Flavor:
    def __init__(
        self,
        text: Callable[[str], str],
        bold: str,
        italic: str,
        link: Callable[[str, str], str],
        code: Callable[[str], str],
        bullet: str,
    ) -> None:
        self.text, self.bold, self.italic, self.link, self.code, self.bullet = text, bold, italic, link, code, bullet


def _plain_link(label: str, href: str) -> str:
    return label if label == href else f"{label} ({href})"


PLAIN = _Flavor(lambda t: t, "", "", _plain_link, lambda t: t, "•")
SLACK = _Flavor(
    slack_escape, "*", "_", lambda label, href: f"<{slack_escape(href)}|{label}>", lambda t: f"`{slack_escape(t)}`", "•"
)
DISCORD = _Flavor(
    discord_escape,
    "**",
    "_",
    lambda label, href: f"[{label}](<{href}>)",
    lambda t: f"`{t.replace('`', 'ˋ')}`",
    "•",
)


def to_plain(markdown: str) -> str:
    return render(markdown, PLAIN)


def to_slack(markdown: str) -> str:
    return render(markdown, SLACK)


def to_discord(markdown: str) -> str:
    return render(markdown, DISCORD)


@lru_cache(maxsize=8192)
def render(markdown: str, flavor: _Flavor) -> str:
    blocks: list[str] = []
    depth = 0
    for token in _md.parse(markdown):
        if token.type in {"bullet_list_open", "ordered_list_open"}:
            if depth == 0 and len(blocks) > 1 and blocks[-1] == "" and _is_label(blocks[-2]):
                blocks.pop()  # a short label line ("Open questions") sits right above its list
            depth += 1
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            depth -= 1
        elif token.type == "inline":
            line = _inline(token.children or [], flavor)
            if depth:
                line = f"{'  ' * (depth - 1)}{flavor.bullet} {line}"
            blocks.append(line)
        elif token.type == "paragraph_close" and not depth:
            blocks.append("")
    return "\n".join(blocks).strip("\n")


def _is_label(line: str) -> bool:
    return len(line) <= 40 and "\n" not in line


def _inline(tokens: list[Token], flavor: _Flavor) -> str:
    out: list[str] = []
    link_stack: list[tuple[int, str]] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(flavor.text(token.content))
        elif kind == "code_inline":
            out.append(flavor.code(token.content))
        elif kind in ("strong_open", "strong_close"):
            out.append(flavor.bold)
        elif kind in ("em_open", "em_close"):
            out.append(flavor.italic)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "link_open":
            link_stack.append((len(out), str(token.attrs.get("href", ""))))
        elif kind == "link_close" and link_stack:
            start, href = link_stack.pop()
            label = "".join(out[start:])
            del out[start:]
            out.append(flavor.link(label, href) if _SAFE_LINK.match(href) else label)
    return "".join(out)
