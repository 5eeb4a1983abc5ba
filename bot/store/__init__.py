"""The briefing store: files -> validated documents -> an immutable, indexed :class:`Store`.

The names below are imported on first use (PEP 562), not with the package: a store worker process
(:mod:`bot.store.worker`) imports a module of this package to tokenise text, and must not pay for pydantic and
every model to do it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.store.yamlsafe import MAX_FILE_BYTES

if TYPE_CHECKING:
    from bot.store.entries import DealEntry, PersonEntry, TopicEntry
    from bot.store.problems import Problem
    from bot.store.store import Store

__all__ = ["DealEntry", "PersonEntry", "Problem", "Store", "TopicEntry", "load_store"]

_HOME = {
    "DealEntry": "bot.store.entries",
    "PersonEntry": "bot.store.entries",
    "TopicEntry": "bot.store.entries",
    "Problem": "bot.store.problems",
    "Store": "bot.store.store",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # a submodule: imported as usual
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def load_store(root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Store:
    """Load and check a whole store; every problem found is on ``store.problems``."""
    from bot.store.pool import load_documents
    from bot.store.store import build

    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"store folder not found: {root}")
    documents, problems = load_documents(root, max_bytes=max_bytes)
    return build(root, documents, problems)
