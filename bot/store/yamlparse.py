"""The YAML half of :mod:`bot.store.yamlsafe`: PyYAML's safe loader (libyaml's C parser), refusing duplicate keys,
aliases and tags, with two fast paths and the line map. Imported on the first file read, not by a store answered
from its cache.

The fastest path is yaml-rs (:mod:`bot.store.yamlrust`), for the files PyYAML would read the same; then
libyaml's node tree built straight into values (``_fast_load``); then the full loader, whose answer or error is
the reference for both."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from bot.store.readerror import Loc, ReadError
from bot.store.yamlrust import load_plain
from bot.store.yamltags import MAP, SEQ, STANDARD_TAG, STR, plain_tag
from bot.store.yamltags import Loader as _Loader  # libyaml's safe loader where PyYAML has it

_UNCLOSED = ("while parsing a flow", "while scanning a quoted scalar", "while scanning a double-quoted scalar")


class _StoreLoader(_Loader):
    """The safe loader, refusing duplicate keys (YAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.value, seen[key_node.value], key_node.start_mark)
                seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(yaml.MarkedYAMLError):
    def __init__(self, key: str, first_line: int, mark: yaml.Mark) -> None:
        super().__init__(problem=f"duplicate key '{key}'", problem_mark=mark)
        self.first_line = first_line


def safe_load(yaml_text: str, offset: int) -> dict[str, Any]:
    # An alias needs '*' and a tag needs '!': only then pay for an event scan. Alias bombs load instantly but
    # explode when walked; tags turn values into other types (``!!binary`` gives bytes) behind the schema's back.
    if "*" in yaml_text or "!" in yaml_text:
        _refuse_aliases_and_tags(yaml_text, offset)
    data = load_plain(yaml_text)  # yaml-rs, where PyYAML would read the file the same
    if data is None:
        try:
            data = _fast_load(yaml_text)
        except Exception:  # anything unusual (or wrong): the full loader says what, with the same words as always
            data = _UNUSUAL
    try:
        if data is _UNUSUAL:
            data = yaml.load(yaml_text, Loader=_StoreLoader)
    except _DuplicateKey as exc:
        line = (exc.problem_mark.line + 1 if exc.problem_mark else 1) + offset
        col = exc.problem_mark.column + 1 if exc.problem_mark else None
        raise ReadError(line, f"{exc.problem} (first at line {exc.first_line + 1 + offset}); keep one", col) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        col = mark.column + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            problem = f"YAML tag not allowed in a store file ({problem.split('tag')[-1].strip(' :')})"
        elif exc.context_mark and (exc.context or "").startswith(_UNCLOSED):
            # an unclosed [ { or quote is noticed lines later; point at where it was opened
            line, col = exc.context_mark.line + 1 + offset, exc.context_mark.column + 1
            problem = f"{problem} {exc.context.removeprefix('while ')} that starts on this line"  # type: ignore[union-attr]
        raise ReadError(line, f"YAML: {problem}", col) from None
    except yaml.reader.ReaderError as exc:
        line = yaml_text[: max(exc.position, 0)].count("\n") + 1 + offset
        raise ReadError(line, f"character {exc.character!r} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        raise ReadError(1 + offset, f"YAML: {exc}") from None
    except (ValueError, OverflowError) as exc:  # e.g. an unquoted 2025-13-01 that YAML takes for a timestamp
        raise ReadError(_line_of_bad_date(yaml_text) + offset, f"YAML: a value is not a real date ({exc})") from None
    if data is None:
        raise ReadError(1 + offset, "the document is empty: expected a mapping of fields")
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ReadError(1 + offset, f"expected a mapping of fields (key: value), got a {kind}")
    return data


_SCALARS = {  # the safe loader's own constructors for the scalar types YAML resolves without a tag
    STANDARD_TAG + name: yaml.constructor.SafeConstructor.yaml_constructors[STANDARD_TAG + name]
    for name in ("null", "bool", "int", "float", "timestamp")
}
_UNUSUAL: Any = object()


class _FastLoader(_Loader):
    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The safe loader's tag resolution without what it never uses here (path resolvers, wildcards)."""
        if kind is yaml.ScalarNode:
            return plain_tag(value) if implicit[0] else STR
        return SEQ if kind is yaml.SequenceNode else MAP


class _Unusual(Exception):
    """Something the fast path leaves to the full loader: a merge key, a duplicate key, an explicit tag."""


def _fast_load(yaml_text: str) -> Any:
    """``yaml.load(yaml_text, Loader=_StoreLoader)`` for the files a store is made of (plain mappings, lists and
    scalars), building the values straight from libyaml's node tree. PyYAML's constructor, written for anchors,
    recursive nodes and custom tags, spends most of a store's load on its bookkeeping; this skips it. It raises
    on anything else, and the caller then runs the full loader, whose answer (or error) is the reference."""
    loader = _FastLoader(yaml_text)
    try:
        node = loader.get_single_node()
        return None if node is None else _construct(loader, node)
    finally:
        loader.dispose()


def _construct(loader: Any, node: yaml.Node) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == STR:
            return node.value
        make = _SCALARS.get(node.tag)
        if make is None:
            raise _Unusual(node.tag)
        return make(loader, node)
    if kind is yaml.SequenceNode and node.tag == SEQ:
        return [_construct(loader, item) for item in node.value]
    if kind is yaml.MappingNode and node.tag == MAP:
        mapping: dict[Any, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.value in seen:
                raise _Unusual("key")  # a list or mapping as a key, or a duplicate key
            seen.add(key_node.value)
            key = key_node.value if key_node.tag == STR else _construct(loader, key_node)
            mapping[key] = _construct(loader, value_node)
        return mapping
    raise _Unusual(node.tag)


def _line_of_bad_date(yaml_text: str) -> int:
    for number, line in enumerate(yaml_text.splitlines(), start=1):
        for match in re.finditer(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line):
            year, month, day = (int(g) for g in match.groups())
            try:
                dt.date(year, month, day)
            except ValueError:
                return number
    return 1


def _refuse_aliases_and_tags(yaml_text: str, offset: int) -> None:
    try:
        for event in yaml.parse(yaml_text, Loader=_Loader):
            line = event.start_mark.line + 1 + offset if event.start_mark else 1 + offset
            if isinstance(event, yaml.AliasEvent):
                raise ReadError(line, "YAML aliases (*name) are not allowed in a store file; write the value out")
            tag = getattr(event, "tag", None)  # None unless the file wrote one: plain and quoted values carry none
            if tag is not None:
                shown = "!!" + tag.removeprefix(STANDARD_TAG) if tag.startswith(STANDARD_TAG) else tag
                raise ReadError(line, f"YAML tag '{shown}' is not allowed in a store file; write the plain value")
    except yaml.YAMLError:
        return  # the loader reports the syntax error with its line


def line_map(yaml_text: str) -> dict[Loc, tuple[int, int]]:
    """Map every key path (('tracks', 0, 'status')) to the 0-based line and column of its key or item."""
    lines: dict[Loc, tuple[int, int]] = {}
    try:
        root = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.YAMLError:
        return lines
    stack: list[tuple[Loc, yaml.Node]] = [((), root)] if root is not None else []
    while stack:
        loc, node = stack.pop()
        lines.setdefault(loc, (node.start_mark.line, node.start_mark.column))  # a key's own place, set below, wins
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*loc, key_node.value)
                lines[child] = (key_node.start_mark.line, key_node.start_mark.column)
                stack.append((child, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*loc, i), item) for i, item in enumerate(node.value))
    return lines
