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

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from bot.adapters.slack_fit import Block, chunks, cut, fit, size
from bot.commands import CommandSpec, with_prefix
from bot.i18n import gettext_for
from bot.markup import neutral_reply, neutralise, slack_escape, to_plain, to_slack
from bot.render_text import progress_bar
from bot.reply import Choice, Progress, Reply, Section, SourceRef, Tone, Visibility
from bot.sharing import shareable
from bot.store.model import STATUS_TONE, StatusTone, status_label

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
    if share is None:
        share = _offers_share(reply, prefix, specs)
    try:
        rendered = _rendered(reply, prefix, share, shared_by)
    except TypeError:  # unhashable: a list where the reply's types say tuple; render it without the cache
        return _render(reply, prefix, share, shared_by)
    return json.loads(rendered)  # type: ignore[no-any-return]  # a copy of its own for each caller


def render_ack(reply: Reply, *, prefix: str = "", specs: Mapping[str, CommandSpec] | None = None) -> bytes:
    """The body of a slash command's ack that answers with ``reply``: :func:`render_message`'s fields and its
    ``response_type`` (``in_channel`` for a shared answer), as the UTF-8 JSON Slack gets. Encoded once per distinct
    reply: a cache hit costs neither a JSON decode nor an encode."""
    share = _offers_share(reply, prefix, specs)
    try:
        return _ack(reply, prefix, share)
    except TypeError:  # unhashable, as in render_message
        return _ack_json(_render(reply, prefix, share, None), reply)


def _offers_share(reply: Reply, prefix: str, specs: Mapping[str, CommandSpec] | None) -> bool:
    shown = _neutral_command(reply)
    if specs is not None:
        return shareable(shown, specs, prefix)
    return shown.visibility is Visibility.PRIVATE and shown.tone is Tone.ANSWER and bool(shown.command)


@lru_cache(maxsize=256)
def _ack(reply: Reply, prefix: str, share: bool) -> bytes:
    return _ack_json(json.loads(_rendered(reply, prefix, share, None)), reply)


def _ack_json(message: dict[str, Any], reply: Reply) -> bytes:
    shared = reply.visibility is Visibility.SHARED
    return json.dumps({**message, "response_type": "in_channel" if shared else "ephemeral"}).encode()


# The same reply is rendered again and again (every `/status tariffs` in Slack HTTP mode): keep the messages of
# the last few distinct replies, keyed by the reply's value and the options. Kept as the JSON that Slack gets, so
# each caller gets a fresh copy (quicker than a deep copy) that it may change without touching the next one's.
@lru_cache(maxsize=256)
def _rendered(reply: Reply, prefix: str, share: bool, shared_by: str | None) -> str:
    return json.dumps(_render(reply, prefix, share, shared_by))


def _render(reply: Reply, prefix: str, share: bool, shared_by: str | None) -> dict[str, Any]:
    reply = neutral_reply(reply)  # no bidi override or terminal escape in any field
    head = _head_blocks(reply)
    tail = _tail_blocks(reply, prefix=prefix, share=share, shared_by=shared_by)
    blocks_left = MAX_BLOCKS - len(head) - len(tail) - 1  # one for a possible "cut" notice
    chars_left = MAX_TOTAL - size(head) - size(tail) - CUT_RESERVE
    body, cut = fit(list(_body_blocks(reply)), blocks_left, chars_left)
    if cut:
        body.append(_cut_notice(reply, prefix))
    return {"text": _fallback(reply), "blocks": [*head, *body, *tail]}


def _neutral_command(reply: Reply) -> Reply:
    """``reply`` as far as :func:`~bot.sharing.shareable` reads it (visibility, tone, command) once neutralised;
    only a command with a control character in it needs a copy."""
    command = reply.command
    if command is None or neutralise(command) is command:
        return reply
    return replace(reply, command=neutralise(command))


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` Slack shows in notifications and where blocks cannot be displayed."""
    return _fallback(neutral_reply(reply))


def _fallback(reply: Reply) -> str:
    parts = [reply.title.strip() or APP_NAME]
    if reply.subtitle:
        parts.append(reply.subtitle)
    first = next((s.text for s in reply.sections if s.text), "")
    if first:
        parts.append(to_plain(first))
    return cut(slack_escape("\n".join(parts)), MAX_FALLBACK)


def status_badge(status: str) -> str:
    """A store status as an emoji and a word, such as ``:large_blue_circle: in talks``."""
    tone = STATUS_TONE.get(status, StatusTone.NEUTRAL)
    return f"{STATUS_EMOJI[tone]} {slack_escape(status_label(status))}"


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
        elements.append(cut(slack_escape(subtitle), MAX_SUBTITLE))
    if elements:
        blocks.append(_context(elements))
    return blocks


def _body_blocks(reply: Reply) -> Iterator[Block]:
    for section in reply.sections:
        yield from _section_blocks(section)


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
    for chunk in chunks(text, MAX_SECTION_TEXT):
        yield {"type": "section", "text": _mrkdwn(chunk)}
    inline = [f for f in section.fields if f.inline]
    for start in range(0, len(inline), MAX_FIELDS):
        group = inline[start : start + MAX_FIELDS]
        fields = [_mrkdwn(cut(f"*{slack_escape(f.name)}*\n{to_slack(f.value)}", MAX_FIELD)) for f in group]
        yield {"type": "section", "fields": fields}


def _progress_line(progress: Progress) -> str:
    note = f" · {slack_escape(progress.note)}" if progress.note else ""
    return f"`{progress_bar(progress)}` {progress.done}/{progress.total}  {slack_escape(progress.label)}{note}"


def _tail_blocks(reply: Reply, *, prefix: str, share: bool, shared_by: str | None) -> list[Block]:
    blocks: list[Block] = []
    _ = gettext_for(reply.language)
    if reply.sources:
        sources = _("Sources: ") + "; ".join(_source(s) for s in reply.sources)
        blocks.append(_context([cut(sources, MAX_SOURCES)]))
    meta: list[str] = []
    if reply.updated:
        meta.append(_("Updated {date}").format(date=slack_escape(reply.updated)))
    meta.extend(slack_escape(line) for line in reply.footer[:MAX_FOOTER_LINES] if line)
    if reply.more:
        meta.append(_("More: ") + _code(with_prefix(reply.more, prefix)))
    meta = [cut(line, MAX_META) for line in meta]
    if shared_by and _SLACK_USER.match(shared_by):
        meta.append(f"Shared by <@{shared_by}>")  # deliberate, from an id Slack sent us
    if meta:
        blocks.append(_context(meta))
    buttons = _choice_buttons(reply.choices, prefix, room=MAX_BUTTONS - (1 if share else 0))
    if share and reply.command and len(reply.command) <= MAX_BUTTON_VALUE:
        buttons.append(
            {
                "type": "button",
                "text": _plain(_("Share in channel"), MAX_BUTTON_LABEL),  # SHARE_LABEL, in the reply's language
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
            "text": _plain(choice.label or with_prefix(choice.command, prefix), MAX_BUTTON_LABEL),
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
        text = f":scissors: Cut to fit Slack. The rest: {_code(with_prefix(reply.more, prefix))}"
    else:
        text = ":scissors: Cut to fit Slack; ask a narrower question (a topic, a track or a date) to see the rest."
    return _context([text])


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(slack_escape(text), limit) or " ", "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text or " "}


def _context(elements: Sequence[str]) -> Block:
    return {
        "type": "context",
        "elements": [_mrkdwn(cut(e, MAX_SECTION_TEXT)) for e in elements[:MAX_CONTEXT_ELEMENTS]],
    }


def _code(command: str) -> str:
    return f"`{slack_escape(command.replace('`', 'ˋ'))}`"


__all__ = ["RUN_ACTION", "SHARE_ACTION", "fallback_text", "render_ack", "render_message", "status_badge"]
