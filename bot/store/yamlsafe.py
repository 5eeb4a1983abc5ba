"""Safe reading of store files: size cap, UTF-8, front matter, no aliases, no tags, line numbers.

Speed matters (100,000 documents at start-up), so the happy path is one yaml-rs parse per file, checked against
what PyYAML would read (``bot.store.yamlrust``), or else one libyaml parse with its values built straight from the
node tree; a file neither can take as it is goes through PyYAML's full safe loader, whose errors are the ones
reported. Line numbers are only needed when something is wrong, so the node tree that maps a key path to its line
is composed lazily, on the first error in that file. PyYAML itself is imported on the first read
(bot.store.yamlparse): a store answered from its compiled copy never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.store.readerror import MAX_FILE_BYTES, Loc, ReadError

__all__ = ["FRONT_MATTER_FENCE", "MAX_FILE_BYTES", "Loc", "RawDocument", "ReadError", "read_document"]

FRONT_MATTER_FENCE = "---"


@dataclass(slots=True)
class RawDocument:
    """A parsed file: its YAML mapping (emptied once a document's model holds the values), markdown body, and what
    is needed to find lines later."""

    data: dict[str, Any]
    body: str
    yaml_text: str
    line_offset: int  # lines before the YAML starts (1 for front matter after '---')
    _lines: dict[Loc, tuple[int, int]] | None = field(default=None, repr=False)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest key or item of ``loc`` that exists in the file."""
        return self.position_of(loc)[0]

    def position_of(self, loc: Loc) -> tuple[int, int]:
        """1-based line and column of the deepest key or item of ``loc`` that exists in the file."""
        if self._lines is None:
            from bot.store.yamlparse import line_map

            self._lines = line_map(self.yaml_text)
        for end in range(len(loc), -1, -1):
            found = self._lines.get(tuple(loc[:end]))
            if found is not None:
                return found[0] + 1 + self.line_offset, found[1] + 1
        return 1 + self.line_offset, 1


def read_document(raw: bytes, *, markdown: bool, max_bytes: int = MAX_FILE_BYTES) -> RawDocument:
    """Decode, split and safely load one file, or raise :class:`ReadError` saying exactly why not."""
    if len(raw) > max_bytes:
        raise ReadError(1, f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte limit for a store file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadError(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    if "\x00" in text:
        raise ReadError(text[: text.index("\x00")].count("\n") + 1, "contains a NUL character")
    if markdown:
        yaml_text, body, offset = _split_front_matter(text)
    else:
        yaml_text, body, offset = text, "", 0
    from bot.store.yamlparse import safe_load

    data = safe_load(yaml_text, offset)
    return RawDocument(data=data, body=body, yaml_text=yaml_text, line_offset=offset)


def _split_front_matter(text: str) -> tuple[str, str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ReadError(1, "a markdown document must start with '---' and YAML front matter")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == FRONT_MATTER_FENCE:
            return "".join(lines[1:number]), "".join(lines[number + 1 :]).strip(), 1
    raise ReadError(1, "front matter is not closed: add a line with '---' after it")
