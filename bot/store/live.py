"""The store in service: the current immutable :class:`Store`, swapped whole on reload.

Readers take ``live.current`` once per request and keep using that object, so a reload never shows them half
of anything. A reload that finds problems still swaps in what validates (issue: last-good versions of broken
files are kept by the watcher, see the live-store work).
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.store import Store, load_store
from bot.store.yamlsafe import MAX_FILE_BYTES

log = logging.getLogger(__name__)


class LiveStore:
    def __init__(self, root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._current = self._load()

    @property
    def current(self) -> Store:
        return self._current

    def reload(self) -> Store:
        store = self._load()
        self._current = store  # one assignment: readers see the old store or the new, never a mix
        return store

    def _load(self) -> Store:
        store = load_store(self.root, max_bytes=self.max_bytes)
        if store.problems:
            shown = "; ".join(str(p) for p in store.problems[:3])
            more = f" (and {len(store.problems) - 3} more)" if len(store.problems) > 3 else ""
            log.warning("store has %d problem(s), run `briefbot check`: %s%s", len(store.problems), shown, more)
        log.info("store loaded: %d documents from %s", len(store.documents), self.root)
        return store
