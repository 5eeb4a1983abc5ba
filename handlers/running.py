"""Helpers for the handlers that need the running bot's parts (state, scheduler), through the context's ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.context import Context
from bot.errors import BriefbotError

if TYPE_CHECKING:
    from bot.state import State


@asynccontextmanager
async def state_of(ctx: Context, what: str = "This command") -> AsyncIterator[State]:
    """The state database for the length of a command, or a clear error where this process has none."""
    if ctx.ports.state is None:
        raise BriefbotError(f"{what} needs the running bot and its state database.")
    async with ctx.ports.state() as state:
        yield state


async def apply_now(ctx: Context) -> None:
    """Apply a subscription change on this replica now; the others pick it up on their next reload (within a
    minute)."""
    if ctx.ports.scheduler is not None:
        await ctx.ports.scheduler.reload()
