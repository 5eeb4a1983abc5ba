"""The store in service: the current immutable :class:`Store`, rebuilt beside the old one and swapped whole.

Readers take ``live.current`` once per request and keep that object, so they see the old store or the new one,
never a mix. Files are re-read one at a time as they change (``apply``); a full ``reload`` is for start-up,
``briefbot reload`` and the admin ``/reload`` command.

A file that fails to read or validate keeps its **last good version** in service and is *held*; a deleted file
leaves only when the rest of the store validates without it. ``on_change`` listeners hear when a file becomes
held (with its problems) or is fixed, so the app can tell the maintainers' channel once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.store import incremental
from bot.store.collector import collector_paused
from bot.store.documents import Document
from bot.store.load import discover
from bot.store.pool import ReadStats, read_files
from bot.store.problems import Problem
from bot.store.read import shadowed, twin
from bot.store.store import Store
from bot.store.translation_names import is_translation
from bot.store.yamlsafe import MAX_FILE_BYTES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Held:
    """A file whose current text is refused; ``serving_last_good`` says whether an older version still serves."""

    path: str
    problems: tuple[Problem, ...]
    serving_last_good: bool
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class StoreEvent:
    path: str
    kind: str  # "held" (problems appeared or changed) or "fixed"
    problems: tuple[Problem, ...] = ()


Listener = Callable[[StoreEvent], None]
_KEPT = "deleted, but other files still refer to it; kept until they don't"


class LiveStore:
    def __init__(self, root: Path, *, max_bytes: int = MAX_FILE_BYTES, warm: bool = True) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes
        # A running bot builds a store's indexes in the reload's worker, before the swap; a one-shot answer
        # (``warm=False``) builds only the one it uses, on first use.
        self.warm = warm
        self._docs: dict[str, Document] = {}
        self._held: dict[str, Held] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()  # reloads may run in a worker thread; readers never take it
        self.reloads = 0
        self.last_reload: dt.datetime | None = None
        self.commit: str | None = None  # in git mode, the commit in service
        self.on_reload: Callable[..., None] | None = None  # (seconds, full=...) after each reload (the metrics)
        self.last_read = ReadStats()  # the last reload's files: parsed, or their parse reused from the one before
        self._built: incremental.Built | None = None  # the store in service with its cross-file problems by path
        self._current = self.reload()

    @property
    def current(self) -> Store:
        return self._current

    @property
    def held(self) -> dict[str, Held]:
        return dict(self._held)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def reload(self) -> Store:
        """Re-read every file. Broken ones keep their last good version."""
        if not self.root.is_dir():
            raise FileNotFoundError(f"store folder not found: {self.root}")
        paths, misplaced = discover(self.root)
        with self._lock, collector_paused():
            gone = set(self._docs) - set(paths)
            return self._update(paths, gone, misplaced, full=True)

    def apply(self, changed: Iterable[str]) -> Store:
        """Re-read only ``changed`` store-relative paths (added, modified or deleted)."""
        existing, gone = [], set()
        changed = list(_with_twins(self.root, changed))
        if any(is_translation(relative) for relative in changed):
            return self.reload()  # a translation is checked against the original it names: re-read them all
        for relative in changed:
            # lexists: a symlink loop or a dangling link is a file to refuse with a reason, not a deletion
            if os.path.lexists(self.root / relative):
                existing.append(relative)
            else:
                gone.add(relative)
        with self._lock:
            return self._update(existing, gone, [], full=False)

    def _update(self, paths: list[str], gone: set[str], misplaced: list[Problem], *, full: bool) -> Store:
        started = time.perf_counter()
        try:
            return self._swap(paths, gone, misplaced, full=full)
        finally:
            if self.on_reload is not None:
                self.on_reload(time.perf_counter() - started, full=full)

    def _swap(self, paths: list[str], gone: set[str], misplaced: list[Problem], *, full: bool) -> Store:
        # ``self._docs`` is edited in place (a copy is tens of ms at 100,000 documents); ``was`` keeps each edited
        # path's last good version, to keep serving it and to put everything back if the reload fails.
        docs = self._docs
        was: dict[str, Document | None] = {}

        def put(path: str, doc: Document | None) -> None:
            if path not in was:
                was[path] = docs.get(path)
            if doc is None:
                docs.pop(path, None)
            else:
                docs[path] = doc

        try:
            return self._swap_edits(paths, gone, misplaced, full=full, put=put, was=was)
        except BaseException:
            for path, doc in was.items():
                if doc is None:
                    docs.pop(path, None)
                else:
                    docs[path] = doc
            raise

    def _swap_edits(
        self,
        paths: list[str],
        gone: set[str],
        misplaced: list[Problem],
        *,
        full: bool,
        put: Callable[[str, Document | None], None],
        was: dict[str, Document | None],
    ) -> Store:
        docs = self._docs
        refused: dict[str, tuple[Problem, ...]] = {p.path: (p,) for p in misplaced}
        self.last_read = read = ReadStats()
        for relative, result in read_files(self.root, paths, max_bytes=self.max_bytes, stats=read):  # a pool, if many
            duplicate = shadowed(self.root, relative)
            if duplicate is not None:  # its twin serves instead; this spelling has no last good version to keep
                put(relative, None)
                refused[relative] = (duplicate,)
                continue
            if isinstance(result, Document):
                put(relative, result)
            else:
                refused[relative] = tuple(result)  # the last good version, if any, stays in ``docs``
        for relative in gone:
            put(relative, None)
        touched = set(paths) | gone

        def last_good(path: str) -> Document | None:
            return was[path] if path in was else docs.get(path)

        built = self._build(docs, refused, full=full, touched=touched)
        store = built.store

        reverted = False
        before = set(self._current_problems())
        new_problems = [p for p in store.problems if p not in before]
        # A changed file whose new version breaks references keeps its last good version too.
        for path in {p.path for p in new_problems} & set(paths):
            if path not in refused and (good := last_good(path)) is not None:
                refused[path] = tuple(p for p in new_problems if p.path == path)
                put(path, good)
                reverted = True
        # A deletion that leaves dangling references elsewhere is undone until the references go.
        if gone and any(p.path not in gone and p.path not in refused for p in new_problems):
            for path in gone:
                if (good := last_good(path)) is not None:
                    put(path, good)
                    refused[path] = (Problem(path, 1, _KEPT),)
                    reverted = True
        if reverted:  # from the tentative store, not the one in service: the full-text rows move in one line
            built = self._build(docs, refused, full=full, touched=touched, base=built)
            store = built.store

        self._record(refused, docs, full=full, touched=touched)
        self._built = built
        self._current = store  # the swap: one assignment
        self.reloads += 1
        self.last_reload = store.loaded_at
        if store.problems:
            shown = "; ".join(str(p) for p in store.problems[:3])
            more = f" (and {len(store.problems) - 3} more)" if len(store.problems) > 3 else ""
            log.warning("store has %d problem(s): %s%s", len(store.problems), shown, more)
        reused = f" ({read.reused:,} of {len(paths):,} files' parses reused)" if read.reused else ""
        log.info("store loaded: %d documents from %s%s", len(store.documents), self.root, reused)
        return store

    def _build(
        self,
        docs: dict[str, Document],
        refused: dict[str, tuple[Problem, ...]],
        *,
        full: bool,
        touched: set[str],
        base: incremental.Built | None = None,
    ) -> incremental.Built:
        """The new store, indexes built: a full check, or (one file saved) only what the changes can affect."""
        problems = [p for ps in refused.values() for p in ps]
        base = base or self._built
        if base is None or (full and base is self._built):
            return incremental.full(self.root, docs.values(), problems, warm=self.warm)
        return incremental.apply(base, docs, problems, touched)

    def _current_problems(self) -> tuple[Problem, ...]:
        current = getattr(self, "_current", None)
        return current.problems if current is not None else ()

    def _record(
        self, refused: dict[str, tuple[Problem, ...]], docs: dict[str, Document], *, full: bool, touched: set[str]
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        events: list[StoreEvent] = []
        for path, problems in refused.items():
            before = self._held.get(path)
            if before is None or before.problems != problems:
                events.append(StoreEvent(path, "held", problems))
            self._held[path] = Held(path, problems, path in docs, before.since if before else now)
        for path in list(self._held):
            if path not in refused and (full or path in touched):
                del self._held[path]
                events.append(StoreEvent(path, "fixed"))
        for event in events:
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:  # a listener must never break a reload
                    log.exception("store listener failed for %s", event.path)


def _with_twins(root: Path, changed: Iterable[str]) -> list[str]:
    """``changed`` plus the other spelling of each YAML name that is on disk: saving or deleting ``deal.yaml``
    decides whether ``deal.yml`` beside it is a duplicate or the one left to serve."""
    paths = list(dict.fromkeys(changed))
    for relative in list(paths):
        other = twin(relative)
        if other is not None and other not in paths and os.path.lexists(root / other):
            paths.append(other)
    return paths
