"""Translations of store documents, Hugo-style: ``tariffs.fr.md`` beside ``tariffs.md`` holds the French prose.

A translation holds what is written in a language: titles, summaries, positions, prose, French aliases, the
context of a quote and a gloss of it. Ids, statuses, dates and references always come from the original. A
translation may repeat a fact (``status:``, ``updated:``...) so translators can see what they translated against;
when it does, the fact must agree with the original, and ``briefbot check`` says where it does not.

When the store is a git checkout, ``briefbot check`` reports a translation last committed before its original as older
than it (``translation is older than tariffs.md``). File modification times say nothing in a fresh clone, so outside
git that check is skipped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.store.dates import ApproxDate
from bot.store.documents import Document, Kind
from bot.store.load import _without_typo_echoes, describe
from bot.store.problems import Problem
from bot.store.read import read_regular, twin
from bot.store.text import compact
from bot.store.translation_model import (
    MODEL_OF_KIND,
    DealTranslation,
    EventsTranslation,
    PersonTranslation,
    TopicTranslation,
)
from bot.store.translation_names import split_translation
from bot.store.yamlsafe import MAX_FILE_BYTES, RawDocument, ReadError, read_document

log = logging.getLogger(__name__)
_NAMED = (Kind.TOPIC, Kind.PERSON, Kind.DEAL)  # what readers look up by name


_TOP_FACTS = (
    "track",
    "status",
    "people",
    "party",
    "deals",
    "topics",
    "updated",
    "review_by",
    "sources",
    "restricted_to",
)


@dataclass(frozen=True, slots=True)
class Translation:
    path: str
    language: str
    original: Document
    model: BaseModel
    body: str
    raw: RawDocument


@dataclass
class Translations:
    """Every valid translation of a store, by language and original path. Localised views are cached here."""

    by_original: dict[tuple[str, str], Translation] = field(default_factory=dict)
    orphans: tuple[Problem, ...] = ()  # translations whose original is not in the store: for briefbot check
    localized: dict[str, Any] = field(default_factory=dict, repr=False)  # language -> Store (see bot.store.localize)

    def of(self, document: Document, language: str) -> Translation | None:
        return self.by_original.get((language, document.path))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({lang for lang, _ in self.by_original}))

    def names(self, document: Document) -> tuple[str, ...]:
        """Every language's title and aliases of ``document``: what a reader may type to find it, in any language."""
        return self._names_by_path.get(document.path, ())

    @cached_property
    def _names_by_path(self) -> dict[str, tuple[str, ...]]:
        """Built once, after loading: the index asks for every document's names, so not a scan per document."""
        names: dict[str, list[str]] = {}
        for (_, path), translation in sorted(self.by_original.items()):
            model = translation.model
            title = getattr(model, "title", None) or getattr(model, "name", None)
            names.setdefault(path, []).extend([*([title] if title else []), *getattr(model, "aliases", [])])
        return {path: tuple(found) for path, found in names.items()}


def load_translations(
    root: Path, documents: Iterable[Document], *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[Translations, list[Problem]]:
    """Read every translation under ``root`` and check it against its original among ``documents``."""
    originals = {d.path: d for d in documents}
    found = Translations()
    problems: list[Problem] = []
    paths = translation_paths(root)
    orphans: list[Problem] = []
    for relative in paths:
        result = _read(root, relative, originals, max_bytes)
        if isinstance(result, Problem):  # nothing is served from it, so it holds nothing back (a deletion included)
            orphans.append(result)
        elif isinstance(result, Translation):
            disagreements = list(_disagreements(result))
            problems.extend(disagreements)
            found.by_original[(result.language, result.original.path)] = result
        else:
            problems.extend(result)
    problems.extend(_name_clashes(originals.values(), sorted(found.by_original.values(), key=lambda t: t.path)))
    found.orphans = tuple(orphans)
    return found, problems


def translation_paths(root: Path) -> list[str]:
    """Store-relative paths of every translation under ``root``, sorted (hidden folders and files skipped)."""
    paths: list[str] = []
    top = os.fspath(root)
    for directory, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = os.path.relpath(directory, top).replace(os.sep, "/")
        prefix = "" if folder == "." else f"{folder}/"
        # a translation's name has two dots (tariffs.fr.md): a cheap test first, as most files of a store are not
        for name in sorted(n for n in filenames if n.count(".") == 2):
            if not name.startswith(".") and split_translation(prefix + name) is not None:
                paths.append(prefix + name)
    return paths


def _read(
    root: Path, relative: str, originals: dict[str, Document], max_bytes: int
) -> Translation | Problem | list[Problem]:
    """The translation, or its problems; a lone Problem for one whose original is not in the store."""
    split = split_translation(relative)
    assert split is not None
    original_path, language = split
    original = originals.get(original_path) or originals.get(twin(original_path) or "")
    name = original_path.rsplit("/", 1)[-1]
    if original is None:
        return Problem(relative, 1, f"translation of {name}, which is not in the store (or does not load)")
    model_type = MODEL_OF_KIND.get(original.kind)
    if model_type is None:
        return [Problem(relative, 1, f"{name} is not translated: it holds no prose")]
    opened = read_regular(root, relative, max_bytes)
    if isinstance(opened, Problem):
        return [opened]
    try:
        raw = read_document(opened[0], markdown=relative.endswith(".md"), max_bytes=max_bytes)
    except ReadError as exc:
        return [Problem(relative, exc.line, exc.message)]
    try:
        model = model_type.model_validate(raw.data)
    except ValidationError as exc:
        errors = _without_typo_echoes(exc.errors(include_url=False), model_type)
        return sorted(Problem(relative, raw.line_of(tuple(e["loc"])), describe(e, model_type)) for e in errors)
    return Translation(relative, language, original, model, raw.body, raw)


def _disagreements(tr: Translation) -> Iterator[Problem]:
    """Facts the translation repeats that differ from the original, and references the original does not have."""
    original = tr.original.model
    name = tr.original.path.rsplit("/", 1)[-1]

    def differs(loc: tuple[str | int, ...], mine: Any, theirs: Any) -> Iterator[Problem]:
        if mine is not None and mine != theirs:
            where = ".".join(str(p) for p in loc)
            yield Problem(
                tr.path,
                tr.raw.line_of(loc),
                f"'{where}': {_shown(mine)} disagrees with {name} ({_shown(theirs)}); facts come from the original",
            )

    def unknown(loc: tuple[str | int, ...], what: str, key: str, known: Iterable[str]) -> Iterator[Problem]:
        known = list(known)
        if key not in known:
            yield Problem(tr.path, tr.raw.line_of(loc), f"unknown {what} '{key}'; {name} has {', '.join(known)}")

    for fact in _TOP_FACTS:
        if fact in type(tr.model).model_fields and hasattr(original, fact):
            yield from differs((fact,), getattr(tr.model, fact), getattr(original, fact))
    model = tr.model
    if isinstance(model, TopicTranslation):
        for party in model.positions:
            yield from unknown(("positions", party), "party", party, getattr(original, "positions", {}))
    elif isinstance(model, PersonTranslation):
        quotes = getattr(original, "quotes", [])
        for i, quote in enumerate(model.quotes):
            if i >= len(quotes):
                yield Problem(tr.path, tr.raw.line_of(("quotes", i)), f"quote {i + 1} is not in {name}")
                continue
            yield from differs(("quotes", i, "date"), quote.date, quotes[i].date)
            yield from differs(("quotes", i, "source"), quote.source, quotes[i].source)
    elif isinstance(model, DealTranslation):
        yield from _deal_disagreements(model, original, tr, differs, unknown)
    elif isinstance(model, EventsTranslation):
        events = {e.id: e for e in getattr(original, "events", [])}
        for event_id, event in model.events.items():
            if event_id not in events:
                yield Problem(tr.path, tr.raw.line_of(("events", event_id)), f"unknown event '{event_id}' in {name}")
            else:
                yield from differs(("events", event_id, "date"), event.date, events[event_id].date)


def _name_clashes(originals: Iterable[Document], translations: Iterable[Translation]) -> Iterator[Problem]:
    """A translated title or alias that already names something else: a reader typing it would find either."""
    translations = list(translations)
    if not translations:
        return  # nothing to clash (most stores): no need to gather every original's names
    owners: dict[tuple[Kind, str | None, str], str] = {}
    for doc in originals:
        if doc.kind in _NAMED:
            model = doc.model
            names = [
                doc.id,
                getattr(model, "title", None) or getattr(model, "name", ""),
                *getattr(model, "aliases", []),
            ]
            for name in names:
                owners.setdefault((doc.kind, doc.deal_id, compact(name)), doc.path)
    for tr in translations:
        model = tr.model
        if tr.original.kind not in _NAMED:
            continue
        named: list[tuple[tuple[str | int, ...], str]] = [
            (("aliases", i), a) for i, a in enumerate(getattr(model, "aliases", []))
        ]
        title = getattr(model, "title", None) or getattr(model, "name", None)
        for loc, name in [*([(("title",) if hasattr(model, "title") else ("name",), title)] if title else []), *named]:
            key = (tr.original.kind, tr.original.deal_id, compact(name))
            owner = owners.setdefault(key, tr.original.path)
            if owner != tr.original.path and compact(name):
                yield Problem(tr.path, tr.raw.line_of(loc), f"'{name}' already names {owner}; pick another")


def _deal_disagreements(model: DealTranslation, original: Any, tr: Translation, differs: Any, unknown: Any) -> Any:
    for party in model.parties:
        yield from unknown(("parties", party), "party", party, [p.id for p in original.parties])
    tracks = {t.id: t for t in original.tracks}
    for track_id, track in model.tracks.items():
        if track_id not in tracks:
            yield from unknown(("tracks", track_id), "track", track_id, tracks)
            continue
        milestones = {m.id: m for m in tracks[track_id].milestones}
        for milestone_id, milestone in track.milestones.items():
            loc = ("tracks", track_id, "milestones", milestone_id)
            if milestone_id not in milestones:
                yield from unknown(loc, f"milestone of track '{track_id}'", milestone_id, milestones)
                continue
            for fact in ("status", "target", "done_on"):
                yield from differs((*loc, fact), getattr(milestone, fact), getattr(milestones[milestone_id], fact))
        if track.open_questions is not None and len(track.open_questions) != len(tracks[track_id].open_questions):
            yield Problem(
                tr.path,
                tr.raw.line_of(("tracks", track_id, "open_questions")),
                f"track '{track_id}' has {len(tracks[track_id].open_questions)} open questions in the original, "
                f"{len(track.open_questions)} here; translate each, in order",
            )


def _shown(value: Any) -> str:
    if isinstance(value, ApproxDate):
        return value.iso()
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return f"'{value}'"
