"""The kv store written by several replicas at once (each with its own engine, as separate processes would have):
no writer fails, every replica reads the same value afterwards, and a later write replaces it."""

from __future__ import annotations

import asyncio

from bot.state import State, open_state

REPLICAS = 4
ROUNDS = 20


async def test_concurrent_writers_to_one_key_never_fail_and_the_last_write_wins(db_url: str) -> None:
    replicas: list[State] = []
    try:
        for _ in range(REPLICAS):
            replicas.append(await open_state(db_url))
            await replicas[-1].put("warm-up", "connected")  # a pooled connection each, so the writes below overlap
        for round_ in range(ROUNDS):
            key = f"discord.commands_hash.{round_}"  # a new key: the first write is where select-then-insert races
            values = [f"{round_}:{i}" for i in range(REPLICAS)]
            await asyncio.gather(*(state.put(key, value) for state, value in zip(replicas, values, strict=True)))
            seen = {await state.get(key) for state in replicas}
            assert len(seen) == 1 and seen <= set(values), seen

            await replicas[round_ % REPLICAS].put(key, "later")
            assert [await state.get(key) for state in replicas] == ["later"] * REPLICAS
    finally:
        for state in replicas:
            await state.close()
