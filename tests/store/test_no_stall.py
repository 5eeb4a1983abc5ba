"""A reload never holds up a command: it runs in a worker thread and the old store answers until the swap."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from pathlib import Path

from bot.context import Context, Ports
from bot.render_text import render_text
from bot.router import Router
from bot.store.live import LiveStore, StoreEvent
from handlers import ALL_COMMANDS
from tests.store.minimal import FILES, write_store

FISH = "deals/north-south/topics/fish.md"
ADA = "people/ada-lind.md"


async def ask(router: Router, live: LiveStore, text: str) -> str:
    ctx = Context(store=live.current, today=dt.date(2025, 5, 2), is_admin=True, ports=Ports(live_store=live))
    return render_text(await router.handle_text(text, ctx))


async def test_a_command_is_answered_from_the_old_store_while_a_reload_is_held(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    router = Router(ALL_COMMANDS)
    loop = asyncio.get_running_loop()
    in_worker = asyncio.Event()
    release = threading.Event()

    def hold(event: StoreEvent) -> None:  # a store listener runs in the reload's worker thread, before the swap
        if event.kind == "held":
            loop.call_soon_threadsafe(in_worker.set)
            release.wait(timeout=30)

    live.subscribe(hold)
    (tmp_path / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Quotas agreed."))
    (tmp_path / ADA).write_text("---\nname: [unclosed\n---\n")
    reload = asyncio.create_task(ask(router, live, "/reload"))
    try:
        await asyncio.wait_for(in_worker.wait(), timeout=30)
        answer = await asyncio.wait_for(ask(router, live, "/status fish"), timeout=30)
        assert "How much each side may catch." in answer
        assert not reload.done()
    finally:
        release.set()
    assert "held back" in await reload
    assert "Quotas agreed." in await ask(router, live, "/status fish")


def test_the_swapped_in_store_has_its_indexes_built(tmp_path: Path) -> None:
    """The first command after a reload must not build the lookup or full-text index on the event loop."""
    live = LiveStore(write_store(tmp_path))
    assert {"index", "search_index"} <= set(vars(live.current))
    (tmp_path / FISH).write_text(FILES[FISH].replace("How much each side may catch.", "Quotas agreed."))
    live.apply([FISH])
    assert {"index", "search_index"} <= set(vars(live.current))
    assert live.current.search_index.search("quotas agreed")[0].key == "topic:north-south/fish"
    live.reload()
    assert {"index", "search_index"} <= set(vars(live.current))
