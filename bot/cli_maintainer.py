"""Maintainers' commands: ``briefbot check`` (with ``--format`` and ``--stale``), ``briefbot schema`` and
``briefbot preview`` (``briefbot new`` is in :mod:`bot.cli_scaffold`).

Registered from :mod:`bot.cli`; like every one-shot command, each imports what it uses when it runs.
"""

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_args import ConfigOpt, DateOpt, StoreOpt, date_arg, fail, settings_from

if TYPE_CHECKING:
    from bot.store import Store
    from bot.store.problems import Problem

FORMATS = ("text", "gnu", "github")


# briefbot check ---------------------------------------------------------------------------------------------------


def print_problems(problems: "Sequence[Problem]", root: Path, fmt: str) -> None:
    """``text``: ``path:line: message`` (paths in the store); ``gnu``: ``path:line:col: message`` with paths as
    given on the command line, for editors and CI problem matchers; ``github``: workflow commands that annotate
    the line in a pull request."""
    if fmt not in FORMATS:
        fail(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    prefix = "" if str(root) in ("", ".") else f"{root.as_posix().rstrip('/')}/"
    for problem in problems:
        if fmt == "gnu":
            typer.echo(problem.located(prefix))
        elif fmt == "github":
            col = f",col={problem.col}" if problem.col else ""
            message = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            typer.echo(f"::error file={prefix}{problem.path},line={problem.line}{col}::{message}")
        else:
            typer.echo(str(problem))


def print_stale(store: "Store", root: Path, fmt: str, today: dt.date, stale_after_days: int) -> int:
    """List every document due for review on ``today`` (reviews recorded with /verify live in the bot's state
    database, not in the files, so they are not counted here); return how many."""
    from bot.store.review import due_documents, people_of

    due = due_documents(
        sorted(store.documents.values(), key=lambda d: d.path), today, stale_after_days, people=people_of(store)
    )
    prefix = "" if str(root) in ("", ".") else f"{root.as_posix().rstrip('/')}/"
    for item in due:
        doc = store.documents[item.path]
        line, col = doc.raw.position_of((item.field,))
        message = f"due for review: {item.line()}"
        if fmt == "github":
            typer.echo(f"::warning file={prefix}{item.path},line={line},col={col}::{message}")
        elif fmt == "gnu":
            typer.echo(f"{prefix}{item.path}:{line}:{col}: {message}")
        else:
            typer.echo(f"{item.path}:{line}: {message}")
    return len(due)


# briefbot schema --vscode ----------------------------------------------------------------------------------------

SCHEMA_GLOBS = {  # kind -> the YAML files of that kind, under the store (markdown front matter is not covered)
    "sources": ["sources.yaml"],
    "deal": ["deals/*/deal.yaml"],
    "events": ["deals/*/events.yaml"],
}


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def write_vscode_settings(schemas: Path, store: Path) -> None:
    """Point the YAML extension (redhat.vscode-yaml) at the exported schemas from ``.vscode/settings.json`` in the
    current folder, keeping every other setting there. Only ``.yaml`` files are matched: the YAML language server
    does not read front matter inside markdown (see briefings/README.md, "Editors")."""
    import json

    settings_path = Path(".vscode") / "settings.json"
    current: dict[str, object] = {}
    if settings_path.exists():
        try:
            loaded = json.loads(settings_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            fail(f"{settings_path} is not plain JSON (comments?); add the yaml.schemas entry by hand")
        if not isinstance(loaded, dict):
            fail(f"{settings_path} is not a JSON object")
        current = loaded
    base = _relative(store)
    prefix = "" if base == "." else f"{base}/"
    mapping = {
        f"./{_relative(schemas / f'{kind}.schema.json')}": [prefix + glob for glob in globs]
        for kind, globs in SCHEMA_GLOBS.items()
    }
    existing = current.get("yaml.schemas")
    current["yaml.schemas"] = {**(existing if isinstance(existing, dict) else {}), **mapping}
    settings_path.parent.mkdir(exist_ok=True)
    settings_path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"wrote {settings_path}")


# briefbot preview -------------------------------------------------------------------------------------------------


def preview(
    channel: Annotated[str, typer.Option("--channel", help="The channel to preview, e.g. slack:T1:C2.")],
    date: Annotated[str | None, typer.Option("--date", help="The day, YYYY-MM-DD (default: tomorrow).")] = None,
    deal: Annotated[str | None, typer.Option("--deal", help="Which deal, when the channel follows several.")] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print the briefing a channel will get on a day, with "what changed" against that channel's last post."""
    import logging

    from bot.cli_args import date_arg, target_arg
    from bot.cli_oneshot import answer
    from bot.reply import Tone
    from bot.targets import CONSOLE
    from bot.terminal.output import for_stream

    settings = settings_from(config, store)
    logging.basicConfig(level=logging.WARNING)
    target, day = target_arg(channel), date_arg(date)
    text = f"/preview channel:{target}" + (f" date:{day.isoformat()}" if day else "")
    text += f" deal:{deal}" if deal else ""
    reply = answer(settings, text, CONSOLE, None)
    typer.echo(for_stream(sys.stdout)(reply), nl=False)
    if reply.tone is not Tone.ANSWER:
        raise typer.Exit(1)


# briefbot check, briefbot schema --------------------------------------------------------------------------------


def check(
    path: Annotated[Path | None, typer.Argument(help="Store folder (default: the configured store).")] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", help="text (path:line: message), gnu (path:line:col: message) or github.")
    ] = "text",
    stale: Annotated[bool, typer.Option("--stale", help="Also list documents due for review (exit 1 if any).")] = False,
    date: DateOpt = None,
) -> None:
    """Validate a store: exit 0 when clean, 1 with every problem listed as path:line: message."""
    from bot.cli_checks import not_a_store
    from bot.store import load_store
    from bot.store.collector import collector_paused  # as the bot's own loads do

    root = path or store or settings_from(config, None).store
    if (why := not_a_store(root)) is not None:
        fail(why)
    from bot.store.translation_age import GitTimes, translation_todos  # asks git: only here, not on every load

    with GitTimes(root.resolve()) as git:  # started now, read after the load: git runs while the files are checked
        try:
            with collector_paused():
                loaded = load_store(root)
        except FileNotFoundError as exc:
            fail(str(exc))
        problems = sorted({*loaded.problems, *translation_todos(loaded.root, loaded.translations, git)})
    print_problems(problems, root, fmt)
    count = len(loaded.documents)
    if stale:  # owners and review dates (bot.store.review): for a content repo's scheduled CI
        settings = settings_from(config, None)
        from bot.clock import Clock

        today = date_arg(date) or Clock(as_of=settings.as_of, timezone=settings.timezone).today()
        if due := print_stale(loaded, root, fmt, today, settings.briefing.stale_after_days):
            typer.echo(f"{due} document(s) due for review in {root} on {today.isoformat()}", err=True)
            raise typer.Exit(1)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {root} ({count} documents read)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{root}: {count} documents, no problems", err=True)


def schema(
    kind: Annotated[str | None, typer.Option(help="One kind: sources, person, deal, topic, events.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write one <kind>.schema.json per kind into this folder.")] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    vscode: Annotated[
        bool, typer.Option("--vscode", help="With --out: also point .vscode/settings.json (here) at the schemas.")
    ] = False,
) -> None:
    """JSON Schema of every document kind, for editors with a YAML language server."""
    import json

    from bot.store.documents import MODEL_OF_KIND

    schemas = {k.value: m.model_json_schema() for k, m in MODEL_OF_KIND.items()}
    if kind is not None:
        if kind not in schemas:
            fail(f"unknown kind '{kind}'; use one of {', '.join(schemas)}")
        schemas = {kind: schemas[kind]}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, body in schemas.items():
            (out / f"{name}.schema.json").write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {len(schemas)} schema file(s) to {out}")
        if vscode:
            write_vscode_settings(out, store or settings_from(config, None).store)
        return
    typer.echo(json.dumps(schemas[kind] if kind else schemas, indent=2))
