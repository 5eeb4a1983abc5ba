"""Fixtures for the state tests: the same test on a real SQLite file and on a real PostgreSQL on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scheduler.pg import pg_server, pg_url  # noqa: F401  (fixtures)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/state.db"
    url: str = request.getfixturevalue("pg_url")
    return url
