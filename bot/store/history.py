"""The store's history, read from git when the store is a git checkout: a document's revisions and the whole store
as it stood at a date.

Everything goes through the ``git`` command line in a subprocess (never blocking the event loop): ``git log`` for
the revisions, ``git ls-tree`` for a commit's files, and one ``git cat-file --batch`` per request for the contents.
A file's contents are parsed with the store's own loader and kept by blob id (a blob never changes, so the cache
never goes stale); a whole store is kept by commit. Logs are kept by the HEAD they were read at.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from bot.store.documents import Document, place
from bot.store.gitsync import GitError
from bot.store.load import IGNORED_NAMES, parse_document
from bot.store.problems import Problem
from bot.store.store import Store, build
from bot.store.yamlsafe import MAX_FILE_BYTES

log = logging.getLogger(__name__)

_FIELD = "\x1f"
_RECORD = "\x1e"
_FORMAT = f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%an{_FIELD}%s"

K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A bounded cache: the least recently used entry goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    when: dt.datetime  # the committer date, in the committer's own offset: when the change landed
    author: str
    subject: str

    @property
    def day(self) -> dt.date:
        return self.when.date()


@dataclass(frozen=True, slots=True)
class Revision:
    """One commit that touched a document: the file as it was then (a Document), why it did not load (problems),
    or None when that commit deleted it."""

    commit: Commit
    path: str  # store-relative, as it was named at that commit (a rename changes it)
    document: Document | list[Problem] | None


@dataclass(frozen=True, slots=True)
class DatedStore:
    """The store as it was at the last commit on or before a day."""

    store: Store
    commit: Commit
    live: bool  # that commit is the one in service: the live store answers


async def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    process = await asyncio.create_subprocess_exec(
        "git",
        "-C",
        str(root),
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"},  # read-only: take no index lock
    )
    out, err = await process.communicate(stdin)
    if process.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} failed: {err.decode(errors='replace').strip()[:300]}")
    return out


def _commit(fields: Sequence[str]) -> Commit:
    sha, when, author, subject = fields
    return Commit(sha, dt.datetime.fromisoformat(when), author, subject)


def _listed(relative: str) -> bool:
    """The files the loader reads (as ``load.discover``): no hidden names or folders, no README, md and yaml only."""
    parts = relative.split("/")
    if any(p.startswith(".") for p in parts) or parts[-1].endswith("~") or parts[-1] in IGNORED_NAMES:
        return False
    return parts[-1].endswith((".md", ".yaml", ".yml"))


class GitHistory:
    """The history port of a store rooted at ``root`` (the store may be a subfolder of the checkout)."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int = MAX_FILE_BYTES,
        parsed_cache: int = 20_000,
        store_cache: int = 4,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._prefix: str | None = None  # the store's folder inside the checkout; None until asked
        self._available: bool | None = None
        self._parsed: _Lru[tuple[str, str], Document | list[Problem]] = _Lru(parsed_cache)
        self._logs: _Lru[tuple[str, str], list[Revision]] = _Lru(256)
        self._commits: _Lru[str, list[Commit]] = _Lru(4)
        self._stores: _Lru[str, Store] = _Lru(store_cache)

    async def available(self) -> bool:
        """The store is inside a git checkout (asked once)."""
        if self._available is None:
            try:
                self._prefix = (await _git(self.root, "rev-parse", "--show-prefix")).decode().strip()
                await _git(self.root, "rev-parse", "--verify", "--quiet", "HEAD")
                self._available = True
            except (GitError, OSError) as exc:
                log.info("no store history: %s is not a git checkout with commits (%s)", self.root, exc)
                self._available = False
        return self._available

    async def head(self) -> str:
        return (await _git(self.root, "rev-parse", "HEAD")).decode().strip()

    async def revisions(self, path: str) -> list[Revision]:
        """Every commit that touched the document now at ``path``, oldest first, across renames."""
        if not await self.available():
            return []
        head = await self.head()
        cached = self._logs.get((head, path))
        if cached is not None:
            return cached
        out = await _git(self.root, "log", "--follow", "--no-abbrev", "--raw", _FORMAT, "--", path)
        entries: list[tuple[Commit, str, str | None]] = []
        for record in out.decode(errors="replace").split(_RECORD)[1:]:
            header, _, raw = record.partition("\n")
            commit = _commit(header.split(_FIELD))
            for line in raw.splitlines():
                if not line.startswith(":"):
                    continue
                meta, _, names = line.partition("\t")
                fields = meta.split()
                status, new_blob = fields[4], fields[3]
                name = names.split("\t")[-1]  # a rename lists the old name, then the new one
                entries.append((commit, self._relative(name), None if status.startswith("D") else new_blob))
                break
        entries.reverse()
        parsed = await self._parse((p, b) for _, p, b in entries if b is not None)
        revisions = [Revision(c, p, parsed[(p, b)] if b is not None else None) for c, p, b in entries]
        self._logs.put((head, path), revisions)
        return revisions

    async def commits(self) -> list[Commit]:
        """Every commit that touched the store, newest first (kept by HEAD)."""
        head = await self.head()
        cached = self._commits.get(head)
        if cached is None:
            out = await _git(self.root, "log", _FORMAT.replace(_RECORD, ""), "-z", "--", ".")
            cached = [_commit(r.split(_FIELD)) for r in out.decode(errors="replace").split("\x00") if r.strip()]
            self._commits.put(head, cached)
        return cached

    async def store_at(self, day: dt.date, *, live: Store | None = None) -> DatedStore | None:
        """The store at the last commit on or before ``day``; None without history or before the first commit.

        When that commit is the newest, ``live`` (the store in service) answers as it is."""
        if not await self.available():
            return None
        commits = await self.commits()
        commit = next((c for c in commits if c.day <= day), None)
        if commit is None:
            return None
        if live is not None and commit is commits[0]:
            return DatedStore(live, commit, live=True)
        store = self._stores.get(commit.sha)
        if store is None:
            store = await self._build(commit.sha)
            self._stores.put(commit.sha, store)
        return DatedStore(store, commit, live=False)

    async def _build(self, sha: str) -> Store:
        out = await _git(self.root, "ls-tree", "-r", "-z", f"{sha}:{self._prefix or ''}")
        wanted: list[tuple[str, str]] = []
        problems: list[Problem] = []
        for entry in out.decode(errors="replace").split("\x00"):
            meta, _, name = entry.partition("\t")
            fields = meta.split()
            if len(fields) != 3 or fields[1] != "blob" or fields[0] == "120000" or not _listed(name):
                continue  # a symlink's blob is its target's name, not a document
            if place(name) is None:
                problems.append(Problem(name, 1, "not a place for a store document"))
            else:
                wanted.append((name, fields[2]))
        parsed = await self._parse(wanted)
        documents = []
        for key in wanted:
            result = parsed[key]
            if isinstance(result, Document):
                documents.append(result)
            else:
                problems.extend(result)
        return await asyncio.to_thread(build, self.root, documents, problems)

    async def _parse(self, files: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Document | list[Problem]]:
        """Parsed contents of (path, blob) pairs: cached ones from the cache, the rest read in one cat-file."""
        found: dict[tuple[str, str], Document | list[Problem]] = {}
        missing: list[tuple[str, str]] = []
        for key in files:
            cached = self._parsed.get(key)
            if cached is not None:
                found[key] = cached
            elif key not in found:
                missing.append(key)
        if missing:
            blobs = list(dict.fromkeys(b for _, b in missing))
            out = await _git(self.root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode())
            contents = _split_batch(out)
            results = await asyncio.to_thread(
                lambda: {(p, b): parse_document(p, contents[b], max_bytes=self.max_bytes) for p, b in missing}
            )
            for key, result in results.items():
                self._parsed.put(key, result)
                found[key] = result
        return found

    def _relative(self, name: str) -> str:
        return name.removeprefix(self._prefix or "")


def _split_batch(out: bytes) -> dict[str, bytes]:
    """``git cat-file --batch`` output: ``<sha> <type> <size>\\n<contents>\\n`` per object."""
    contents: dict[str, bytes] = {}
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].decode().split()
        if len(header) < 3:  # "<sha> missing"
            at = end + 1
            continue
        size = int(header[2])
        contents[header[0]] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return contents
