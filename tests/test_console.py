"""The console adapter: a terminal session with the same slash commands."""

from __future__ import annotations

import io
from collections.abc import Iterator

from bot.adapters.console import ConsoleAdapter
from bot.router import Router
from tests.conftest import make_ask


async def test_repl_answers_commands_and_bare_words_then_quits(router: Router, store) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    lines: Iterator[str] = iter(["/who clow", "", "dairy", "quit", "/status tariffs"])
    adapter = ConsoleAdapter(make_ask(router, store), out=out)
    await adapter.repl(read_line=lambda _prompt: next(lines))
    text = out.getvalue()
    assert "Brian Clow" in text
    assert "Search: dairy" in text  # bare words are a search
    assert "Canada–U.S. trade and security talks · Policy" not in text  # /status after quit never ran


async def test_repl_ends_cleanly_at_end_of_input(router: Router, store) -> None:  # type: ignore[no-untyped-def]
    def eof(_prompt: str) -> str:
        raise EOFError

    out = io.StringIO()
    await ConsoleAdapter(make_ask(router, store), out=out).repl(read_line=eof)
    assert "Type a command" in out.getvalue()
