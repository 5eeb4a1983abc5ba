"""Message components for a reply: candidate buttons or a select menu, and the "Post publicly" button.

Components are stateless: each carries the command it re-issues in its ``custom_id`` (``bb:run:/who clow``,
``bb:share:/status tariffs``; a select menu's option values are commands), so a click works after a restart and
nothing is tracked per message. A command too long for the 100-character id is kept in memory under a short
hash; after a restart such a button says so instead of guessing.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping

import discord

from bot.commands import CommandSpec
from bot.i18n import gettext_for
from bot.markup import neutral_reply
from bot.reply import Choice, Reply
from bot.sharing import read_only

PREFIX = "bb"
RUN = "run"  # answer as if the command had been typed (a candidate button or a select option)
SHARE = "share"  # answer the command again, publicly
PICK = "pick"  # the select menu; the chosen option's value is the command
CUSTOM_ID_MAX = 100
LABEL_MAX = 80  # button labels
OPTION_MAX = 100  # select option label, value and description
MAX_BUTTONS = 5  # more candidates than fit in one row of buttons become a select menu
MAX_OPTIONS = 25
SHARE_LABEL = "Post publicly"


class CommandRefs:
    """Commands by reference for component ids: the command itself when short, else a hash kept in memory."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._long: OrderedDict[str, str] = OrderedDict()

    def ref(self, command: str) -> str:
        if len(command) <= CUSTOM_ID_MAX - len(f"{PREFIX}:{SHARE}:"):
            return command
        key = "#" + hashlib.sha256(command.encode()).hexdigest()[:20]
        self._long[key] = command
        self._long.move_to_end(key)
        while len(self._long) > self._size:
            self._long.popitem(last=False)
        return key

    def command(self, ref: str) -> str | None:
        """The command behind ``ref``; None for a long command this process no longer remembers."""
        if ref.startswith("/"):
            return ref
        return self._long.get(ref)


def custom_id(action: str, ref: str = "") -> str:
    return f"{PREFIX}:{action}:{ref}" if ref else f"{PREFIX}:{action}"


def parse_custom_id(value: str) -> tuple[str, str] | None:
    """``(action, ref)`` for one of our component ids; None for anything else."""
    prefix, _, rest = value.partition(":")
    if prefix != PREFIX:
        return None
    action, _, ref = rest.partition(":")
    return (action, ref) if action in (RUN, SHARE, PICK) else None


def reply_view(
    reply: Reply, refs: CommandRefs, *, share: str | None = None, specs: Mapping[str, CommandSpec] | None = None
) -> discord.ui.View | None:
    """Buttons (or a select menu) for ``reply.choices``, and a "Post publicly" button for ``share``, a command
    posted again for everyone: only a read-only one by the router's ``specs`` (see :mod:`bot.sharing`)."""
    if share and specs is not None and not read_only(share, specs):
        share = None
    reply = neutral_reply(reply)  # labels and descriptions come from the store
    _ = gettext_for(reply.language)
    view = discord.ui.View(timeout=None)
    choices = _distinct(reply.choices)
    if 0 < len(choices) <= MAX_BUTTONS:
        for choice in choices:
            view.add_item(
                discord.ui.Button(
                    label=_clip(choice.label, LABEL_MAX),
                    style=discord.ButtonStyle.primary,
                    custom_id=custom_id(RUN, refs.ref(choice.command)),
                    row=0,
                )
            )
    elif choices:
        view.add_item(
            discord.ui.Select(
                custom_id=custom_id(PICK),
                placeholder=_("Pick one…"),
                options=[
                    discord.SelectOption(
                        label=_clip(c.label, OPTION_MAX),
                        value=refs.ref(c.command),
                        description=_clip(c.description, OPTION_MAX) or None,
                    )
                    for c in choices[:MAX_OPTIONS]
                ],
                row=0,
            )
        )
    if share:
        view.add_item(
            discord.ui.Button(
                label=_("Post publicly"),  # SHARE_LABEL, in the reply's language
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id(SHARE, refs.ref(share)),
                row=1,
            )
        )
    if not view.children:
        return None
    # Clicks are handled by custom_id in the client (stateless); a stopped view is never tracked per message.
    view.stop()
    return view


def _distinct(choices: tuple[Choice, ...]) -> list[Choice]:
    """Component ids must be unique within a message: one entry per command."""
    seen: dict[str, Choice] = {}
    for choice in choices:
        seen.setdefault(choice.command, choice)
    return list(seen.values())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["SHARE_LABEL", "CommandRefs", "custom_id", "parse_custom_id", "reply_view"]
