"""Files to validated documents: every problem in one pass, each as ``path:line: message``.

``load_store`` is the whole pipeline; ``read_file`` and ``assemble`` are the seams the live reloader uses to
re-read one file and rebuild the store beside the old one. ``read_raw`` and ``validate`` are ``read_file``'s two
halves, split so that a large store's reading and parsing can run in worker processes (:mod:`bot.store.pool`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.store.documents import MODEL_OF_KIND, Document, Placement, place
from bot.store.problems import Problem
from bot.store.read import RealFolders, misplaced, read_raw
from bot.store.translation_names import is_translation
from bot.store.yamlsafe import MAX_FILE_BYTES, RawDocument, ReadError, read_document

IGNORED_NAMES = {"README.md"}


def discover(root: Path) -> tuple[list[str], list[Problem]]:
    """Store-relative paths of every document under ``root``, sorted, and files that do not belong."""
    paths: list[str] = []
    problems: list[Problem] = []
    top = os.fspath(root)
    for directory, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = os.path.relpath(directory, top).replace(os.sep, "/")
        prefix = "" if folder == "." else f"{folder}/"
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith("~") or name in IGNORED_NAMES:
                continue  # editors' swap and backup files, git's own files, docs for maintainers
            relative = prefix + name
            if not name.endswith((".md", ".yaml", ".yml")) or is_translation(relative):
                continue  # translations (tariffs.fr.md) are read beside their original: bot.store.translations
            if place(relative) is None:
                problems.append(Problem(relative, 1, misplaced(relative)))
            else:
                paths.append(relative)
    return paths, problems


def read_file(
    root: Path, relative: str, *, max_bytes: int = MAX_FILE_BYTES, folders: RealFolders | None = None
) -> Document | list[Problem]:
    """Read, parse and validate one file against the model its place calls for. ``folders``: shared by the reads
    of one load, so each folder's real path is worked out once, not once per file."""
    read = read_raw(root, relative, max_bytes=max_bytes, folders=folders)
    return read if isinstance(read, list) else validate(relative, *read)


def parse_document(
    relative: str,
    data: bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    mtime_ns: int = 0,
    placement: Placement | None = None,
) -> Document | list[Problem]:
    """Parse and validate a file's bytes (from disk, or from a git revision) against the model its place calls for
    (``placement``: ``place(relative)``, when the caller has it)."""
    placement = placement or place(relative)
    if placement is None:
        return [Problem(relative, 1, misplaced(relative))]
    try:
        raw = read_document(data, markdown=relative.endswith(".md"), max_bytes=max_bytes)
    except ReadError as exc:
        return [Problem(relative, exc.line, exc.message, exc.col)]
    return validate(relative, placement, raw, mtime_ns)


def validate(relative: str, placement: Placement, raw: RawDocument, mtime_ns: int) -> Document | list[Problem]:
    """A parsed file checked against the model its place calls for: the document, or every problem in it."""
    model_type = MODEL_OF_KIND[placement.kind]
    try:
        model = model_type.model_validate(raw.data)
    except ValidationError as exc:
        errors = _without_typo_echoes(exc.errors(include_url=False), model_type)
        return sorted(_problem(relative, raw, e, model_type) for e in errors)
    raw.data = {}  # the model holds the values now: what stays is the text, for line numbers
    _share_fields_set(model)
    return Document(relative, placement, model, raw.body, raw, mtime_ns)


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def _share_fields_set(model: BaseModel) -> None:
    """One ``model_fields_set`` object for every document that sets the same fields (a few dozen kinds in a
    store), instead of a set per document: 700 bytes each, 70 MB at 100,000 documents. The models are frozen, so
    pydantic never adds to it; ``model_copy`` copies it before an update."""
    fields_set = model.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault(frozenset(fields_set), fields_set)
    object.__setattr__(model, "__pydantic_fields_set__", shared)


def _problem(relative: str, raw: RawDocument, error: ErrorDetails, model_type: type[BaseModel]) -> Problem:
    line, col = raw.position_of(tuple(error["loc"]))
    return Problem(relative, line, describe(error, model_type), col)


def _without_typo_echoes(errors: list[ErrorDetails], model_type: type[BaseModel]) -> list[ErrorDetails]:
    """``sumary:`` gives "unknown key 'sumary'; did you mean 'summary'?" and "'summary' is required": keep the
    first, which says what to do, and drop the second, which only echoes it."""
    from rapidfuzz import process  # only a file with errors needs it: not on every load

    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = error["loc"]
            best = process.extractOne(str(loc[-1]), _allowed_keys(model_type, loc[:-1]), score_cutoff=70)
            if best:
                suggested.add((*loc[:-1], best[0]))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in suggested)]


def describe(error: ErrorDetails, model_type: type[BaseModel]) -> str:
    """A pydantic error in a maintainer's words, naming the field as it is written in the file."""
    loc = error["loc"]
    where = dotted(loc)
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return f"'{where}' is required"
    if kind == "extra_forbidden":
        return f"unknown key '{where}'{_suggest(str(loc[-1]), _allowed_keys(model_type, loc[:-1]))}"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"'{where}': {_show(value)} is not allowed; use one of {expected.replace(' or ', ', ')}"
    if kind == "string_pattern_mismatch" and str(loc[-1]) != "link":
        return f"'{where}': {_show(value)} is not an id; use lower-case letters, digits and hyphens"
    if kind == "string_pattern_mismatch":
        return f"'{where}': {_show(value)} is not a link; use an http(s) address"
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif value is not None and not isinstance(value, (dict, list)):
        message = f"{message} (got {_show(value)})"
    return f"'{where}': {message}"


def dotted(loc: Iterable[int | str]) -> str:
    """('tracks', 0, 'status') -> tracks[0].status"""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(model_type: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the model that sits at ``loc`` (walking nested models and lists)."""
    current: Any = model_type
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _suggest(word: str, choices: list[str]) -> str:
    from rapidfuzz import process  # lazily: see _without_typo_echoes

    best = process.extractOne(word, choices, score_cutoff=70) if choices else None
    if best:
        return f"; did you mean '{best[0]}'?"
    return f"; allowed keys: {', '.join(choices)}" if choices else ""
