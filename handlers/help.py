"""/help: what each command does, with examples drawn from the store itself."""

from __future__ import annotations

from bot.commands import Command, CommandSpec, Param, ParamKind, command_name, with_prefix
from bot.context import Context
from bot.i18n import gettext_for
from bot.markup import escape
from bot.reply import Choice, Reply, Section
from bot.router import CommandDef
from bot.store.index import EntityKind
from bot.store.localize import localize
from handlers.common import implied_deal
from handlers.language import LANG_PARAM, language_of

SPEC = CommandSpec(
    name="help",
    description="What each command does, with examples.",
    params=(Param("command", ParamKind.TEXT, "A command to explain in detail", positional=True), LANG_PARAM),
    examples=("/help", "/help status", "/help lang:fr"),
)


async def handle(command: Command, ctx: Context) -> Reply:
    lang = language_of(command, ctx)
    _ = gettext_for(lang)  # command and option descriptions are message ids too (see tests/test_i18n_catalog.py)
    specs = ctx.specs
    live = _live_examples(ctx)
    wanted = command_name(command.arg, ctx.prefix)
    if wanted:
        spec = specs.get(wanted)
        if spec is None:
            return Reply(
                title=_("No /{name} command").format(name=escape(wanted[:40])),
                sections=(Section(text=_("Commands: {names}").format(names=", ".join(f"`/{n}`" for n in specs))),),
                language=lang,
            )
        params = "\n".join(
            f"- `{p.name}`{'' if p.positional else ':…'}: {escape(_(p.description))}"
            + (_(" (required)") if p.required else "")
            for p in spec.params
        )
        examples = [with_prefix(e, ctx.prefix) for e in (*live.get(spec.name, ()), *spec.examples)]
        usage = _("**Usage:** {usage}").format(usage=f"`{with_prefix(spec.usage(), ctx.prefix)}`")
        text = f"{escape(_(spec.description))}\n\n{usage}\n\n{params}"
        return Reply(
            title=with_prefix(f"/{spec.name}", ctx.prefix),
            sections=(Section(text=text),),
            choices=tuple(Choice(e, e) for e in dict.fromkeys(examples)),
            language=lang,
        )
    lines = []
    for spec in specs.values():
        example = with_prefix((live.get(spec.name) or spec.examples or (f"/{spec.name}",))[0], ctx.prefix)
        described = _("{description} e.g. {example}").format(
            description=escape(_(spec.description)), example=f"`{example}`"
        )
        lines.append(f"- `{with_prefix('/' + spec.name, ctx.prefix)}`: {described}")
    deals = localize(ctx.store, lang).index.entities(EntityKind.DEAL, viewer=ctx.viewer)
    deal_line = ", ".join(f"{escape(d.label)} (`{d.id}`)" for d in deals[:10]) or _("none yet")
    text = _(
        "Names are forgiving: aliases, surnames and small typos all work. Options go after the main argument, "
        "as `deal:ID`, `date:YYYY-MM-DD` or `since:YYYY-MM-DD`; `lang:fr` answers in French."
    )
    return Reply(
        title=_("Briefbot commands"),
        sections=(Section(text="\n".join(lines)), Section(text=text), Section(heading=_("Deals"), text=deal_line)),
        choices=tuple(Choice(e[0], e[0]) for e in live.values() if e)[:5],
        language=lang,
    )


def _live_examples(ctx: Context) -> dict[str, tuple[str, ...]]:
    """Examples that work against this very store: its first topic and person, its deal."""
    deal = implied_deal(ctx)
    index = ctx.store.index
    topics = index.entities(EntityKind.TOPIC, deal.id if deal else None, viewer=ctx.viewer)
    people = index.entities(EntityKind.PERSON, viewer=ctx.viewer)
    out: dict[str, tuple[str, ...]] = {}
    if topics:
        out["status"] = (f"/status {topics[0].id}",)
        out["timeline"] = (f"/timeline {topics[0].id}",)
    if people:
        person = ctx.store.people[people[0].id].person
        out["who"] = (f"/who {(person.aliases or [people[0].id])[0]}",)
    if deal:
        out["deal"] = ("/deal",)
        out["brief"] = ("/brief",)
    return out


COMMAND = CommandDef(SPEC, handle)
