"""Maintainers' commands: ``briefbot check`` (with ``--format`` and ``--stale``), ``briefbot schema`` and
``briefbot preview`` (``briefbot new`` is in :mod:`bot.cli_scaffold`).

Registered from :mod:`bot.cli`; like every one-shot command, each imports what it uses when it runs.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_args import ConfigOpt, DateOpt, StoreOpt, fail, settings_from

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
    from bot.cli_lean import check as validate  # typer-free: the console script's fast path runs it too

    validate(path, store, config, fmt, stale, date)


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
