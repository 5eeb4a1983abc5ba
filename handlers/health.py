"""/health: the store's state: documents loaded, last reload, files held at a last good version and why.

A held-back file's problems quote its values: a restricted file is listed only where it may be seen (the targets
on its ``restricted_to``, or its deal's), and elsewhere only counted.
"""

from __future__ import annotations

from bot.commands import Command, CommandSpec
from bot.context import Context
from bot.markup import escape
from bot.reply import Field, Reply, Section
from bot.router import CommandDef
from bot.store.file_scope import file_scope, may_see

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
    shown = [h for h in held if live is not None and may_see(file_scope(live, h.path), ctx.viewer)]
    hidden = len(held) - len(shown)
    fields = [
        Field("Documents", str(len(store.documents))),
        Field("Deals", str(len(store.deals))),
        Field("Loaded", store.loaded_at.strftime("%Y-%m-%d %H:%M UTC")),
        Field("Problems", str(len(store.problems))),
    ]
    sections = [Section(fields=tuple(fields))]
    if held:
        lines = []
        for item in shown[:MAX_HELD]:
            serving = "last good version serving" if item.serving_last_good else "not served"
            first = item.problems[0] if item.problems else None
            detail = f": {escape(str(first))}" if first else ""
            lines.append(f"- `{escape(item.path)}` ({serving}){detail}")
        if len(shown) > MAX_HELD:
            lines.append(f"- and {len(shown) - MAX_HELD} more; run `briefbot check` for all")
        if hidden:
            lines.append(f"- {_restricted(hidden)} held back (shown only where they may be seen)")
        sections.append(Section(heading="Held back", text="\n".join(lines)))
    elif store.problems:
        visible = [p for p in store.problems if live is None or may_see(file_scope(live, p.path), ctx.viewer)]
        lines = [f"- {escape(str(p))}" for p in visible[:10]]
        if len(visible) < len(store.problems):
            lines.append(
                f"- problems in {_restricted(len({p.path for p in store.problems} - {p.path for p in visible}))}"
            )
        sections.append(Section(heading="Problems", text="\n".join(lines)))
    else:
        sections.append(Section(text="Every file reads and validates cleanly."))
    return Reply(title="Store health", sections=tuple(sections))


def _restricted(count: int) -> str:
    return f"{count} restricted file{'s' if count != 1 else ''}"


COMMAND = CommandDef(SPEC, handle)
