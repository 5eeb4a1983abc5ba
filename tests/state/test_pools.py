"""Commands and the scheduler draw on separate connection pools: one taking every connection of its own leaves
the other working."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bot.state import open_state


async def test_a_busy_command_pool_leaves_the_background_pool_free(tmp_path: Path) -> None:
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db", pool=1, background=1)
    try:
        async with contextlib.AsyncExitStack() as held:
            for _ in range(2):  # the command pool's one connection and its one overflow
                await held.enter_async_context(state.engine.connect())
            background = state.background()
            await asyncio.wait_for(background.put("scheduler", "ran"), timeout=30)
            assert await asyncio.wait_for(background.get("scheduler"), timeout=30) == "ran"
        assert await state.get("scheduler") == "ran"  # the same database
    finally:
        await state.close()


async def test_a_busy_background_pool_leaves_commands_free(tmp_path: Path) -> None:
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db", pool=1, background=1)
    try:
        async with contextlib.AsyncExitStack() as held:
            for _ in range(2):
                await held.enter_async_context(state.background().engine.connect())
            await asyncio.wait_for(state.put("command", "answered"), timeout=30)
    finally:
        await state.close()
