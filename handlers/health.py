"""/health: the store's state: documents loaded, last reload, files held at a last good version and why."""

from __future__ import annotations

from bot.commands import Command, CommandSpec
from bot.context import Context
from bot.markup import escape
from bot.reply import Field, Reply, Section
from bot.router import CommandDef

MAX_HELD = 10

SPEC = CommandSpec(
    name="health",
    description="The store's health: documents loaded, last reload, and files held back with their errors.",
    examples=("/health",),
)


async def handle(command: Command, ctx: Context) -> Reply:
    store = ctx.store
    live = ctx.ports.live_store
    held = sorted(live.held.values(), key=lambda h: h.path) if live else []
    fields = [
        Field("Documents", str(len(store.documents))),
        Field("Deals", str(len(store.deals))),
        Field("Loaded", store.loaded_at.strftime("%Y-%m-%d %H:%M UTC")),
        Field("Problems", str(len(store.problems))),
    ]
    sections = [Section(fields=tuple(fields))]
    if held:
        lines = []
        for item in held[:MAX_HELD]:
            serving = "last good version serving" if item.serving_last_good else "not served"
            first = item.problems[0] if item.problems else None
            detail = f": {escape(str(first))}" if first else ""
            lines.append(f"- `{escape(item.path)}` ({serving}){detail}")
        if len(held) > MAX_HELD:
            lines.append(f"- and {len(held) - MAX_HELD} more; run `briefbot check` for all")
        sections.append(Section(heading="Held back", text="\n".join(lines)))
    elif store.problems:
        sections.append(Section(heading="Problems", text="\n".join(f"- {escape(str(p))}" for p in store.problems[:10])))
    else:
        sections.append(Section(text="Every file reads and validates cleanly."))
    return Reply(title="Store health", sections=tuple(sections))


COMMAND = CommandDef(SPEC, handle)
