"""/reload (admins): re-read the whole store now; broken files keep their last good version."""

from __future__ import annotations

import asyncio

from bot.commands import Command, CommandSpec
from bot.context import Context
from bot.errors import BriefbotError
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef

SPEC = CommandSpec(
    name="reload",
    description="Re-read every store file now (admins). Broken files keep their last good version.",
    examples=("/reload",),
    admin=True,
    effects=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    live = ctx.ports.live_store
    if live is None:
        raise BriefbotError("This Briefbot has no live store to reload.")
    store = await asyncio.to_thread(live.reload)
    held = live.held
    text = f"Read {len(store.documents)} documents."
    if held:
        text += f" {len(held)} file(s) held back:\n" + "\n".join(
            f"- `{escape(path)}`: {escape(str(h.problems[0]))}" for path, h in sorted(held.items())[:10] if h.problems
        )
    else:
        text += " Everything validates."
    return Reply(title="Store reloaded", sections=(Section(text=text),))


COMMAND = CommandDef(SPEC, handle)
