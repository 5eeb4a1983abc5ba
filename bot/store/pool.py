"""A large store's files read and parsed in a pool of processes, validated in the caller as they arrive.

At 100,000 documents reading and parsing the YAML alone takes longer on one core than the whole start-up may,
so a load of at least ``POOL_FROM`` files hands the reading and parsing (:func:`bot.store.load.read_raw`) to one
worker process per core, in chunks, and validates each chunk's plain parsed data in the calling process while
the workers parse the next ones. A smaller store is read in-process, as before: a pool costs a few hundred
milliseconds to start. Either way each file gives the same document or the same ``path:line: message``.

The workers are fresh interpreters (``python -c``, talking pickles over their stdin and stdout), not
``multiprocessing``: a fork would copy the running bot's threads' locks in whatever state they are in, and
multiprocessing's 'spawn' re-runs the caller's main script in each worker, which breaks any script that calls
``load_store`` without an ``if __name__ == "__main__"`` guard. They are the caller's own children, so
``RUSAGE_CHILDREN`` counts their memory. A worker that dies leaves the rest of the load to the caller.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from bot.store.documents import Document, place
from bot.store.load import RealFolders, discover, read_file, read_raw, validate
from bot.store.problems import Problem
from bot.store.yamlsafe import RawDocument

log = logging.getLogger(__name__)

# Files. Two workers take about 0.3 s to start (an interpreter each, importing the store's modules): below some
# 10,000 files that eats what they save on two cores, and on a machine busy with other work a pool gains less.
POOL_FROM = 20_000
CHUNK = 250  # files per task: small enough to stream, large enough that a task's overhead is noise
AHEAD = 3  # tasks queued per worker: parsed but unvalidated data waits in memory, so keep it bounded

# What a worker sends back for one file: its problems, or its parsed data, markdown body, YAML text, the YAML's
# line offset and mtime (plain values: a tuple pickles faster than the dataclasses the caller rebuilds).
Parsed = list[Problem] | tuple[Any, str, str, int, int]
_SERVE = "from bot.store.pool import serve; serve()"


def workers_for(files: int) -> int:
    """How many worker processes a load of ``files`` files uses: 0 (read in-process) below ``POOL_FROM`` or on
    one core, else one per core this process may run on."""
    if files < POOL_FROM or not sys.executable:  # no interpreter to start (an embedded Python)
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cores > 1 else 0


def read_files(
    root: Path, paths: Sequence[str], *, max_bytes: int, workers: int | None = None
) -> Generator[tuple[str, Document | list[Problem]], None, None]:
    """Each of ``paths`` with its document or its problems, in the order given (``workers``: see
    :func:`workers_for`, which decides when it is None)."""
    count = workers_for(len(paths)) if workers is None else workers
    if count < 1:
        folders = RealFolders(root)
        for relative in paths:
            yield relative, read_file(root, relative, max_bytes=max_bytes, folders=folders)
        return
    for relative, parsed in _pooled(root, paths, max_bytes, count):
        if isinstance(parsed, list):
            yield relative, parsed
            continue
        data, body, yaml_text, line_offset, mtime_ns = parsed
        placement = place(relative)
        assert placement is not None  # read_raw reported a misplaced file as a problem
        raw = RawDocument(data=data, body=body, yaml_text=yaml_text, line_offset=line_offset)
        yield relative, validate(relative, placement, raw, mtime_ns)


def _pooled(root: Path, paths: Sequence[str], max_bytes: int, workers: int) -> Iterator[tuple[str, Parsed]]:
    """Chunk i goes to worker i % workers; each answers its tasks in order, so results are read in path order."""
    chunks = [list(paths[i : i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    procs = [_start() for _ in range(workers)]
    try:
        sent = 0

        def send() -> None:
            nonlocal sent
            if sent < len(chunks):
                stdin = procs[sent % workers].stdin
                assert stdin is not None
                with contextlib.suppress(OSError):  # a worker gone: reading its answer finds out, below
                    pickle.dump((os.fspath(root), chunks[sent], max_bytes), stdin, pickle.HIGHEST_PROTOCOL)
                    stdin.flush()
                sent += 1

        for _ in range(workers * AHEAD):
            send()
        for number, chunk in enumerate(chunks):
            stdout = procs[number % workers].stdout
            assert stdout is not None
            try:
                results: list[Parsed] = pickle.load(stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                log.warning("a store-reading worker stopped; reading the rest of the store in this process")
                for rest in chunks[number:]:
                    yield from zip(rest, _read_chunk(os.fspath(root), rest, max_bytes), strict=True)
                return
            send()
            yield from zip(chunk, results, strict=True)
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


def _start() -> subprocess.Popen[bytes]:
    """A worker running this module's :func:`serve`, importing this very copy of ``bot``."""
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


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """A worker's loop: read a task (root, paths, max_bytes), answer its parsed files, until the input ends."""
    import gc
    import signal

    gc.disable()  # one chunk's objects at a time, freed by reference counting: the cyclic collector only slows it
    # Ctrl-C reaches the whole process group: the caller stops, and its closed pipes end the worker quietly
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    while True:
        try:
            root, paths, max_bytes = pickle.load(stdin)
        except EOFError:
            return
        try:
            pickle.dump(_read_chunk(root, paths, max_bytes), stdout, pickle.HIGHEST_PROTOCOL)
            stdout.flush()
        except BrokenPipeError:  # the caller stopped reading
            return


def _read_chunk(root: str, paths: list[str], max_bytes: int) -> list[Parsed]:
    """In a worker: read and parse each file (:func:`bot.store.load.read_raw`), nothing that needs a model."""
    base, folders = Path(root), RealFolders(Path(root))
    out: list[Parsed] = []
    for relative in paths:
        read = read_raw(base, relative, max_bytes=max_bytes, folders=folders)
        if isinstance(read, list):
            out.append(read)
        else:
            _, raw, mtime_ns = read
            out.append((raw.data, raw.body, raw.yaml_text, raw.line_offset, mtime_ns))
    return out


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
