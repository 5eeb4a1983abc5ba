"""The console adapter: a terminal session with the same slash commands."""

from __future__ import annotations

import io

from bot.adapters.console import ConsoleAdapter
from bot.reply import Reply
from bot.router import Router
from bot.store import Store
from bot.targets import CONSOLE
from tests.conftest import make_ask


async def test_lines_from_a_pipe_are_answered_and_bare_words_searched_until_quit(router: Router, store: Store) -> None:
    out = io.StringIO()
    stdin = io.StringIO("/who clow\n\ndairy\nquit\n/status tariffs\n")
    await ConsoleAdapter(make_ask(router, store), out=out).repl(stdin=stdin)
    text = out.getvalue()
    assert "Brian Clow" in text
    assert "Search: dairy" in text  # bare words are a search
    assert "Canada–U.S. trade and security talks · Policy" not in text  # /status after quit never ran
    assert "briefbot>" not in text and "Type a command" not in text  # no prompt or greeting into a pipe


async def test_end_of_input_ends_the_session(router: Router, store: Store) -> None:
    out = io.StringIO()
    await ConsoleAdapter(make_ask(router, store), out=out).repl(stdin=io.StringIO("/who clow"))
    assert "Brian Clow" in out.getvalue()  # the last line counts even without a newline


async def test_a_delivery_to_a_pipe_is_plain_text() -> None:
    out = io.StringIO()

    async def never(_: str) -> Reply:
        raise AssertionError("not asked")

    key = await ConsoleAdapter(never, out=out).deliver(CONSOLE, Reply(title="Daily briefing", status="stalled"), "k1")
    assert key == "k1"
    assert out.getvalue().startswith("Daily briefing\nStatus: stalled\n===")
    assert "\x1b[" not in out.getvalue()


async def test_a_bare_command_name_runs_that_command_as_briefbot_ask_does(router: Router, store: Store) -> None:
    out = io.StringIO()
    await ConsoleAdapter(make_ask(router, store), out=out).repl(stdin=io.StringIO("status tariffs\ndairy\n"))
    text = out.getvalue()
    assert "U.S. tariffs on Canadian goods" in text.splitlines()[0]  # the /status answer, not a search for "status"
    assert "Search: dairy" in text  # words that name no command are still a search
