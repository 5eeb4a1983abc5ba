"""Which answers may be shared with the whole channel, and what a share click may run again.

"Share in channel" (Slack) and "Post publicly" (Discord) answer the reply's command again, for everyone. That is
right for a read-only command and wrong for one with effects (``CommandSpec.effects``): an old /subscribe answer
would subscribe again, an old /reload would reload. So renderers offer sharing only for read-only answers, and a
share click runs only a read-only command, whatever its button carries (an old message, a forged payload).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands import Command, CommandSpec, command_name, parse
from bot.errors import UserError
from bot.reply import Reply, Tone, Visibility

NOT_SHAREABLE = (
    "That answer changed something, so it cannot be shared: sharing would do it again. "
    "Share a read-only answer instead, such as /schedule or /status."
)


def read_only(command: str | None, specs: Mapping[str, CommandSpec], prefix: str = "") -> bool:
    """True when ``command`` (``/status tariffs``) names a known command that changes nothing."""
    head = (command or "").split(maxsplit=1)
    spec = specs.get(command_name(head[0], prefix)) if head else None
    return spec is not None and not spec.effects


def shareable(reply: Reply, specs: Mapping[str, CommandSpec], prefix: str = "") -> bool:
    """A private answer to a read-only command: the only kind a Share button is offered for."""
    return (
        reply.visibility is Visibility.PRIVATE and reply.tone is Tone.ANSWER and read_only(reply.command, specs, prefix)
    )


def share_command(text: str, specs: Mapping[str, CommandSpec], prefix: str = "") -> Command:
    """The command a share click may run again; a :class:`UserError` (answered, never run) for one with effects."""
    command = parse(text, dict(specs), prefix=prefix)
    if specs[command.name].effects:
        raise UserError(NOT_SHAREABLE)
    return command


__all__ = ["NOT_SHAREABLE", "read_only", "share_command", "shareable"]
