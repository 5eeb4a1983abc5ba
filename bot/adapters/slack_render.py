"""Block Kit rendering of the neutral :class:`~bot.reply.Reply`: a pure function, no I/O, no Slack SDK.

Two promises, both tested:

- **Never too big.** Slack refuses messages over 50 blocks, section text over 3,000 characters, headers over
  150, fields over 2,000 and, in practice, messages near 13k characters. A long answer is cut to fit with a
  pointer to the rest (``reply.more``), never sent to fail.
- **Never a live mention.** Everything from the store or the user goes through :func:`bot.markup.to_slack` or
  :func:`bot.markup.slack_escape` (``&``, ``<``, ``>``), so ``<!channel>`` or ``<@U123>`` in content shows as text.
  The one mention we write on purpose is "Shared by @user", from an id Slack gave us.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bot.commands import CommandSpec, with_prefix
from bot.markup import neutral_reply, slack_escape, to_plain, to_slack
from bot.render_text import progress_bar
from bot.reply import Choice, Progress, Reply, Section, SourceRef, Tone, Visibility
from bot.sharing import shareable
from bot.store.model import STATUS_TONE, status_label
from bot.store.model import Tone as StatusTone
from bot.textfmt import clip

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_TOTAL = 12000  # characters of text across all blocks: Slack refused messages near 13k
MAX_BUTTONS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_FALLBACK = 3000
# Context lines are small print: capped so that the head and tail never crowd out the answer itself.
MAX_SUBTITLE = 500
MAX_SOURCES = 1500
MAX_META = 300
MAX_FOOTER_LINES = 5
CUT_RESERVE = 300  # characters kept back for the "cut to fit" notice

APP_NAME = "Briefbot"  # a title when a reply has none: Slack refuses empty text
SHARE_ACTION = "briefbot_share"
RUN_ACTION = "briefbot_run"  # choice buttons: f"{RUN_ACTION}:{command}", the command also in ``value``
SHARE_LABEL = "Share in channel"

STATUS_EMOJI: dict[StatusTone, str] = {
    StatusTone.GOOD: ":large_green_circle:",
    StatusTone.ACTIVE: ":large_blue_circle:",
    StatusTone.NEUTRAL: ":white_circle:",
    StatusTone.WARNING: ":large_orange_circle:",
    StatusTone.BAD: ":red_circle:",
    StatusTone.MUTED: ":black_circle:",
}
TONE_EMOJI: dict[Tone, str] = {
    Tone.QUESTION: ":grey_question:",
    Tone.NOT_FOUND: ":mag:",
    Tone.ERROR: ":warning:",
    Tone.INTERNAL: ":x:",
}
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$", re.IGNORECASE)


def render_message(
    reply: Reply,
    *,
    prefix: str = "",
    share: bool | None = None,
    shared_by: str | None = None,
    specs: Mapping[str, CommandSpec] | None = None,
) -> dict[str, Any]:
    """``{"text": fallback, "blocks": [...]}`` for ``chat.postMessage``, ``ack()`` or ``respond()``.

    ``share`` adds the "Share in channel" button; by default it is offered for private answers to a read-only
    command, judged by the router's ``specs`` (a command with effects would run again: :mod:`bot.sharing`).
    Without ``specs`` it is offered for any private answer that came from a command, as before;
    ``prefix`` is the configured slash-command prefix, so pointers read ``/trade-timeline``, not ``/timeline``;
    ``shared_by`` is the Slack user id of whoever shared the answer into the channel.
    """
    reply = neutral_reply(reply)  # no bidi override or terminal escape in any field
    if share is None and specs is not None:
        share = shareable(reply, specs, prefix)
    elif share is None:
        share = reply.visibility is Visibility.PRIVATE and reply.tone is Tone.ANSWER and bool(reply.command)
    head = _head_blocks(reply)
    tail = _tail_blocks(reply, prefix=prefix, share=share, shared_by=shared_by)
    blocks_left = MAX_BLOCKS - len(head) - len(tail) - 1  # one for a possible "cut" notice
    chars_left = MAX_TOTAL - _size(head) - _size(tail) - CUT_RESERVE
    body, cut = _fit(list(_body_blocks(reply)), blocks_left, chars_left)
    if cut:
        body.append(_cut_notice(reply, prefix))
    return {"text": fallback_text(reply), "blocks": [*head, *body, *tail]}


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` Slack shows in notifications and where blocks cannot be displayed."""
    reply = neutral_reply(reply)
    parts = [reply.title.strip() or APP_NAME]
    if reply.subtitle:
        parts.append(reply.subtitle)
    first = next((s.text for s in reply.sections if s.text), "")
    if first:
        parts.append(to_plain(first))
    return _cut(slack_escape("\n".join(parts)), MAX_FALLBACK)


def status_badge(status: str) -> str:
    """A store status as an emoji and a word, such as ``:large_blue_circle: in talks``."""
    tone = STATUS_TONE.get(status, StatusTone.NEUTRAL)
    return f"{STATUS_EMOJI[tone]} {slack_escape(status_label(status))}"


slash = with_prefix  # kept under its old name for the adapter's callers


# --- head, body and tail ------------------------------------------------------------------------------------


def _head_blocks(reply: Reply) -> list[Block]:
    emoji = TONE_EMOJI.get(reply.tone)
    title = reply.title.strip() or APP_NAME
    title = f"{emoji} {title}" if emoji else title
    blocks: list[Block] = [{"type": "header", "text": _plain(title, MAX_HEADER)}]
    elements: list[str] = []
    subtitle = reply.subtitle or ""
    if reply.status:
        elements.append(status_badge(reply.status))
        label = f" · {status_label(reply.status)}"
        if subtitle.endswith(label):  # the handler already named the status; show it once, with its emoji
            subtitle = subtitle[: -len(label)]
    if subtitle:
        elements.append(_cut(slack_escape(subtitle), MAX_SUBTITLE))
    if elements:
        blocks.append(_context(elements))
    return blocks


def _body_blocks(reply: Reply) -> Iterator[Block]:
    for section in reply.sections:
        yield from _section_blocks(section)
    if reply.image_url and _SAFE_URL.match(reply.image_url) and reply.image_url.lower().startswith("https://"):
        yield {"type": "image", "image_url": reply.image_url, "alt_text": _cut(reply.title, 2000)}


def _section_blocks(section: Section) -> Iterator[Block]:
    lines: list[str] = []
    heading = f"*{slack_escape(section.heading)}*" if section.heading else ""
    if section.status:
        heading = f"{heading}  {status_badge(section.status)}".strip()
    if heading:
        lines.append(heading)
    if section.text:
        lines.append(to_slack(section.text))
    lines.extend(_progress_line(p) for p in section.progress)
    wide = [f for f in section.fields if not f.inline]
    lines.extend(f"*{slack_escape(f.name)}:* {to_slack(f.value)}" for f in wide)
    text = "\n".join(line for line in lines if line)
    for chunk in _chunks(text, MAX_SECTION_TEXT):
        yield {"type": "section", "text": _mrkdwn(chunk)}
    inline = [f for f in section.fields if f.inline]
    for start in range(0, len(inline), MAX_FIELDS):
        group = inline[start : start + MAX_FIELDS]
        fields = [_mrkdwn(_cut(f"*{slack_escape(f.name)}*\n{to_slack(f.value)}", MAX_FIELD)) for f in group]
        yield {"type": "section", "fields": fields}


def _progress_line(progress: Progress) -> str:
    note = f" · {slack_escape(progress.note)}" if progress.note else ""
    return f"`{progress_bar(progress)}` {progress.done}/{progress.total}  {slack_escape(progress.label)}{note}"


def _tail_blocks(reply: Reply, *, prefix: str, share: bool, shared_by: str | None) -> list[Block]:
    blocks: list[Block] = []
    if reply.sources:
        sources = "Sources: " + "; ".join(_source(s) for s in reply.sources)
        blocks.append(_context([_cut(sources, MAX_SOURCES)]))
    meta: list[str] = []
    if reply.updated:
        meta.append(f"Updated {slack_escape(reply.updated)}")
    meta.extend(slack_escape(line) for line in reply.footer[:MAX_FOOTER_LINES] if line)
    if reply.more:
        meta.append(f"More: {_code(slash(reply.more, prefix))}")
    meta = [_cut(line, MAX_META) for line in meta]
    if shared_by and _SLACK_USER.match(shared_by):
        meta.append(f"Shared by <@{shared_by}>")  # deliberate, from an id Slack sent us
    if meta:
        blocks.append(_context(meta))
    buttons = _choice_buttons(reply.choices, prefix, room=MAX_BUTTONS - (1 if share else 0))
    if share and reply.command and len(reply.command) <= MAX_BUTTON_VALUE:
        buttons.append(
            {
                "type": "button",
                "text": _plain(SHARE_LABEL, MAX_BUTTON_LABEL),
                "action_id": SHARE_ACTION,
                "value": reply.command,
                "style": "primary",
            }
        )
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _choice_buttons(choices: Sequence[Choice], prefix: str, *, room: int) -> list[Block]:
    buttons: list[Block] = []
    seen: set[str] = set()
    for choice in choices:
        if len(buttons) >= room:
            break
        if not choice.command or len(choice.command) > MAX_BUTTON_VALUE:
            continue  # a cut command would run something else
        action_id = f"{RUN_ACTION}:{choice.command}"[:MAX_ACTION_ID]
        if action_id in seen:  # action ids must be unique within a message
            action_id = f"{action_id[: MAX_ACTION_ID - 4]}#{len(buttons):03d}"
        seen.add(action_id)
        button: Block = {
            "type": "button",
            "text": _plain(choice.label or slash(choice.command, prefix), MAX_BUTTON_LABEL),
            "action_id": action_id,
            "value": choice.command,
        }
        buttons.append(button)
    return buttons


def _source(source: SourceRef) -> str:
    title = slack_escape(source.title)
    if source.link and _SAFE_URL.match(source.link):
        title = f"<{slack_escape(source.link)}|{title}>"
    return f"{slack_escape(source.outlet)}, \u201c{title}\u201d, {slack_escape(source.date)}"


def _cut_notice(reply: Reply, prefix: str) -> Block:
    if reply.more:
        text = f":scissors: Cut to fit Slack. The rest: {_code(slash(reply.more, prefix))}"
    else:
        text = ":scissors: Cut to fit Slack; ask a narrower question (a topic, a track or a date) to see the rest."
    return _context([text])


# --- fitting ------------------------------------------------------------------------------------------------


def _fit(blocks: list[Block], blocks_left: int, chars_left: int) -> tuple[list[Block], bool]:
    """Keep whole blocks while they fit; cut the first one that does not, if enough room is left."""
    kept: list[Block] = []
    for block in blocks:
        size = _size([block])
        if len(kept) < blocks_left and size <= chars_left:
            kept.append(block)
            chars_left -= size
            continue
        if len(kept) < blocks_left and chars_left >= 200 and "text" in block:
            kept.append({**block, "text": _mrkdwn(_cut(block["text"]["text"], chars_left))})
        return kept, True
    return kept, False


def _size(blocks: Sequence[Block]) -> int:
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


def _chunks(text: str, limit: int) -> Iterator[str]:
    """Split at line breaks into pieces of at most ``limit`` characters; cut a single overlong line."""
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            yield current
        current = line if len(line) <= limit else _cut(line, limit)
    if current.strip():
        yield current


def _cut(text: str, limit: int) -> str:
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


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(slack_escape(text), limit) or " ", "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text or " "}


def _context(elements: Sequence[str]) -> Block:
    return {
        "type": "context",
        "elements": [_mrkdwn(_cut(e, MAX_SECTION_TEXT)) for e in elements[:MAX_CONTEXT_ELEMENTS]],
    }


def _code(command: str) -> str:
    return f"`{slack_escape(command.replace('`', 'ˋ'))}`"


__all__ = ["RUN_ACTION", "SHARE_ACTION", "fallback_text", "render_message", "slash", "status_badge"]
