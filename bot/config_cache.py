"""The config file's parsed YAML, kept next to the compiled store (bot.cache_folder) while the file is unchanged.

The packaged config is read by every command, and PyYAML takes longer to import than a cached ``briefbot ask``
takes to answer. Only the parse is kept: the values go through pydantic-settings with the environment and the
flags exactly as when the file is read. The copy is used only while the file's path, size and modification time
(in nanoseconds) and the installed PyYAML are those it was made from; never when written by someone else, nor for
a file changed in the last two seconds. ``BRIEFBOT_CACHE_DIR=off`` turns it off with the store's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from bot.cache_folder import RACY_NS, cache_folder, library_id, private, write_copy

log = logging.getLogger(__name__)

FORMAT = b"briefbot-config-cache 1"


def cached_parse(path: Path, parse: Callable[[Path], object]) -> object:
    """``parse(path)``, or what it returned before for this very file."""
    folder = cache_folder()
    if folder is None:
        return parse(path)
    try:
        resolved = path.resolve()
        stat = resolved.stat()
        made_from = f"{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}\0{library_id('yaml')}"  # PyYAML parses it
        key = made_from.encode("utf-8", "surrogateescape")
    except OSError:
        return parse(path)  # which says why the file cannot be read
    copy = folder / "config" / f"{hashlib.sha256(os.fsencode(resolved)).hexdigest()[:24]}.pickle"
    found = _read(copy, key)
    if found is not None:
        return found[0]
    value = parse(path)
    if stat.st_mtime_ns < time.time_ns() - RACY_NS:
        _write(copy, key, value)
    return value


def _read(copy: Path, key: bytes) -> tuple[object] | None:
    try:
        with copy.open("rb") as file:
            if not private(os.fstat(file.fileno())):
                return None  # unpickling runs code: only a copy no one else could have written
            if file.readline().rstrip(b"\n") != FORMAT or file.readline().rstrip(b"\n") != key:
                return None
            return (pickle.load(file),)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a corrupt copy: parse the file, and replace it
        log.debug("config cache %s unreadable (%s)", copy, exc)
        return None


def _write(copy: Path, key: bytes, value: object) -> None:
    try:
        write_copy(copy, FORMAT + b"\n" + key + b"\n", value, prefix=".config-")
    except Exception as exc:  # a read-only home, a full disk: no copy, same settings
        log.debug("config cache not written to %s: %s", copy, exc)
