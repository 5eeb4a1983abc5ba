"""Which renderer a stream gets: rich for a terminal, plain text for pipes and files.

Kept apart from :mod:`bot.terminal.render` so that a one-shot command writing to a pipe never imports rich.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import TextIO

from bot.reply import Reply


def isatty(stream: object) -> bool:
    check = getattr(stream, "isatty", None)
    try:
        return bool(check and check())
    except ValueError:  # a closed stream
        return False


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, never with ``NO_COLOR`` set (https://no-color.org) or a dumb terminal."""
    return isatty(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def for_stream(stream: TextIO) -> Callable[[Reply], str]:
    """The renderer for ``stream``: laid out at the terminal's current width for a TTY, plain text otherwise."""
    if not isatty(stream):
        from bot.render_text import render_text

        return render_text
    from bot.terminal.render import render_rich

    colour = wants_colour(stream)
    return lambda reply: render_rich(reply, width=shutil.get_terminal_size().columns, colour=colour)
