"""The router is the error boundary: whatever a handler raises becomes a reply, chosen along the exception's MRO;
only unexpected failures are logged with their traceback, and nothing leaks their text to the reader."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bot.commands import Command, CommandSpec
from bot.context import Context
from bot.errors import BadArgument, BriefbotError, Clarify, UserError
from bot.reply import Reply, Section, Tone
from bot.router import INTERNAL_ERROR_TITLE, CommandDef, Router
from bot.store import Store


class NotAnotherOne(BadArgument):
    """A subclass with no mapping of its own: answered as its nearest mapped ancestor (UserError)."""


QUESTION = Reply(title="Which deal?", sections=(Section(text="canada-us or uk-us?"),))
RAISES: dict[str, BaseException] = {
    "user": UserError("Say which topic, such as /status tariffs."),
    "subclass": NotAnotherOne("That page does not exist."),
    "clarify": Clarify(QUESTION),
    "briefbot": BriefbotError("The state database is not reachable."),
    "bug": KeyError("secret internal detail"),
}


def router() -> Router:
    def raising(name: str) -> CommandDef:
        async def handle(command: Command, ctx: Context) -> Reply:
            raise RAISES[name]

        return CommandDef(CommandSpec(name=name, description=f"raises {name}"), handle)

    return Router([raising(name) for name in RAISES])


@pytest.mark.parametrize(
    ("name", "title", "tone", "shown", "traceback"),
    [
        ("user", "That did not work", Tone.ERROR, "Say which topic", False),
        ("subclass", "That did not work", Tone.ERROR, "That page does not exist.", False),
        ("clarify", "Which deal?", Tone.ANSWER, "canada-us or uk-us?", False),
        ("briefbot", "That could not be answered right now", Tone.ERROR, "not reachable", False),
        ("bug", INTERNAL_ERROR_TITLE, Tone.INTERNAL, "try again in a moment", True),
    ],
)
async def test_every_exception_becomes_a_reply_by_its_mro(
    store: Store, caplog: pytest.LogCaptureFixture, name: str, title: str, tone: Tone, shown: str, traceback: bool
) -> None:
    caplog.set_level(logging.INFO)
    ctx = Context(store=store, today=dt.date(2025, 5, 2))

    reply = await router().handle_text(f"/{name}", ctx)

    assert (reply.title, reply.tone) == (title, tone)
    text = " ".join(s.text for s in reply.sections)
    assert shown in text
    assert "secret internal detail" not in text  # a bug's own message never reaches the reader
    logged_tracebacks = [r for r in caplog.records if r.exc_info]
    assert bool(logged_tracebacks) is traceback


async def test_a_line_that_does_not_parse_is_answered_not_raised(store: Store) -> None:
    reply = await router().handle_text('/user deal:"never closed', Context(store=store, today=dt.date(2025, 5, 2)))
    assert reply.tone is not Tone.INTERNAL
