"""``briefbot status`` and ``briefbot reload``: talk to the running bot's operator endpoints (with the operator
token), or read the files when no bot answers."""

# No ``from __future__ import annotations`` here: Typer reads every command's parameters on each run of any
# ``briefbot`` command, and string annotations make it evaluate each one twice (about a millisecond of a one-shot
# ``briefbot ask``). Names imported only for type checking are quoted instead.

from typing import TYPE_CHECKING

import typer

from bot.cli_args import ConfigOpt, StoreOpt, fail, settings_from

if TYPE_CHECKING:
    from bot.config import Settings


def local_url(settings: "Settings", path: str) -> str:
    host = "127.0.0.1" if settings.http.host in ("0.0.0.0", "::") else settings.http.host
    return f"http://{host}:{settings.http.port}{path}"


def status(store: StoreOpt = None, config: ConfigOpt = None) -> None:
    """The store's state, from the running bot (or, if none answers, read from the files)."""
    import httpx

    from bot.ops import STATUS_PATH, operator_headers, store_status
    from bot.store.live import LiveStore

    settings = settings_from(config, store)
    try:
        url = local_url(settings, STATUS_PATH)
        report = httpx.get(url, headers=operator_headers(), timeout=3).raise_for_status().json()
        source = "running bot"
    except httpx.HTTPError:
        report = store_status(LiveStore(settings.store, max_bytes=settings.max_file_bytes))
        source = "read from the files: no running bot answered"
    typer.echo(f"Store {report['store']} ({source})")
    typer.echo(f"  {report['documents']} documents, deals: {', '.join(report['deals']) or 'none'}")
    typer.echo(f"  loaded {report['loaded_at']}, {report['reloads']} reload(s)")
    for held in report["held"]:
        serving = "last good version serving" if held["serving_last_good"] else "not served"
        typer.echo(f"  held: {held['path']} ({serving}) since {held['since']}")
        for problem in held["problems"]:
            typer.echo(f"    {problem}")
    restricted = report.get("restricted_held", 0)
    if restricted:  # their problems quote restricted values: `briefbot check` on the files shows them
        typer.echo(f"  {restricted} restricted file(s) held back; `briefbot check` lists them")
    if report["held"] or report["problems"] or restricted or report.get("restricted_problems", 0):
        raise typer.Exit(1)


def reload(store: StoreOpt = None, config: ConfigOpt = None) -> None:
    """Ask the running bot to re-read every store file now."""
    import httpx

    from bot.ops import RELOAD_PATH, operator_headers

    settings = settings_from(config, store)
    url = local_url(settings, RELOAD_PATH)
    try:
        report = httpx.post(url, headers=operator_headers(), timeout=30).raise_for_status().json()
    except httpx.HTTPError as exc:
        fail(f"no running Briefbot answered at {url} ({type(exc).__name__}); start it with `briefbot run`", 1)
    held_back = len(report["held"]) + report.get("restricted_held", 0)
    typer.echo(f"Reloaded: {report['documents']} documents, {held_back} file(s) held back")
    for held in report["held"]:
        typer.echo(f"  {held['path']}: {held['problems'][0] if held['problems'] else ''}")
