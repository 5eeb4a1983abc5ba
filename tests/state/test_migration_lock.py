"""Replicas started together on one new SQLite file: each migrates or waits for the one that does, none fails.

Three real processes, each with its own engine. They import everything once, then per round block on stdin until
the test writes the round's fresh database URL to all of them at once (the barrier), open it, and answer on stdout.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.state import open_state
from bot.state.db import MIGRATIONS
from bot.state.tables import metadata
from tests.scheduler.pg import PgServer

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 3
ROUNDS = 12

CHILD = """
import asyncio, json, sys, traceback
from bot.state import open_state

async def start(url: str) -> None:
    state = await open_state(url)
    await state.close()

print("ready", flush=True)
for line in sys.stdin:
    try:
        asyncio.run(start(line.strip()))
        print(json.dumps("ok"), flush=True)
    except Exception:
        print(json.dumps(traceback.format_exc()), flush=True)
"""


@pytest.fixture
def replicas() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    try:
        for _ in range(REPLICAS):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", CHILD],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        yield procs
    finally:
        for proc in procs:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.close()  # end of input: the child's loop ends and it exits
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def start_together(procs: list[subprocess.Popen[str]], url: str) -> list[str]:
    """Release every process onto ``url`` at once; what each reports ("ok" or its traceback)."""
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(url + "\n")
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.flush()
    answers = []
    for proc in procs:
        assert proc.stdout is not None
        answers.append(str(json.loads(proc.stdout.readline())))
    return answers


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_replicas_starting_together_on_a_new_sqlite_file_all_start(
    replicas: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    assert_all_start([f"sqlite+aiosqlite:///{tmp_path}/round{n}/state.db" for n in range(ROUNDS)], replicas)


@pytest.mark.postgres
def test_replicas_starting_together_on_a_new_postgresql_database_all_start(
    replicas: list[subprocess.Popen[str]], pg_server: PgServer
) -> None:
    assert_all_start([pg_server.create_database() for _ in range(3)], replicas)


def assert_all_start(urls: list[str], replicas: list[subprocess.Popen[str]]) -> None:
    head = head_revision()
    for round_, url in enumerate(urls):
        failures = [answer for answer in start_together(replicas, url) if answer != "ok"]
        assert not failures, f"round {round_}: {len(failures)} of {REPLICAS} failed:\n" + "\n".join(failures)
        version, tables = asyncio.run(_version_and_tables(url))
        assert version == head
        assert set(metadata.tables) <= tables


async def _version_and_tables(url: str) -> tuple[str, set[str]]:
    state = await open_state(url, migrate=False)
    try:
        async with state.engine.connect() as conn:
            version = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar_one()
            tables = set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
    finally:
        await state.close()
    return str(version), tables
