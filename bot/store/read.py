"""Reading and parsing one store file, nothing that needs a model: the half of a load that a worker process does
(:mod:`bot.store.worker`), so it imports neither pydantic nor the models. :mod:`bot.store.load` validates."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from bot.store.placement import Placement, place
from bot.store.problems import Problem
from bot.store.yamlsafe import MAX_FILE_BYTES, RawDocument, ReadError, read_document

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def misplaced(relative: str) -> str:
    return (
        "not a place for a store document: use sources.yaml, people/<id>.md, deals/<deal>/deal.yaml, "
        "deals/<deal>/events.yaml or deals/<deal>/topics/<id>.md"
    )


Raw = tuple[Placement, RawDocument, int]  # a file read and parsed, not yet validated: placement, text, mtime
Opened = tuple[Placement, bytes, int]  # a file read, not yet parsed: placement, bytes, mtime


def read_raw(
    root: Path, relative: str, *, max_bytes: int = MAX_FILE_BYTES, folders: RealFolders | None = None
) -> Raw | list[Problem]:
    """The half of :func:`read_file` that needs no model: read and parse (what a load's worker processes do)."""
    opened = open_raw(root, relative, max_bytes=max_bytes, folders=folders)
    if isinstance(opened, list):
        return opened
    placement, data, mtime_ns = opened
    raw = parse_raw(relative, data, max_bytes=max_bytes)
    return raw if isinstance(raw, list) else (placement, raw, mtime_ns)


def open_raw(
    root: Path, relative: str, *, max_bytes: int = MAX_FILE_BYTES, folders: RealFolders | None = None
) -> Opened | list[Problem]:
    """A store file's bytes, once its path, its name and the kind of file it is are found right."""
    placement = place(relative)
    if placement is None:
        return [Problem(relative, 1, misplaced(relative))]
    if not _ID.match(placement.id) or (placement.deal_id and not _ID.match(placement.deal_id)):
        return [Problem(relative, 1, "file and folder names are ids: lower-case letters, digits and hyphens")]
    duplicate = shadowed(root, relative)
    if duplicate is not None:
        return [duplicate]
    opened = read_regular(root, relative, max_bytes, folders)
    if isinstance(opened, Problem):
        return [opened]
    data, mtime_ns = opened
    return placement, data, mtime_ns


def parse_raw(relative: str, data: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> RawDocument | list[Problem]:
    """A file's bytes parsed: its front matter's plain data and its body, or where and why they do not parse.
    It depends on nothing but the path and the bytes, so a parse can be kept and reused (bot.store.parse_cache)."""
    try:
        return read_document(data, markdown=relative.endswith(".md"), max_bytes=max_bytes)
    except ReadError as exc:
        return [Problem(relative, exc.line, exc.message, exc.col)]


def twin(relative: str) -> str | None:
    """The other spelling of a YAML file's name (``deal.yml`` <-> ``deal.yaml``), or None for markdown."""
    stem, dot, suffix = relative.rpartition(".")
    if not dot or suffix not in ("yaml", "yml"):
        return None
    return f"{stem}.{'yml' if suffix == 'yaml' else 'yaml'}"


def shadowed(root: Path, relative: str) -> Problem | None:
    """A ``.yml`` file beside its ``.yaml`` twin: a store has one spelling, and ``.yaml`` is the one that serves
    (otherwise whichever sorted or saved last would silently replace the other)."""
    other = twin(relative)
    if other is None or not relative.endswith(".yml") or not os.path.lexists(root / other):
        return None
    return Problem(relative, 1, f"duplicate of {other.rsplit('/', 1)[-1]}; keep one spelling")


class RealFolders:
    """Which folders of the store are plainly inside it (no symlink on the way), each found out once."""

    def __init__(self, root: Path) -> None:
        self.root = os.fspath(root)
        self.real_root = os.path.realpath(root)
        self._plain: dict[str, bool] = {}

    def plain(self, folder: str) -> bool:
        """``folder`` (store-relative, '' for the root) resolves to itself under the store's real root."""
        found = self._plain.get(folder)
        if found is None:
            expected = os.path.join(self.real_root, folder) if folder else self.real_root
            try:
                found = os.path.realpath(os.path.join(self.root, folder), strict=True) == expected
            except OSError:
                found = False
            self._plain[folder] = found
        return found


_NO_WAIT = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY


def read_regular(
    root: Path, relative: str, max_bytes: int, folders: RealFolders | None = None
) -> tuple[bytes, int] | Problem:
    """The bytes and mtime of a regular file inside the store, never blocking on what is not one.

    Opening a named pipe for reading waits for a writer (forever, and holding whichever thread or event loop
    asked), so the open itself does not wait (O_NONBLOCK) and the kind of file is checked on the open descriptor.
    The usual file, in a folder with no symlink on the way, is opened without following a link (O_NOFOLLOW);
    anything else (a link, a folder that is one) is resolved first and refused if it leads outside the store.
    """
    folders = folders if folders is not None else RealFolders(root)
    folder, _, _ = relative.rpartition("/")
    try:
        fd = -1
        if folders.plain(folder):
            with contextlib.suppress(OSError):  # a link (ELOOP), or gone: the careful way below says which
                fd = os.open(os.path.join(folders.root, relative), _NO_WAIT | os.O_NOFOLLOW)
        if fd < 0:
            resolved = os.path.realpath(os.path.join(folders.root, relative), strict=True)
            if not Path(resolved).is_relative_to(folders.real_root):
                return Problem(relative, 1, "is a link that leads outside the store; refused")
            if not stat.S_ISREG(os.stat(resolved).st_mode):
                return Problem(relative, 1, "not a regular file")
            fd = os.open(resolved, _NO_WAIT)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return Problem(relative, 1, "not a regular file")
            if info.st_size > max_bytes:
                return Problem(relative, 1, f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit")
            # one byte over is enough to say it grew too big; asking for the size (not the limit) spares a 256 KB
            # buffer per file
            want = min(max_bytes, info.st_size) + 1
            data = _read_fd(fd, want)
            if len(data) == want and want <= max_bytes:  # it grew since fstat: the rest, up to the limit
                data += _read_fd(fd, max_bytes + 1 - want)
            return data, info.st_mtime_ns
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(relative, 1, "is a symlink loop; refused")
        return Problem(relative, 1, f"cannot read the file: {exc.strerror or exc}")


def _read_fd(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes, to the end of the file (no file object: a store's load opens thousands)."""
    parts = [os.read(fd, limit)]
    while (size := sum(map(len, parts))) < limit and (more := os.read(fd, limit - size)):
        parts.append(more)  # a short read
    return parts[0] if len(parts) == 1 else b"".join(parts)
