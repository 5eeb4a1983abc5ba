"""/search <words>: full-text search over people, topics, deals and events, ranked."""

from __future__ import annotations

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.markup import escape
from bot.reply import Choice, Reply, Section
from bot.router import CommandDef
from bot.store.text import fold

MAX_HITS = 8

SPEC = CommandSpec(
    name="search",
    description="Full-text search over the whole store, best matches first.",
    params=(Param("words", ParamKind.TEXT, "What to look for", required=True, positional=True),),
    examples=("/search dairy", "/search discount oil", "/search arctic"),
)

_OPEN = {"topic": "/status", "person": "/who", "deal": "/deal", "event": "/timeline"}
_KIND = {"topic": "Topic", "person": "Person", "deal": "Deal", "event": "Event"}


async def handle(command: Command, ctx: Context) -> Reply:
    query = command.arg
    hits = ctx.store.search_index.search(query, viewer=ctx.viewer, limit=MAX_HITS) if fold(query) else []
    shown = escape(" ".join(query.split())[:80])
    if not hits:
        return Reply(
            title="No matches",
            sections=(Section(text=f"Nothing in the store mentions **{shown}**. Try fewer or other words."),),
        )
    sections = []
    choices = []
    for hit in hits:
        kind, _, ref = hit.key.partition(":")
        open_cmd = _open_command(kind, ref)
        snippet = escape(hit.snippet).replace("\\*\\*", "**")
        sections.append(Section(heading=f"{_KIND[kind]}: {hit.title}", text=f"{snippet}\n`{open_cmd}`"))
        choices.append(Choice(hit.title, open_cmd, description=_KIND[kind]))
    return Reply(
        title=f"Search: {' '.join(query.split())[:80]}",
        subtitle=f"{len(hits)} best matches",
        sections=tuple(sections),
        choices=tuple(choices[:5]),
    )


def _open_command(kind: str, ref: str) -> str:
    deal_id, _, item = ref.partition("/")
    if kind == "topic":
        return f"/status {item} deal:{deal_id}"
    if kind == "event":
        return f"/timeline deal:{deal_id}"
    return f"{_OPEN[kind]} {ref}"


COMMAND = CommandDef(SPEC, handle)
