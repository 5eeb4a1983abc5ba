"""A compiled copy of the store for one-shot answers (``briefbot ask``), used only while nothing it came from changed.

Reading, validating and cross-checking every file costs more than answering one question, so ``briefbot ask``
keeps the validated :class:`~bot.store.Store` pickled in the user's cache folder (``BRIEFBOT_CACHE_DIR``, else
``~/.cache/briefbot`` or the platform's equivalent; ``BRIEFBOT_CACHE_DIR=off`` turns it off), one file per store.
The copy is used only when its key still matches, computed afresh on every run from:

- every file under the store (path, size, modification time in nanoseconds), ``.git`` aside;
- every module of the ``bot`` package the same way (an upgrade or an edited checkout reads the files again);
- the Python and pydantic versions, the installed PyYAML and yaml-rs, the store folder and the size limit per file.

A miss, a copy that cannot be read or unpickled, or any other error is a normal load, and the copy is rewritten. A
copy that another user owns, or that others may write to, is never unpickled (unpickling can run code).
Nothing is kept for a store with problems (a maintainer is editing it: every run reports them afresh), for a store
that holds a symbolic link (what it points at could change unseen), or when a file changed in the last two seconds
(a second edit within one tick of the file system's clock could keep both its size and its time). ``briefbot check``
never reads it: maintainers run it right after editing, and it must see the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from bot.cache_folder import RACY_NS, cache_folder, private, write_copy, yaml_libraries_id
from bot.store.collector import collector_paused
from bot.store.store import Store

log = logging.getLogger(__name__)

FORMAT = b"briefbot-store-cache 1"
CODE = Path(__file__).resolve().parents[1]  # the bot package: its modules are part of the key


class _Unsafe(Exception):
    """The store cannot be fingerprinted safely (a symbolic link, a file that vanished mid-walk)."""


def cached_store(root: Path, load: Callable[[], Store], *, max_bytes: int, folder: Path | None = None) -> Store:
    """The store at ``root``: the cached copy when every file it came from is unchanged, else ``load()`` (whose
    result is then kept for the next run, when it is safe to)."""
    root = root.resolve()
    folder = folder or cache_folder()
    if folder is None:
        return load()
    path = folder / f"{hashlib.sha256(os.fsencode(root)).hexdigest()[:24]}.pickle"
    started = time.time_ns()
    try:
        key, newest = _fingerprint(root, max_bytes)
    except (OSError, _Unsafe) as exc:
        log.debug("store cache not used for %s: %s", root, exc)
        return load()
    store = _read(path, key)
    if store is not None:
        return store
    store = load()
    if not store.problems and newest < started - RACY_NS:
        _write(path, key, store)
    return store


def _read(path: Path, key: bytes) -> Store | None:
    try:
        with path.open("rb") as file:
            if not private(os.fstat(file.fileno())):
                return None  # unpickling runs code: only a copy no one else could have written
            if file.readline().rstrip(b"\n") != FORMAT or file.readline().rstrip(b"\n") != key:
                return None  # another store state, or another Briefbot: rewritten after this load
            store = _unpickle(file)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a corrupt or foreign copy: load normally, and replace it
        log.debug("store cache %s unreadable (%s): reading the store", path, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return store if isinstance(store, Store) else None


def _unpickle(file: BinaryIO) -> object:
    """As a load builds a store (bot.store.live): no cyclic collection while its objects are made, then frozen, so
    no later collection, nor the one at exit, walks them all again (they hold no cycles: reference counts free
    them). Without this a cached answer spends more time in the collector than it saves in reading the files."""
    with collector_paused():
        return pickle.load(file)


def _write(path: Path, key: bytes, store: Store) -> None:
    try:
        write_copy(path, FORMAT + b"\n" + key + b"\n", store, prefix=".store-")
    except Exception as exc:  # a read-only home, a full disk, a store that does not pickle: no copy, same answer
        log.debug("store cache not written to %s: %s", path, exc)


def _fingerprint(root: Path, max_bytes: int) -> tuple[bytes, int]:
    """The key of the store's current state, and the newest modification time (ns) among the files it covers."""
    import pydantic

    digest = hashlib.sha256()
    newest = 0
    header = f"{sys.version}\0{pydantic.VERSION}\0{yaml_libraries_id()}\0{root}\0{max_bytes}\0"
    digest.update(header.encode())
    for label, folder, skip in (("store", root, ".git"), ("code", CODE, None)):
        digest.update(f"\0{label}\0".encode())
        for relative, size, mtime in _walk(folder, skip, code=label == "code"):
            digest.update(f"{relative}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
            newest = max(newest, mtime)
    return digest.hexdigest().encode(), newest


def _walk(folder: Path, skip: str | None, *, code: bool, prefix: str = "") -> Iterator[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every file under ``folder``, sorted; only ``.py`` files for code."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        relative = f"{prefix}{entry.name}"
        if entry.is_symlink():
            if code:
                continue
            raise _Unsafe(f"{relative} is a symbolic link")
        if entry.is_dir(follow_symlinks=False):
            if entry.name == skip or (code and entry.name == "__pycache__"):
                continue
            yield from _walk(Path(entry.path), None, code=code, prefix=f"{relative}/")
        elif not code or entry.name.endswith(".py"):
            stat = entry.stat(follow_symlinks=False)
            yield relative, stat.st_size, stat.st_mtime_ns
