"""The interactive prompt, driven as a person types: prompt_toolkit reads keys from a pipe and draws into a
virtual terminal, so completion, Emacs editing keys, history and alerts printed above the prompt are all real."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from bot.adapters.console import ConsoleAdapter
from bot.reply import Reply, Section
from bot.router import Router
from bot.store import Store
from bot.targets import CONSOLE
from bot.terminal.complete import CommandCompleter
from handlers import ALL_COMMANDS
from tests.conftest import make_ask

UP, CTRL_A, CTRL_E, CTRL_K, CTRL_Y, CTRL_D, TAB, ENTER = "\x1b[A", "\x01", "\x05", "\x0b", "\x19", "\x04", "\t", "\r"


@dataclass
class Terminal:
    adapter: ConsoleAdapter
    keys: PipeInput
    screen: io.StringIO
    session: asyncio.Task[None]

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait (bounded) for something the user would see; the prompt runs in this same event loop."""
        try:
            async with asyncio.timeout(10):
                while not condition():
                    if self.session.done():
                        self.session.result()
                        raise AssertionError(f"the session ended before {what}")
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError(f"no {what} (the line reads {self.line()!r})") from None

    def menu(self) -> list[str]:
        session = self.adapter._session
        state = session.default_buffer.complete_state if session else None
        return [c.text for c in state.completions] if state else []

    def line(self) -> str:
        session = self.adapter._session
        return session.default_buffer.text if session else ""

    async def type(self, keys: str, expect: str) -> None:
        self.keys.send_text(keys)
        await self.until(lambda: self.line() == expect, f"line {expect!r}")


@pytest.fixture
async def terminal(router: Router, store: Store, tmp_path: Path) -> AsyncIterator[Terminal]:
    specs = {c.spec.name: c.spec for c in ALL_COMMANDS}
    adapter = ConsoleAdapter(
        make_ask(router, store),
        completer=CommandCompleter(specs, lambda: store.index, viewer=str(CONSOLE)),
        history=tmp_path / "state" / "history",
    )
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=100), term="xterm", enable_cpr=False)
    with create_pipe_input() as keys, create_app_session(input=keys, output=output):
        task = asyncio.create_task(adapter.repl(interactive=True))
        term = Terminal(adapter, keys, screen, task)
        await term.until(lambda: adapter._session is not None and adapter._session.app.is_running, "prompt")
        yield term
        if not task.done():
            keys.send_text(CTRL_A + CTRL_K + CTRL_D)
        await asyncio.wait_for(task, timeout=10)


async def test_tab_completes_commands_and_names_and_emacs_keys_edit_the_line(terminal: Terminal) -> None:
    await terminal.type("/wh" + TAB, "/who")
    await terminal.type(" clo" + TAB, "/who brian-clow")
    await terminal.type(CTRL_A + CTRL_K, "")  # to the start, kill to the end
    await terminal.type(CTRL_Y, "/who brian-clow")  # and yank it back
    await terminal.type(CTRL_A + "x" + CTRL_E + "!", "x/who brian-clow!")
    await terminal.type(CTRL_A + CTRL_K + "/status tarif", "/status tarif")
    terminal.keys.send_text(TAB)  # several names fit: a menu, the one that starts so first
    await terminal.until(lambda: terminal.menu()[:1] == ["tariffs"], "completion menu")
    await terminal.type(TAB, "/status tariffs")
    terminal.keys.send_text(ENTER)
    await terminal.until(lambda: "U.S. tariffs on Canadian goods" in terminal.screen.getvalue(), "answer")
    await terminal.type("/who", "/who")  # and the next prompt takes keys again


async def test_history_is_kept_in_a_file_and_up_recalls_it(terminal: Terminal, tmp_path: Path) -> None:
    await terminal.type("/who clow", "/who clow")
    terminal.keys.send_text(ENTER)
    await terminal.until(lambda: "Brian Clow" in terminal.screen.getvalue(), "answer")
    await terminal.type(UP, "/who clow")
    assert "/who clow" in (tmp_path / "state" / "history").read_text()


async def test_an_alert_is_printed_above_the_prompt_and_the_typed_line_survives(terminal: Terminal) -> None:
    await terminal.type("/who cl", "/who cl")
    before = len(terminal.screen.getvalue())
    alert = Reply(title="Watch: tariffs changed", sections=(Section(text="Status: in talks → stalled"),))
    await terminal.adapter.deliver(CONSOLE, alert, "key-1")
    await terminal.until(lambda: "Watch: tariffs changed" in terminal.screen.getvalue()[before:], "alert")
    await terminal.until(
        lambda: "/who cl" in terminal.screen.getvalue().rsplit("Watch: tariffs changed", 1)[1], "prompt redrawn"
    )
    assert terminal.line() == "/who cl"  # what was being typed is still there, below the alert
    await terminal.type("ow", "/who clow")


async def test_ctrl_c_drops_the_line_and_ctrl_d_leaves(terminal: Terminal) -> None:
    await terminal.type("/who something", "/who something")
    terminal.keys.send_text("\x03")
    await terminal.type("", "")
    terminal.keys.send_text(CTRL_D)
    await asyncio.wait_for(terminal.session, timeout=10)
