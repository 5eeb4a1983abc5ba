"""The briefing store: files -> validated documents -> an immutable, indexed :class:`Store`."""

from __future__ import annotations

from pathlib import Path

from bot.store.entries import DealEntry, PersonEntry, TopicEntry
from bot.store.pool import load_documents
from bot.store.problems import Problem
from bot.store.store import Store, build
from bot.store.yamlsafe import MAX_FILE_BYTES

__all__ = ["DealEntry", "PersonEntry", "Problem", "Store", "TopicEntry", "load_store"]


def load_store(root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Store:
    """Load and check a whole store; every problem found is on ``store.problems``."""
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"store folder not found: {root}")
    documents, problems = load_documents(root, max_bytes=max_bytes)
    return build(root, documents, problems)
