"""What changed between two revisions of a document, field by field, in a reader's words.

Works on the store's own models: scalars as ``field: old → new``, maps (a topic's positions) per key, lists of
things with an id (tracks, milestones, events) matched by id, other lists (quotes, open questions, aliases) as what
was added and removed. The markdown body is summarised by lines added and removed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel

from bot.store.dates import ApproxDate
from bot.store.documents import Document
from bot.store.model import status_label

SKIPPED_FIELDS = frozenset({"updated"})  # every edit moves it: saying so on each change says nothing
MAX_SHOWN = 120

# a list field's items, named one at a time
ITEM_WORD = {
    "tracks": "track",
    "milestones": "milestone",
    "events": "event",
    "quotes": "quote",
    "open_questions": "open question",
    "aliases": "alias",
    "sources": "source",
    "people": "person",
    "parties": "party",
    "topics": "topic",
    "deals": "deal",
    "restricted_to": "restricted to",
}

PartyName = Callable[[str], str]


def _plain(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Enum):
        return status_label(str(value.value))
    if isinstance(value, ApproxDate):
        return value.human()
    if isinstance(value, BaseModel):
        return _title(value)
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _title(item: BaseModel) -> str:
    for name in ("title", "name", "text", "id"):
        value = getattr(item, name, None)
        if isinstance(value, str):
            shown = _plain(value)
            if name == "text":
                shown = f"\u201c{shown}\u201d"
            date = getattr(item, "date", None)
            return f"{shown} ({date.human()})" if isinstance(date, ApproxDate) else shown
    return _plain(str(item))


def _label(name: str) -> str:
    return name.replace("_", " ")


def diff_models(old: BaseModel, new: BaseModel, *, party_name: PartyName = str, where: str = "") -> list[str]:
    """One line per changed field of two models of the same kind."""
    lines: list[str] = []
    for name in type(new).model_fields:
        if name in SKIPPED_FIELDS:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        label = f"{where}{_label(name)}"
        if isinstance(after, dict) or isinstance(before, dict):
            lines += _diff_map(name, before or {}, after or {}, party_name, where)
        elif isinstance(after, list) or isinstance(before, list):
            lines += _diff_list(name, before or [], after or [], party_name, where)
        elif isinstance(after, BaseModel) and isinstance(before, BaseModel):
            lines += diff_models(before, after, party_name=party_name, where=f"{label}: ")
        else:
            lines.append(f"{label}: {_plain(before)} → {_plain(after)}")
    return lines


def _diff_map(name: str, before: dict[str, Any], after: dict[str, Any], party_name: PartyName, where: str) -> list[str]:
    def label(key: str) -> str:
        return f"{where}{party_name(key)}'s position" if name == "positions" else f"{where}{_label(name)} {key}"

    lines: list[str] = []
    for key in dict.fromkeys([*before, *after]):
        if key not in before:
            lines.append(f"{label(key)}: new, {_plain(after[key])}")
        elif key not in after:
            lines.append(f"{label(key)}: removed (was {_plain(before[key])})")
        elif before[key] != after[key]:
            lines.append(f"{label(key)}: {_plain(before[key])} → {_plain(after[key])}")
    return lines


def _diff_list(name: str, before: list[Any], after: list[Any], party_name: PartyName, where: str) -> list[str]:
    word = ITEM_WORD.get(name, _label(name))
    keyed = all(isinstance(i, BaseModel) and isinstance(getattr(i, "id", None), str) for i in [*before, *after])
    lines: list[str] = []
    if keyed:
        old = {i.id: i for i in before}
        new = {i.id: i for i in after}
        for key, item in new.items():
            if key not in old:
                lines.append(f"{where}new {word}: {_title(item)}")
            elif old[key] != item:
                inner = f"{word} \u201c{_plain(getattr(item, 'title', key))}\u201d: "  # the item says where it is
                lines += diff_models(old[key], item, party_name=party_name, where=inner)
        lines += [f"{where}{word} removed: {_title(i)}" for k, i in old.items() if k not in new]
        return lines
    lines += [f"{where}new {word}: {_plain(i)}" for i in after if i not in before]
    lines += [f"{where}{word} removed: {_plain(i)}" for i in before if i not in after]
    return lines


def body_change(old: str, new: str) -> str | None:
    """The prose under the front matter: how many lines were added and removed."""
    if old.strip() == new.strip():
        return None
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, old.strip().splitlines(), new.strip().splitlines(), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():  # line by line, as git counts them (ndiff is far slower)
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return f"text edited: {added} line{'s' * (added != 1)} added, {removed} removed"


def diff_documents(old: Document, new: Document, *, party_name: PartyName = str) -> list[str]:
    lines = diff_models(old.model, new.model, party_name=party_name)
    body = body_change(old.body, new.body)
    return [*lines, body] if body else lines
