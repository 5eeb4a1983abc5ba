"""The router: parses, dispatches to a handler, and is the error boundary.

Whatever a handler raises, the router answers: expected errors are mapped to replies by walking the
exception's MRO (as starlette does), anything else is logged with its traceback and answered politely.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from bot.commands import Command, CommandSpec, parse, parse_args
from bot.context import Context
from bot.errors import BriefbotError, Clarify, UserError
from bot.markup import escape
from bot.reply import Reply, Section, Tone

log = logging.getLogger(__name__)

Handler = Callable[[Command, Context], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class CommandDef:
    spec: CommandSpec
    handle: Handler


INTERNAL_ERROR_TITLE = "Sorry, something went wrong on our side"


def _user_error(exc: BaseException) -> Reply:
    return Reply(title="That did not work", tone=Tone.ERROR, sections=(Section(text=escape(str(exc))),))


def _clarify(exc: BaseException) -> Reply:
    assert isinstance(exc, Clarify)
    return exc.reply


def _briefbot_error(exc: BaseException) -> Reply:
    log.warning("command failed: %s", exc)
    return Reply(
        title="That could not be answered right now", tone=Tone.ERROR, sections=(Section(text=escape(str(exc))),)
    )


def _internal(exc: BaseException) -> Reply:
    return Reply(
        title=INTERNAL_ERROR_TITLE,
        tone=Tone.INTERNAL,
        sections=(Section(text="The error has been logged for the maintainers. Please try again in a moment."),),
    )


ERROR_REPLIES: dict[type[BaseException], Callable[[BaseException], Reply]] = {
    Clarify: _clarify,
    UserError: _user_error,
    BriefbotError: _briefbot_error,
    Exception: _internal,
}


def reply_for(exc: BaseException) -> Reply:
    for cls in type(exc).__mro__:
        if cls in ERROR_REPLIES:
            return ERROR_REPLIES[cls](exc)
    return _internal(exc)


class Router:
    def __init__(self, commands: Sequence[CommandDef], *, prefix: str = "") -> None:
        self._defs = {c.spec.name: c for c in commands}
        self.specs: dict[str, CommandSpec] = {name: c.spec for name, c in self._defs.items()}
        self.prefix = prefix

    def parse(self, text: str) -> Command:
        return parse(text, self.specs, prefix=self.prefix)

    async def dispatch(self, command: Command, ctx: Context) -> Reply:
        """Run a parsed command; never raises."""
        definition = self._defs.get(command.name)
        try:
            if definition is None:
                parse_args(command.name, command.arg, self.specs, prefix=self.prefix)  # UnknownCommand, did you mean
                raise AssertionError("unreachable")
            if definition.spec.admin and not ctx.is_admin:
                raise UserError(f"/{command.name} is for Briefbot admins; ask one of them, or your workspace admin.")
            reply = await definition.handle(command, ctx)
        except Exception as exc:  # the error boundary: every failure becomes a reply
            if not isinstance(exc, BriefbotError):
                log.exception("handler for %s failed", command.text()[:200])
            return reply_for(exc)
        return reply if reply.command else _with_command(reply, command)

    async def handle_text(self, text: str, ctx: Context) -> Reply:
        """Parse a typed line and run it; a line that does not parse is answered, not raised."""
        try:
            command = self.parse(text)
        except Exception as exc:
            return reply_for(exc)
        return await self.dispatch(command, ctx)

    async def handle_args(self, name: str, rest: str, ctx: Context) -> Reply:
        """For platforms that split the command name off (Slack's ``command`` and ``text``)."""
        try:
            command = parse_args(name, rest, self.specs, prefix=self.prefix)
        except Exception as exc:
            return reply_for(exc)
        return await self.dispatch(command, ctx)


def _with_command(reply: Reply, command: Command) -> Reply:
    return replace(reply, command=command.text())
