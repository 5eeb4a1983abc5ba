"""A real PostgreSQL server for the tests: Debian's binaries, a temporary data directory, loopback only.

As root (these machines), ``initdb`` and ``postgres`` run as the ``postgres`` user through ``runuser`` on a
directory that user owns; as anyone else they run as that user. The server listens on 127.0.0.1 and a free port,
its Unix socket in the temporary directory, and is stopped when the session ends.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

READY = "database system is ready to accept connections"
_names = itertools.count()


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


@dataclass
class PgServer:
    bin: Path
    port: int
    as_user: list[str]

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"briefbot_{os.getpid()}_{next(_names)}"
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return self.url(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries (apt-get install postgresql); the PostgreSQL tests cannot run")
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        owner = pwd.getpwnam("postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data = root / "data"
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            *as_user,
            str(bin_dir / "postgres"),
            "-D", str(data),
            "-h", "127.0.0.1",
            "-p", str(port),
            "-k", str(root),
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=100",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        deadline = time.monotonic() + 30
        log: list[str] = []
        while time.monotonic() < deadline:
            line = server.stderr.readline()
            if not line:
                raise RuntimeError("PostgreSQL exited during start:\n" + "".join(log))
            log.append(line)
            if READY in line:
                break
        else:
            raise RuntimeError("PostgreSQL did not start within 30 s:\n" + "".join(log))
        # keep draining its log so the pipe never fills and blocks the server
        drain = subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)
        server.stderr.close()
        yield PgServer(bin_dir, port, as_user)
    finally:
        _fast_shutdown(server, data)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if "drain" in locals():
            drain.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


def _fast_shutdown(server: subprocess.Popen[str], data: Path) -> None:
    """SIGINT to the postmaster itself (runuser does not pass signals on): a fast shutdown, clients or not."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGINT)
    except (OSError, ValueError, IndexError):
        server.terminate()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty database on the session's server."""
    return pg_server.create_database()
