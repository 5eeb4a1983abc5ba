"""The reply's markdown subset, converted for each surface with markdown-it-py.

Handlers write ``**bold**``, ``_italics_``, ``[text](https://...)`` and ``- list items``, wrapping store and
user text in :func:`escape`. Renderers call :func:`to_plain`, :func:`to_slack` or the Discord adapter's
``to_discord`` (a :class:`Flavor` built there with discord.py's own escaping), which escape whatever remains for
that platform, so store text can never become a live mention or markup.

Every surface also drops what would act on the reader's screen rather than be read (:func:`neutralise`): bidi
overrides and isolates, which reorder the rest of a line, and terminal escape sequences, which can clear or
retitle a console. Renderers pass each reply through :func:`neutral_reply` first, so no field is forgotten.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.reply import Reply

_md = MarkdownIt("zero").enable(["emphasis", "link", "list", "escape", "newline", "backticks"])
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#~|])")
_LIST_START = re.compile(r"^(\s*)([-+*]|\d+[.)])(\s)", re.MULTILINE)
_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)


# Terminal escape sequences (CSI such as ESC [2J, OSC such as ESC ]0;title BEL, the 8-bit CSI), then every other
# control character but tab and newline, and the bidi embeddings, overrides and isolates.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)")
_UNSAFE_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A bare @here, @channel or @everyone (not an address such as ops@here.example) gets a zero-width space.
_SLACK_BROADCAST = re.compile(r"(?<![\w./:@+-])@(here|channel|everyone)\b", re.IGNORECASE)


def neutralise(text: str) -> str:
    """``text`` without terminal escape sequences, control characters (but tab and newline) or bidi controls."""
    if not _UNSAFE_CHAR.search(text):  # the common case: nothing to do
        return text
    return _UNSAFE_CHAR.sub("", _ESCAPE_SEQUENCE.sub("", text))


_T = TypeVar("_T")


def neutral_reply(reply: Reply) -> Reply:
    """``reply`` with :func:`neutralise` applied to every text in it: what each renderer draws from. A part with
    nothing to drop is kept as it is (most replies carry no control character, so most come back unchanged)."""
    return _neutral(reply)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, by class; () for anything else


def _field_names(value: object) -> tuple[str, ...]:
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        is_instance = dataclasses.is_dataclass(value) and not isinstance(value, type)
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(value)) if is_instance else ()  # type: ignore[arg-type]
    return names


def _neutral(value: _T) -> _T:
    result: Any = value
    if isinstance(value, str):
        result = neutralise(value)  # the same string when there is nothing to drop
    elif isinstance(value, tuple):
        items = [_neutral(item) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            result = tuple(items)
    else:
        changes = {}
        for name in _field_names(value):
            old = getattr(value, name)
            new = _neutral(old)
            if new is not old:
                changes[name] = new
        if changes:
            result = dataclasses.replace(value, **changes)  # type: ignore[type-var]
    return result  # type: ignore[no-any-return]


@lru_cache(maxsize=8192)
def escape(text: str) -> str:
    """Make store or user text literal inside the markdown subset. Cached: answers escape the same store text
    again and again (a topic's summary on every ``/status``)."""
    return _LIST_START.sub(r"\1\\\2\3", _MD_SPECIAL.sub(r"\\\1", neutralise(text)))


def slack_escape(text: str) -> str:
    """Slack mrkdwn needs only &, < and > escaped; that also disarms <!channel> and <@U123>. A bare @here,
    @channel or @everyone is broken with a zero-width space, so it stays text even if ``link_names`` were on."""
    return _SLACK_BROADCAST.sub("@\u200b\\1", _slack_entities(neutralise(text)))


def _slack_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Flavor:
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


PLAIN = Flavor(neutralise, "", "", _plain_link, neutralise, "•")
SLACK = Flavor(
    slack_escape,
    "*",
    "_",
    lambda label, href: f"<{_slack_entities(href)}|{label}>",  # an https URL: & < > only, no mention breaking
    lambda t: f"`{slack_escape(t)}`",
    "•",
)


def to_plain(markdown: str) -> str:
    return render(markdown, PLAIN)


def to_slack(markdown: str) -> str:
    return render(markdown, SLACK)


@lru_cache(maxsize=8192)
def render(markdown: str, flavor: Flavor) -> str:
    """``markdown`` (the reply's subset) drawn in ``flavor``; a platform adapter may define its own flavor."""
    markdown = neutralise(markdown)
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


def _inline(tokens: list[Token], flavor: Flavor) -> str:
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
