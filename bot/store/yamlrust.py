"""The fastest way through a store file's YAML: yaml-rs (a YAML 1.2 parser written in Rust, about six times faster
than libyaml with PyYAML's node tree on a store's files) builds the values, and every value is checked against
what PyYAML's safe loader, the store's reference, would make of the same file.

The two read YAML differently in places (1.2 against 1.1: ``on``, ``012``, ``1e3``) and yaml-rs cannot say
whether a value was quoted, so a file is taken from it only where the answer cannot differ: text that PyYAML
would also read as text, true/false, null and plain dates. Anything else (a number, a quoted ``'yes'`` or
``'2025-05-01'``, a key that is not text, a second document, a character PyYAML refuses, a file yaml-rs cannot
parse) gives None, and the file goes the PyYAML way, whose answer or error is the one kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from bot.store.yamltags import IMPLICIT, STR, TIMESTAMP, plain_tag

try:
    import yaml_rs
except ImportError:  # pragma: no cover - a platform with no wheel: PyYAML alone reads the store, only slower
    yaml_rs = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class _Use:
    yaml_rs = yaml_rs is not None  # until stop_using()


# Left to PyYAML whole: characters it refuses where YAML 1.2 allows them; NEL and the Unicode line and paragraph
# separators (line breaks to it, text to 1.2); a byte-order mark inside the text (it skips it); tabs (each takes
# some the other refuses: '\t::'); anchors (it refuses one name twice); '!' and '*' (yaml-rs drops an unknown
# tag such as '!#'; tags and aliases are refused before, where PyYAML can find them).
_LEFT_TO_PYYAML = re.compile(
    "[^\x0a\x0d\x20\x22-\x25\x27-\x29\x2b-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# And text where the two part: a line starting with a document marker (PyYAML refuses '...' before the mapping),
# and a ':' right before a flow collection's ',' ']' or '}' (1.2 reads a key with no value: '{a:}').
_PARTING = ("\n---", "\n...", "\r---", "\r...", ":}", ":]", ":,")
# yaml-rs recurses once per level of nesting and bounds only flow nesting (256 levels): 100 KB of '- - - ...' (block
# sequences, 50,000 deep) overflows its stack and kills the process. A store file is never more than a few levels
# deep, so a file that could be deep goes the PyYAML way, which refuses nesting past 1,000 levels with an error.
# Block nesting needs indentation (spaces: tabs are left to PyYAML above) or compact collections, a line that starts
# with two indicators ('- - x', '? - x'); store files use neither that deep.
_DEEP_INDENT = " " * 64
_DEEP_LINES = ("\n" + _DEEP_INDENT, "\r" + _DEEP_INDENT)
_COMPACT_FIRST = re.compile(r" *[-?:] +[-?:] ")
_COMPACT_LF = re.compile(r"\n *[-?:] +[-?:] ")  # a literal first, which re finds fast
_COMPACT_CR = re.compile(r"\r *[-?:] +[-?:] ")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
# Text starting with one of YAML's indicators, or with a line break, is left to PyYAML wherever it was written
# (rare in a store, so it costs nothing): in a flow collection PyYAML reads '[?x]' as a mapping and refuses '{>}'
# where 1.2 reads text, and an empty block scalar ('note: |') is '' to PyYAML, a line break to yaml-rs.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`\n\r")
# Text whose first character is none of these is text to PyYAML too, whatever follows: the walk's shortcut.
_LOOK_CLOSER = _INDICATORS | frozenset(first for first in IMPLICIT if first) | {""}


class _Differs(Exception):
    """PyYAML might read this file otherwise."""


def load_plain(yaml_text: str) -> dict[Any, Any] | None:
    """The file's mapping, exactly as PyYAML's safe loader would give it (values, types and key order), or None
    when only PyYAML can say (see the module's docstring). Aliases and tags are refused before this runs."""
    if not _Use.yaml_rs or _pyyaml_only(yaml_text):
        return None
    try:
        # dates are found here (yaml-rs would make a quoted one a date too); a duplicate key is PyYAML's error
        data = yaml_rs.loads(yaml_text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except Exception:  # yaml_rs.YAMLDecodeError, or anything else: PyYAML says what is wrong, in its words
        return None
    if type(data) is not dict:  # a list, a scalar, or several documents: PyYAML's error
        return None
    try:
        return _checked_mapping(data, _Text(yaml_text))
    except _Differs:
        return None


def in_use() -> bool:
    return _Use.yaml_rs


def stop_using() -> None:
    """Leave every file to PyYAML in this process from now on: a store worker died while parsing, and its files
    are about to be parsed here. Whatever ended it (a parser crash is one possibility) must not end the bot too."""
    if _Use.yaml_rs:
        log.warning("a store worker stopped while parsing: this process parses with PyYAML alone from now on")
    _Use.yaml_rs = False


def _pyyaml_only(text: str) -> bool:
    """Text the two could read apart whatever the values (above), or that could nest deeper than yaml-rs takes."""
    return bool(
        _LEFT_TO_PYYAML.search(text)
        or text.startswith(("---", "...", _DEEP_INDENT))
        or not text.endswith(("\n", "\r"))  # a block scalar that ends the text: yaml-rs adds a line break
        or any(parting in text for parting in _PARTING)
        or any(deep in text for deep in _DEEP_LINES)
        or _COMPACT_FIRST.match(text)
        or _COMPACT_LF.search(text)
        or ("\r" in text and _COMPACT_CR.search(text))
    )


class _Text:
    """The file's text, to tell whether a date-like value can only have been written plain (PyYAML: a date)."""

    __slots__ = ("_escapes", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._escapes: bool | None = None

    def plain(self, value: str) -> bool:
        """Not quoted (``'2025-05-01'``), not spelt with escapes, and never first on its line as a block scalar's
        (``|-``) content would be: whatever else wrote it wrote it plain."""
        text = self.text
        if self._escapes is None:
            self._escapes = "\\" in text
        if self._escapes or f'"{value}"' in text or f"'{value}'" in text:
            return False
        at = text.find(value)
        while at >= 0:
            line_start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
            if not text[line_start:at].strip(" \t"):
                return False
            at = text.find(value, at + 1)
        return True


def _as_text(value: str) -> bool:
    """PyYAML reads ``value`` as this very text however it was written (yaml-rs cannot say whether it was quoted)."""
    return value[:1] not in _INDICATORS and plain_tag(value) == STR


def _checked_mapping(mapping: dict[Any, Any], text: _Text) -> dict[Any, Any]:
    for key, value in mapping.items():
        if type(key) is not str or (key[:1] in _LOOK_CLOSER and not _as_text(key)):
            raise _Differs  # PyYAML would make this key a number, bool, date or null (or could: '1' vs 1)
        if type(value) is not str or (value[:1] in _LOOK_CLOSER and not _as_text(value)):
            mapping[key] = _checked(value, text)  # same keys, so the dict can change while it is walked
    return mapping


def _checked(value: Any, text: _Text) -> Any:
    kind = type(value)
    if kind is str:
        if _as_text(value):
            return value
        if plain_tag(value) == TIMESTAMP and _DATE.fullmatch(value) and text.plain(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:  # 2025-13-01: PyYAML's error, with its line
                raise _Differs from None
        raise _Differs  # 'yes', '012', '1:30': written plain, PyYAML reads a bool or number; quoted, text
    if kind is dict:
        return _checked_mapping(value, text)
    if kind is list:
        for index, item in enumerate(value):
            if type(item) is not str or (item[:1] in _LOOK_CLOSER and not _as_text(item)):
                value[index] = _checked(item, text)
        return value
    if kind is bool or value is None:  # YAML 1.2's true/false/null words are all 1.1 ones too
        return value
    raise _Differs  # a number: 1.1 and 1.2 read 012, 0o12, 1e3 and 1_000 differently
