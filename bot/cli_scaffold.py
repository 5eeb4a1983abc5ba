"""``briefbot new topic|person|deal|event``: a new store document written from the schema, with values from flags
(or prompts at a terminal), refused when its id, title or alias clashes, and taken back out if the store's checks
fail on it.

Registered from :mod:`bot.cli`; like every one-shot command, each imports what it uses when it runs.
"""

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_args import ConfigOpt, StoreOpt, fail, settings_from

if TYPE_CHECKING:
    from bot.store import Store
    from bot.store.scaffold import Scaffold


new_app = typer.Typer(
    help="Write a new store document from the schema: topic, person, deal or event.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="A people id with a contact, or a target.")]
EveryOpt = Annotated[str | None, typer.Option("--review-every", help="How often to review: 30d, 6w.")]
SourceOpt = Annotated[list[str] | None, typer.Option("--source", help="A source id from sources.yaml (repeat).")]


def _ask(
    value: str | None, label: str, *, required: bool = True, default: str | None = None, flag: str | None = None
) -> str | None:
    """The flag's value; else, at a terminal, a prompt; else a clear refusal naming the missing flag."""
    if value:
        return value
    if sys.stdin.isatty():
        answer: str = typer.prompt(label, default=default if default is not None else ("" if not required else None))
        return answer.strip() or None
    if required and default is None:
        fail(f"{flag or '--' + label.lower()} is required (or run at a terminal to be asked)")
    return default


def _must(value: str | None, label: str, *, default: str | None = None, flag: str | None = None) -> str:
    found = _ask(value, label, default=default, flag=flag)
    if not found:
        fail(f"{flag or '--' + label.lower()} is required")
    return found


def _write(root: Path, build: "Callable[[Store], Scaffold]") -> None:
    """Build against the loaded store, write, then check the store: a new file with problems is taken back out."""
    from bot.cli_checks import not_a_store
    from bot.store import load_store
    from bot.store.scaffold import ScaffoldError

    if (why := not_a_store(root)) is not None:
        fail(why)
    before = load_store(root)
    try:
        made = build(before)
    except ScaffoldError as exc:
        fail(str(exc))
    path = root / made.path
    previous = path.read_text(encoding="utf-8") if made.append else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(made.text, encoding="utf-8")
    problems = [p for p in load_store(root).problems if p.path == made.path]
    if problems:
        if previous is None:
            path.unlink()
        else:
            path.write_text(previous, encoding="utf-8")
        for problem in problems:
            typer.echo(str(problem), err=True)
        fail(f"{made.path} not written: fix the values above and run the command again", 1)
    typer.echo(f"wrote {made.path}")


def _today(config: Path | None, store: Path | None) -> tuple[Path, dt.date]:
    from bot.clock import Clock

    settings = settings_from(config, store)
    return settings.store, Clock(as_of=settings.as_of, timezone=settings.timezone).today()


@new_app.command("topic")
def new_topic(
    topic_id: Annotated[str | None, typer.Argument(help="The topic's id (default: from the title).")] = None,
    deal: Annotated[str | None, typer.Option("--deal", help="The deal it belongs to.")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    track: Annotated[str | None, typer.Option("--track", help="One of the deal's track ids.")] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="One line: where it stands.")] = None,
    status: Annotated[str, typer.Option("--status", help="open, in_talks, stalled, agreed, resolved...")] = "open",
    source: SourceOpt = None,
    person: Annotated[list[str] | None, typer.Option("--person", help="A people id (repeat).")] = None,
    owner: OwnerOpt = None,
    review_every: EveryOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A topic: deals/<deal>/topics/<id>.md."""
    from bot.store import scaffold

    root, today = _today(config, store)
    deal_id = _must(deal, "Deal")
    title_text = _must(title, "Title")
    tid = topic_id or _must(None, "Id", flag="the id", default=scaffold.slug(title_text))
    track_id, summary_text = _must(track, "Track"), _must(summary, "Summary")
    sources = source or [s for s in [_ask(None, "Source")] if s]
    _write(
        root,
        lambda s: scaffold.topic(
            root,
            scaffold.names_of(s, "topic", deal_id),
            deal=deal_id,
            topic_id=tid,
            title=title_text,
            track=track_id,
            summary=summary_text,
            sources=sources,
            status=status,
            owner=owner,
            review_every=review_every,
            people=person,
            today=today,
        ),
    )


@new_app.command("person")
def new_person(
    person_id: Annotated[str | None, typer.Argument(help="The person's id (default: from the name).")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    role: Annotated[str | None, typer.Option("--role")] = None,
    affiliation: Annotated[str | None, typer.Option("--affiliation")] = None,
    party: Annotated[str | None, typer.Option("--party", help="A party id of their deals.")] = None,
    deal: Annotated[list[str] | None, typer.Option("--deal", help="A deal id (repeat).")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Their direct-message target.")] = None,
    source: SourceOpt = None,
    owner: OwnerOpt = None,
    review_every: EveryOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A person: people/<id>.md."""
    from bot.store import scaffold

    root, today = _today(config, store)
    name_text = _must(name, "Name")
    pid = person_id or _must(None, "Id", flag="the id", default=scaffold.slug(name_text))
    role_text, affiliation_text = _must(role, "Role"), _must(affiliation, "Affiliation")
    _write(
        root,
        lambda s: scaffold.person(
            root,
            scaffold.names_of(s, "person"),
            person_id=pid,
            name=name_text,
            role=role_text,
            affiliation=affiliation_text,
            party=party,
            deals=deal,
            contact=contact,
            owner=owner,
            review_every=review_every,
            sources=source,
            today=today,
        ),
    )


@new_app.command("deal")
def new_deal(
    deal_id: Annotated[str | None, typer.Argument(help="The deal's id (default: from the title).")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    summary: Annotated[str | None, typer.Option("--summary")] = None,
    party: Annotated[list[str] | None, typer.Option("--party", help="id=Name, at least two (repeat).")] = None,
    track: Annotated[list[str] | None, typer.Option("--track", help="id=Title, at least one (repeat).")] = None,
    owner: OwnerOpt = None,
    review_every: EveryOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A deal: deals/<id>/deal.yaml."""
    from bot.store import scaffold

    root, today = _today(config, store)
    title_text = _must(title, "Title")
    did = deal_id or _must(None, "Id", flag="the id", default=scaffold.slug(title_text))
    summary_text = _must(summary, "Summary")
    parties = party or [p for p in (_ask(None, f"Party {n} (id=Name)", flag="--party (twice)") for n in (1, 2)) if p]
    tracks = track or [t for t in [_ask(None, "Track (id=Title)", flag="--track")] if t]
    _write(
        root,
        lambda s: scaffold.deal(
            root,
            scaffold.names_of(s, "deal"),
            deal_id=did,
            title=title_text,
            summary=summary_text,
            parties=parties,
            tracks=tracks,
            owner=owner,
            review_every=review_every,
            today=today,
        ),
    )


@new_app.command("event")
def new_event(
    event_id: Annotated[str | None, typer.Argument(help="The event's id (default: from the title).")] = None,
    deal: Annotated[str | None, typer.Option("--deal")] = None,
    date: Annotated[str | None, typer.Option("--date", help="2025-05-06, ~2025-05-01, 2025-05.")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    source: Annotated[str | None, typer.Option("--source", help="A source id from sources.yaml.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="A topic id of the deal (repeat).")] = None,
    person: Annotated[list[str] | None, typer.Option("--person", help="A people id (repeat).")] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """An event, added to deals/<deal>/events.yaml."""
    from bot.store import scaffold

    root, today = _today(config, store)
    deal_id, title_text = _must(deal, "Deal"), _must(title, "Title")
    eid = event_id or _must(None, "Id", flag="the id", default=scaffold.slug(title_text))
    day, source_id = _must(date, "Date"), _must(source, "Source")
    _write(
        root,
        lambda _: scaffold.event(
            root,
            deal=deal_id,
            event_id=eid,
            date=day,
            title=title_text,
            source=source_id,
            topics=topic,
            people=person,
            today=today,
        ),
    )
