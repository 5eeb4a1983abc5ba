"""/healthz answers while a burst of commands holds every connection of the commands' pool (issue 22)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from bot.health import Health, PartState
from bot.runtime import probe_state
from bot.state import open_state


async def test_the_state_probe_answers_while_commands_hold_every_connection(tmp_path: Path) -> None:
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db", pool=2)
    health = Health()
    health.probe("state", lambda: probe_state(state))
    try:
        async with contextlib.AsyncExitStack() as held:
            for _ in range(4):  # the pool and its overflow, as a burst of commands takes them
                await held.enter_async_context(state.engine.connect())
            healthy, body = await health.report_json()
        assert healthy, body
        assert body["parts"]["state"]["state"] == PartState.OK.value
    finally:
        await state.close()
