"""The router: parses, dispatches to a handler, and is the error boundary.

Whatever a handler raises, the router answers: expected errors are mapped to replies by walking the
exception's MRO (as starlette does), anything else is logged with its traceback and answered politely.

Every command passes here, so this is where it is counted: the composition root installs an ``on_answer`` hook
(the metrics) that hears each command's name, outcome and answer time. The router knows nothing of what listens.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.commands import Command, CommandSpec, parse, parse_args
from bot.context import Context
from bot.errors import BriefbotError, Clarify, UserError
from bot.markup import escape
from bot.reply import Reply, Section, Tone

if TYPE_CHECKING:
    from bot.evaluation import Evaluator

log = logging.getLogger(__name__)

Handler = Callable[[Command, Context], Awaitable[Reply]]
# (command name, outcome, seconds to answer); the name is a declared command's or "unknown", never what was typed
AnswerHook = Callable[[str, str, float], None]
UNKNOWN = "unknown"

_OUTCOMES = {Tone.ANSWER: "ok", Tone.QUESTION: "clarify", Tone.NOT_FOUND: "not_found", Tone.ERROR: "user_error"}


def outcome(reply: Reply, exc: BaseException | None = None) -> str:
    """How a command ended, for the metrics: from the reply's tone, except a failure on our side (``failed`` for a
    BriefbotError that is not the user's doing, ``internal`` for anything else)."""
    if isinstance(exc, BriefbotError) and not isinstance(exc, (UserError, Clarify)):
        return "failed"
    return _OUTCOMES.get(reply.tone, "internal")


def _no_hook(name: str, outcome: str, seconds: float) -> None:
    return None


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
    def __init__(
        self,
        commands: Sequence[CommandDef],
        *,
        prefix: str = "",
        on_answer: AnswerHook = _no_hook,
        limit: int | None = None,
    ) -> None:
        self._defs = {c.spec.name: c for c in commands}
        self.specs: dict[str, CommandSpec] = {name: c.spec for name, c in self._defs.items()}
        self.prefix = prefix
        self.on_answer = on_answer
        # At most ``limit`` handlers run at once; the rest wait their turn (the adapters ack those at once).
        self._slots = asyncio.Semaphore(limit) if limit else None
        self.limit = limit or None
        self.evaluator: Evaluator | None = None  # set by the running app: ``off_loop`` commands are evaluated there

    @property
    def saturated(self) -> bool:
        """Every evaluation slot is taken: a new command waits its turn, so the adapters ack it at once."""
        return self._slots is not None and self._slots.locked()

    def _answered(self, name: str, reply: Reply, started: float, exc: BaseException | None = None) -> Reply:
        try:
            self.on_answer(name if name in self._defs else UNKNOWN, outcome(reply, exc), time.perf_counter() - started)
        except Exception:  # counting must never cost an answer
            log.exception("on_answer hook failed")
        return reply

    def parse(self, text: str) -> Command:
        return parse(text, self.specs, prefix=self.prefix)

    async def dispatch(self, command: Command, ctx: Context) -> Reply:
        """Run a parsed command; never raises."""
        started = time.perf_counter()
        definition = self._defs.get(command.name)
        try:
            if definition is None:
                parse_args(command.name, command.arg, self.specs, prefix=self.prefix)  # UnknownCommand, did you mean
                raise AssertionError("unreachable")
            if definition.spec.admin and not ctx.is_admin:
                raise UserError(f"/{command.name} is for Briefbot admins; ask one of them, or your workspace admin.")
            if definition.spec.dated_store:
                ctx = await ctx.dated(command)
            if self._slots is None or (self.evaluator is not None and definition.spec.runs_off_loop(command.arg)):
                # off the main loop, a command takes no slot: it costs the main loop nothing and its database
                # connections are the evaluation thread's, and a slow one (a search at 100,000 documents, waiting
                # its turn at the full-text index) must not hold up the quick lookups queued behind it
                reply = await self._evaluate(definition, command, ctx)
            else:
                async with self._slots:
                    reply = await self._evaluate(definition, command, ctx)
            if ctx.store_note:
                reply = replace(reply, footer=(*reply.footer, ctx.store_note))
        except Exception as exc:  # the error boundary: every failure becomes a reply
            if not isinstance(exc, BriefbotError):
                log.exception("handler for %s failed", command.text()[:200])
            return self._answered(command.name, reply_for(exc), started, exc)
        return self._answered(command.name, reply if reply.command else _with_command(reply, command), started)

    async def _evaluate(self, definition: CommandDef, command: Command, ctx: Context) -> Reply:
        if self.evaluator is not None and definition.spec.runs_off_loop(command.arg):
            return await self.evaluator.run(lambda: definition.handle(command, ctx))
        return await definition.handle(command, ctx)

    async def handle_text(self, text: str, ctx: Context) -> Reply:
        """Parse a typed line and run it; a line that does not parse is answered, not raised."""
        started = time.perf_counter()
        try:
            command = self.parse(text)
        except Exception as exc:
            return self._answered(UNKNOWN, reply_for(exc), started, exc)
        return await self.dispatch(command, ctx)

    async def handle_args(self, name: str, rest: str, ctx: Context) -> Reply:
        """For platforms that split the command name off (Slack's ``command`` and ``text``)."""
        started = time.perf_counter()
        try:
            command = parse_args(name, rest, self.specs, prefix=self.prefix)
        except Exception as exc:
            return self._answered(name, reply_for(exc), started, exc)
        return await self.dispatch(command, ctx)


def _with_command(reply: Reply, command: Command) -> Reply:
    return replace(reply, command=command.text())
