"""Fixtures shared by the whole suite: the bundled store, the second test store, and a ready router."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.config import BUNDLED_STORE
from bot.context import Context
from bot.render_text import render_text
from bot.reply import Reply
from bot.router import Router
from bot.store import Store, load_store
from bot.targets import CONSOLE, Target
from handlers import CORE_COMMANDS
from tests.scheduler.pg import pg_server, pg_url  # noqa: F401  (fixtures: one PostgreSQL for the whole session)

AS_OF = dt.date(2025, 5, 2)  # the bundled store is frozen at about 2025-05-01
SECOND_STORE = Path(__file__).parent / "fixtures" / "second_store"


@pytest.fixture(autouse=True)
def _private_store_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefbot ask` keeps a compiled store in the user's cache folder (bot.store.cache): never the real one."""
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", str(tmp_path_factory.mktemp("store-cache")))


@pytest.fixture(scope="session")
def store() -> Store:
    loaded = load_store(BUNDLED_STORE)
    assert not loaded.problems, "\n".join(map(str, loaded.problems))
    return loaded


@pytest.fixture(scope="session")
def second_store() -> Store:
    loaded = load_store(SECOND_STORE)
    assert not loaded.problems, "\n".join(map(str, loaded.problems))
    return loaded


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled store, for tests that break or edit files."""
    target = tmp_path / "store"
    shutil.copytree(BUNDLED_STORE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture(scope="session")
def router() -> Router:
    return Router(CORE_COMMANDS)


Ask = Callable[..., Coroutine[Any, Any, Reply]]


def make_ask(router: Router, store: Store) -> Ask:
    async def ask(
        text: str,
        *,
        target: Target = CONSOLE,
        today: dt.date = AS_OF,
        default_deal: str | None = None,
        is_admin: bool = False,
    ) -> Reply:
        ctx = Context(
            store=store, today=today, target=target, default_deal=default_deal, is_admin=is_admin, specs=router.specs
        )
        return await router.handle_text(text, ctx)

    return ask


@pytest.fixture
def ask(router: Router, store: Store) -> Ask:
    return make_ask(router, store)


@pytest.fixture
def ask_second(router: Router, second_store: Store) -> Ask:
    return make_ask(router, second_store)


def text_of(reply: Reply) -> str:
    return render_text(reply)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a real SQLite file and on a real PostgreSQL on loopback."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/state.db"
    url: str = request.getfixturevalue("pg_url")
    return url
