"""Parsed store files kept between loads, so a large store's restart does not parse its YAML again.

Parsing is a large share of a large store's load (about 6 s of CPU for 100,000 files, 9 to 11 s before yaml-rs),
and a restart usually finds the files as they were. A load's worker processes (bot.store.pool) read a chunk of
files, and keep what parsing them gave in one entry of the cache folder (``parsed/`` under ``BRIEFBOT_CACHE_DIR``,
see :mod:`bot.cache_folder`; ``off`` turns it off), named after a digest of:

- each file's path and **bytes** (not its size and time, which an edit can keep and a checkout can change);
- the parsing code (``PARSER_MODULES``) and the PyYAML, yaml-rs, Python and size limit.

Only the parse is reused. Whether a path is a regular file inside the store, its name and its time are found out
afresh on every load, and validation against the models always runs. An entry that cannot be read, that was cut
short, or that another user could have written is parsed afresh and replaced (unpickling can run code). An entry
no load has used for ``KEEP_UNUSED_S`` is removed after the next load.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import logging
import os
import sys
import time
from pathlib import Path

from bot.cache_folder import cache_folder, private, write_bytes, yaml_libraries_id

log = logging.getLogger(__name__)

FORMAT = b"briefbot-parsed 1\n"
KEEP_UNUSED_S = 14 * 24 * 3600  # an entry no load has read for two weeks belongs to files that changed since


def folder() -> Path | None:
    """Where parsed chunks are kept, or None when caching is off."""
    base = cache_folder()
    return None if base is None else base / "parsed"


def entry_name(files: list[tuple[str, bytes]], max_bytes: int) -> str:
    """The name of the entry for these files (path and bytes each), parsed by this code."""
    digest = hashlib.blake2b(_parser_identity(), digest_size=32)
    digest.update(b"%d\0" % max_bytes)
    for relative, data in files:
        name = os.fsencode(relative)
        digest.update(b"%d\0%s\0%d\0" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()


def kept(where: Path, name: str) -> bytes | None:
    """The entry ``name`` (a pickled list of parses, not unpickled here: the caller does, once), or None when it
    is missing or cannot be vouched for. A hit marks it as used."""
    path = where / f"{name}.pickle"
    try:
        with path.open("rb") as file:
            if not private(os.fstat(file.fileno())) or file.readline() != FORMAT:
                return None
            digest, parses = file.readline().rstrip(b"\n"), file.read()
        if digest != _digest(parses):
            return None  # cut short or damaged: parsed again, and the save replaces it
        os.utime(path)  # used: kept by the sweep
    except OSError as exc:
        if not isinstance(exc, FileNotFoundError):
            log.debug("parsed copy %s unreadable (%s)", path, exc)
        return None
    return parses


def keep(where: Path, name: str, parses: bytes) -> None:
    """Keep ``parses`` (pickled) as the entry ``name``, atomically: a reader sees the old entry or the new one."""
    try:
        write_bytes(where / f"{name}.pickle", FORMAT + _digest(parses) + b"\n" + parses, prefix=".parsed-")
    except OSError as exc:  # a full disk, a read-only home: the next load parses these files again
        log.debug("parsed copy %s not written: %s", name, exc)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).hexdigest().encode()


def sweep(where: Path, *, now: float | None = None) -> int:
    """Remove entries no load has used for ``KEEP_UNUSED_S``; how many went."""
    limit = (time.time() if now is None else now) - KEEP_UNUSED_S
    removed = 0
    with contextlib.suppress(OSError), os.scandir(where) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.name.endswith((".pickle", ".tmp")) and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
                    removed += 1
    return removed


# What a parse runs: a change to any of them is a new parser (tests/store/test_parse_cache.py checks the list).
PARSER_MODULES = (
    "bot.store.read",
    "bot.store.yamlsafe",
    "bot.store.yamlparse",
    "bot.store.yamlrust",
    "bot.store.yamltags",
    "bot.store.readerror",
    "bot.store.placement",
    "bot.store.problems",
)


@functools.cache
def _parser_identity() -> bytes:
    """A digest of what a parse depends on besides the file: the parsing code, PyYAML and yaml-rs, Python."""
    digest = hashlib.blake2b(FORMAT, digest_size=32)
    digest.update(f"{sys.version}\0{yaml_libraries_id()}\0".encode())
    for name in PARSER_MODULES:
        source = importlib.import_module(name).__file__
        assert source is not None
        digest.update(name.encode() + b"\0" + Path(source).read_bytes())
    return digest.digest()
