"""The state database: migrations at start, and the small kv store, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.state import open_state


async def test_migrates_and_persists_across_opens(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nested/state.db"
    state = await open_state(url)
    await state.put("discord.commands_hash", "abc")
    await state.put("discord.commands_hash", "def")
    await state.close()

    again = await open_state(url)  # a second start migrates nothing and keeps the data
    assert await again.get("discord.commands_hash") == "def"
    assert await again.get("missing") is None
    async with again.engine.connect() as conn:
        version = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert version
    await again.close()
