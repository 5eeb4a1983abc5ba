"""A large store's files read and parsed in a pool of processes, validated in the caller as they arrive; and its
full-text index's text tokenised the same way.

At 100,000 documents reading and parsing the YAML alone takes longer on one core than the whole start-up may,
so a load of at least ``POOL_FROM`` files hands the reading and parsing (:func:`bot.store.read.read_raw`) to one
worker process per core, in chunks, and validates each chunk's plain parsed data in the calling process while
the workers parse the next ones. A smaller store is read in-process: a pool costs a tenth of a second to start.
Either way each file gives the same document or the same ``path:line: message``. :func:`tokenised` hands chunks of
the full-text index's rows to workers the same way (:mod:`bot.store.search` decides when).

The workers are fresh interpreters (``python -c``, talking pickles over their stdin and stdout), not
``multiprocessing``: a fork would copy the running bot's threads' locks in whatever state they are in, and
multiprocessing's 'spawn' re-runs the caller's main script in each worker, which breaks any script that calls
``load_store`` without an ``if __name__ == "__main__"`` guard. They are the caller's own children, so
``RUSAGE_CHILDREN`` counts their memory. A worker that dies leaves the rest of the load to the caller.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import os
import pickle
import subprocess
import sys
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from bot.store.documents import Document, place
from bot.store.load import discover, read_file, validate
from bot.store.postings import Chunk, Tokenised
from bot.store.problems import Problem
from bot.store.read import RealFolders
from bot.store.worker import Task, run
from bot.store.yamlsafe import RawDocument

log = logging.getLogger(__name__)

# Files. A worker starts in well under 0.1 s (an interpreter importing bot.store.worker, no models): from a few
# thousand files that is paid back on two cores; below, and on a machine busy with other work, a pool gains less.
POOL_FROM = 5_000
CHUNK = 250  # files per task, about: small enough to stream, large enough that a task's overhead is noise
CHUNK_CAP = 4  # a task holds at most CHUNK_CAP * CHUNK files, whatever the paths' hashes say
AHEAD = 3  # tasks queued per worker: parsed but unvalidated data waits in memory, so keep it bounded

_SERVE = "from bot.store.worker import serve; serve()"


def workers_for(files: int, *, at_least: int | None = None) -> int:
    """How many worker processes a load of ``files`` files uses: 0 (read in-process) below ``at_least`` (else
    ``POOL_FROM``) or on one core, else one per core this process may run on."""
    if files < (POOL_FROM if at_least is None else at_least) or not sys.executable:  # no interpreter to start
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cores > 1 else 0


@dataclass
class ReadStats:
    """How a load's files were read: parsed now, or their parse reused from the last load (bot.store.parse_cache)."""

    parsed: int = 0
    reused: int = 0


def read_files(
    root: Path,
    paths: Sequence[str],
    *,
    max_bytes: int,
    workers: int | None = None,
    stats: ReadStats | None = None,
) -> Generator[tuple[str, Document | list[Problem]], None, None]:
    """Each of ``paths`` with its document or its problems, in the order given (``workers``: see
    :func:`workers_for`, which decides when it is None). ``stats`` counts the files parsed and reused."""
    stats = stats if stats is not None else ReadStats()
    count = workers_for(len(paths)) if workers is None else workers
    if count < 1:
        folders = RealFolders(root)
        for relative in paths:
            stats.parsed += 1
            yield relative, read_file(root, relative, max_bytes=max_bytes, folders=folders)
        return
    for relative, parsed in _pooled(root, paths, max_bytes, count, stats):
        if isinstance(parsed, list):
            yield relative, parsed
            continue
        (data, body, yaml_text, line_offset), mtime_ns = parsed
        placement = place(relative)
        assert placement is not None  # read_raw reported a misplaced file as a problem
        raw = RawDocument(data=data, body=body, yaml_text=yaml_text, line_offset=line_offset)
        yield relative, validate(relative, placement, raw, mtime_ns)


def chunked(paths: Sequence[str], *, size: int | None = None) -> list[list[str]]:
    """``paths`` in tasks of about ``size`` (``CHUNK``) files. A task ends after a path whose own hash says so, not
    at a count, so a file added or removed changes only the task it is in, and the parses of every other task
    are found again under the same key (:mod:`bot.store.parse_cache`)."""
    size = size or CHUNK
    chunks: list[list[str]] = [[]]
    for relative in paths:
        chunks[-1].append(relative)
        if zlib.crc32(relative.encode("utf-8", "surrogateescape")) % size == 0 or len(chunks[-1]) >= size * CHUNK_CAP:
            chunks.append([])
    return [chunk for chunk in chunks if chunk]


def _pooled(
    root: Path, paths: Sequence[str], max_bytes: int, workers: int, stats: ReadStats
) -> Iterator[tuple[str, list[Problem] | tuple[tuple[Any, str, str, int], int]]]:
    """Each path with its problems, or its parse and mtime, as the workers read them."""
    from bot.store.parse_cache import folder, sweep

    root_name = os.fspath(root)
    where = folder()
    cache = None if where is None else os.fspath(where)
    tasks = (("read", root_name, chunk, max_bytes, cache) for chunk in chunked(paths))
    for task, answer in _in_order(tasks, workers, "reading the rest of the store in this process", _distrust):
        reused, blob, metadata = answer
        try:
            parses = iter(pickle.loads(blob))
        except Exception:  # a kept entry this code cannot read after all: parse these files here, and replace it
            log.warning("a kept parse of %d files did not load; parsing them again", len(metadata))
            reused, blob, metadata = run((*task, True))
            parses = iter(pickle.loads(blob))
        if reused:
            stats.reused += len(metadata)
        else:
            stats.parsed += len(metadata)
        for relative, read in zip(task[2], metadata, strict=True):
            if isinstance(read, list):
                yield relative, read
            else:
                parse = next(parses)
                yield relative, parse if isinstance(parse, list) else (parse, read)
    if where is not None:  # every entry this load used was just written or marked used
        sweep(where)


def _distrust() -> None:
    from bot.store.yamlrust import stop_using

    stop_using()


def tokenised(chunks: Iterator[Chunk], title_weight: int, *, workers: int) -> Iterator[tuple[Chunk, Tokenised]]:
    """Each chunk of search rows with its :func:`bot.store.postings.tokenise`, in order, done by ``workers``
    processes (a large store's full-text index: tokenising is most of its cost, and all of it in Python)."""
    tasks = (("tokenise", chunk, title_weight) for chunk in chunks)
    for task, result in _in_order(tasks, workers, "tokenising the rest of the store's text in this process"):
        yield task[1], result


def _in_order(
    tasks: Iterator[Task], workers: int, fallback: str, on_stop: Callable[[], None] | None = None
) -> Iterator[tuple[Task, Any]]:
    """Each task with its result, in the order given. Task i goes to worker i % workers, and each worker answers
    in order, so answers are read in task order; at most ``AHEAD`` tasks per worker wait, so what is sent but not
    answered stays bounded. A worker that dies leaves its tasks, and all the rest, to this process (after
    ``on_stop``)."""
    procs = [_start() for _ in range(workers)]
    waiting: collections.deque[tuple[Task, subprocess.Popen[bytes]]] = collections.deque()
    try:
        for task in itertools.islice(tasks, workers * AHEAD):
            proc = procs[len(waiting) % workers]
            _send(proc, task)
            waiting.append((task, proc))
        sent = len(waiting)
        while waiting:
            task, proc = waiting.popleft()
            assert proc.stdout is not None
            try:
                result = pickle.load(proc.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                log.warning("a store worker stopped; %s", fallback)
                if on_stop is not None:
                    on_stop()
                for rest, _ in [(task, proc), *waiting]:
                    yield rest, run(rest)
                for rest in tasks:
                    yield rest, run(rest)
                return
            following = next(tasks, None)
            if following is not None:
                worker = procs[sent % workers]
                _send(worker, following)
                waiting.append((following, worker))
                sent += 1
            yield task, result
    finally:  # also when the caller stops early: an idle worker exits at the end of its input, a busy one on
        for proc in procs:  # its next write to the closed pipe
            for pipe in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    pipe.close()  # type: ignore[union-attr]
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _send(proc: subprocess.Popen[bytes], task: Task) -> None:
    stdin = proc.stdin
    assert stdin is not None
    with contextlib.suppress(OSError):  # a worker gone: reading its answer finds out
        pickle.dump(task, stdin, pickle.HIGHEST_PROTOCOL)
        stdin.flush()


def _start() -> subprocess.Popen[bytes]:
    """A worker running :func:`bot.store.worker.serve`, importing this very copy of ``bot``."""
    here = os.fspath(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, *filter(None, [os.environ.get("PYTHONPATH")])]))
    proc = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    _widen(proc.stdout.fileno())
    return proc


PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process (/proc/sys/fs/pipe-max-size)


def _widen(fd: int) -> None:
    """A chunk's answer (about half a megabyte) fits in the pipe whole: through the default 64 KB pipe, worker and
    caller had to take turns a dozen times per chunk, and on a busy machine every turn waits for the scheduler."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is not None:
        with contextlib.suppress(OSError):  # over this system's ceiling: the default size works, more slowly
            fcntl.fcntl(fd, setsize, PIPE_BYTES)


def load_documents(root: Path, *, max_bytes: int) -> tuple[list[Document], list[Problem]]:
    """Every document of the store at ``root``, and every problem of the files that are not one."""
    paths, problems = discover(root)
    documents: list[Document] = []
    for _, result in read_files(root, paths, max_bytes=max_bytes):
        if isinstance(result, Document):
            documents.append(result)
        else:
            problems.extend(result)
    return documents, problems
