"""A store worker process: reads and parses files, or tokenises text, for a load in its parent (bot.store.pool).

It imports only what its task needs (a tokenising worker neither pydantic nor the models), so it starts in a
fraction of the bot's own start-up.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import IO, Any

from bot.store.problems import Problem

Task = tuple[Any, ...]  # (kind, *arguments): what :func:`run` does
# What parsing one file gives: its problems, or its parsed data, markdown body, YAML text and the YAML's line
# offset (plain values: a tuple pickles faster than the dataclasses the caller rebuilds).
Parse = list[Problem] | tuple[Any, str, str, int]
# What a worker sends back for a chunk: whether the parses were kept from an earlier load, the parses of the files
# it could read (pickled once: the same bytes are kept in the cache and sent as they are), and for each path
# either the problems that kept it from being read or its mtime.
ReadAnswer = tuple[bool, bytes, list[list[Problem] | int]]


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """A worker's loop: read a task, answer it, until the input ends.

    Tasks are read by a thread of their own as soon as they come, so the caller's writes never wait for this
    worker to finish writing an answer: a task can be larger than a pipe holds (a chunk of text to tokenise), and
    a caller blocked on sending it while this worker is blocked on an answer the caller has not read yet would
    wait forever."""
    import gc
    import queue
    import signal
    import threading

    gc.disable()  # one task's objects at a time, freed by reference counting: the cyclic collector only slows it
    # Ctrl-C reaches the whole process group: the caller stops, and its closed pipes end the worker quietly
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    received: queue.SimpleQueue[Task | None] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                received.put(pickle.load(source))
        except (EOFError, OSError, pickle.UnpicklingError):
            received.put(None)

    threading.Thread(target=receive, daemon=True).start()
    while (task := received.get()) is not None:
        try:
            pickle.dump(run(task), sink, pickle.HIGHEST_PROTOCOL)
            sink.flush()
        except BrokenPipeError:  # the caller stopped reading
            return


def run(task: Task) -> Any:
    """What a worker does with a task, by its kind; the caller does the same when a worker is gone."""
    kind, *args = task
    if kind == "read":
        return read_chunk(*args)
    if kind == "tokenise":
        from bot.store.postings import tokenise

        return tokenise(*args)
    raise ValueError(f"unknown task {kind!r}")


def read_chunk(
    root: str, paths: list[str], max_bytes: int, cache: str | None = None, fresh: bool = False
) -> ReadAnswer:
    """Read and parse each file (:func:`bot.store.read.read_raw`), nothing that needs a model. The parses come
    from ``cache`` (:mod:`bot.store.parse_cache`) when these very bytes were parsed before (unless ``fresh``: the
    kept ones did not load), and are kept there."""
    from bot.store.read import RealFolders, open_raw, parse_raw

    base, folders = Path(root), RealFolders(Path(root))
    opened = [open_raw(base, relative, max_bytes=max_bytes, folders=folders) for relative in paths]
    readable = [(relative, read[1]) for relative, read in zip(paths, opened, strict=True) if not isinstance(read, list)]
    metadata = [read if isinstance(read, list) else read[2] for read in opened]
    entry: tuple[Path, str] | None = None
    if cache is not None and readable:
        from bot.store.parse_cache import entry_name, kept

        entry = Path(cache), entry_name(readable, max_bytes)
        parsed_before = None if fresh else kept(*entry)
        if parsed_before is not None:
            return True, parsed_before, metadata
    parses: list[Parse] = []
    for relative, data in readable:
        raw = parse_raw(relative, data, max_bytes=max_bytes)
        parses.append(raw if isinstance(raw, list) else (raw.data, raw.body, raw.yaml_text, raw.line_offset))
    blob = pickle.dumps(parses, pickle.HIGHEST_PROTOCOL)
    if entry is not None:
        from bot.store.parse_cache import keep

        keep(*entry, blob)
    return False, blob, metadata
