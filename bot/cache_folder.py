"""Where Briefbot keeps what it can reuse between one-shot commands (the compiled store, the parsed config file),
and the rules both copies follow. Apart from :mod:`bot.store.cache` so that ``briefbot check``, which never uses
the compiled store, does not import it."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "BRIEFBOT_CACHE_DIR"
RACY_NS = 2_000_000_000  # files changed this recently are not trusted to show a later edit in their size or time


def cache_folder() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    from platformdirs import user_cache_path

    return user_cache_path("briefbot", appauthor=False) / "stores"


def library_id(name: str) -> str:
    """An installed library, by its file rather than its ``__version__``: importing it costs more than a cached
    answer, which never parses YAML (an upgrade rewrites the file)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return "-"
    stat = os.stat(spec.origin)
    return f"{spec.origin}\0{stat.st_size}\0{stat.st_mtime_ns}"


def yaml_libraries_id() -> str:
    """What a store file's parse depends on: PyYAML and yaml-rs (bot.store.yamlrust)."""
    return f"{library_id('yaml')}\0{library_id('yaml_rs')}"


def private(stat: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (where the platform has owners)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or (stat.st_uid == getuid() and not stat.st_mode & 0o022)


def write_copy(path: Path, header: bytes, value: object, *, prefix: str) -> None:
    """``header``, then ``value`` pickled, into ``path`` in this user's private folder, atomically: readers see the
    old copy or the whole new one, never half of it. Raises what writing raised (a read-only home, a full disk)."""
    import pickle

    write_bytes(path, header + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), prefix=prefix)


def write_bytes(path: Path, data: bytes, *, prefix: str) -> None:
    """``data`` into ``path`` in this user's private folder, atomically (as :func:`write_copy`)."""
    import contextlib
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
