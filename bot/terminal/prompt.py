"""The interactive prompt: prompt_toolkit with Emacs keys, a history file and tab completion.

While a prompt is on screen, anything else that prints (a scheduled briefing, a watch alert, a log line) is drawn
above it, and the prompt is redrawn below: ``patch_stdout`` for ``print``, and the log handlers that write to the
terminal are pointed at the same proxy for as long as the prompt runs.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from platformdirs import user_state_path
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout

PROMPT = "briefbot> "


def history_path() -> Path:
    """``~/.local/state/briefbot/history`` on Linux (``$XDG_STATE_HOME`` respected), the platform's equivalent
    elsewhere."""
    return user_state_path("briefbot", appauthor=False) / "history"


def open_history(path: Path | None) -> History:
    """A file history; in memory when the state folder cannot be written (a read-only home, say)."""
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


def make_session(completer: Completer | None, history: Path | None) -> PromptSession[str]:
    return PromptSession(
        PROMPT,
        history=open_history(history),
        completer=completer,
        complete_while_typing=False,  # Tab asks; typing never pops a menu over the line
        editing_mode=EditingMode.EMACS,
        enable_history_search=False,  # Up recalls the previous line, whatever was typed
        mouse_support=False,
    )


@contextlib.contextmanager
def output_above_prompt() -> Iterator[None]:
    """Print and log above the prompt instead of through it."""
    terminal = (sys.stdout, sys.stderr)
    with patch_stdout(raw=True):
        moved: list[tuple[logging.StreamHandler[TextIO], TextIO]] = []
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream in terminal:
                moved.append((handler, handler.stream))
                handler.setStream(sys.stderr)  # the proxy
        try:
            yield
        finally:
            for handler, stream in moved:
                handler.setStream(stream)
