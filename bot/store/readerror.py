"""What a store file that cannot be read raises, and the limits and locations reading uses: apart from
:mod:`bot.store.yamlparse`, so that code which only names them (a loaded or cached store does) never imports
PyYAML."""

from __future__ import annotations

MAX_FILE_BYTES = 256 * 1024

Loc = tuple[int | str, ...]


class ReadError(Exception):
    """A file that cannot be read as a store document; ``line`` is 1-based."""

    def __init__(self, line: int, message: str, col: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.col = col
