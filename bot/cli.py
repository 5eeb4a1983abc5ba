"""briefbot: run the bot, ask it one question, print a briefing, check a store, export the schema.

Each command imports only what it uses: `ask` and `check` are answered in a fraction of a second because they
never load the HTTP server, the state database or the scheduler (see bench/cli_startup.py).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import cli_maintainer, cli_operator, cli_scaffold
from bot.cli_args import (
    ChannelOpt,
    ConfigOpt,
    DateOpt,
    StoreOpt,
)
from bot.cli_args import date_arg as _date
from bot.cli_args import fail as _fail
from bot.cli_args import secrets_from_env as _secrets
from bot.cli_args import settings_from as _settings
from bot.cli_args import store_settings_from as _store_settings
from bot.cli_args import target_arg as _target

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.app import App
    from bot.config import Settings
    from bot.credentials import Secrets
    from bot.store.live import LiveStore

HELP = "Briefbot: negotiation briefings from a folder of markdown files, in Slack, Discord and this terminal."

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=HELP,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


EXIT_UNKNOWN_COMMAND = 2
log = logging.getLogger(__name__)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"briefbot {version('briefbot')}")
        except PackageNotFoundError:
            typer.echo("briefbot (not installed: run from a checkout)")
        raise typer.Exit()


@cli.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    pass


def _one_shot_app(config: Path | None, store: Path | None) -> App:
    """An App for a single answer: no services started, only warnings logged."""
    from bot.app import App

    settings = _store_settings(config, store)
    logging.basicConfig(level=logging.WARNING)
    return App(settings)


def _logging(settings: Settings, secrets: Secrets) -> None:
    """JSON lines when stderr is not a terminal (BRIEFBOT_LOG_FORMAT=json|text overrides); secrets redacted."""
    from bot import logs

    logs.configure(settings.log_level.upper(), sys.stderr, secrets=secrets.values())


def _with_completion(app: App) -> App:
    """Tab completion at the console prompt, from the same commands and store index as the chat platforms."""
    from bot.targets import CONSOLE
    from bot.terminal.complete import CommandCompleter

    app.console.completer = CommandCompleter(
        app.router.specs,
        lambda: app.live_store.current.index,
        prefix=app.router.prefix,
        viewer=str(CONSOLE),
        default_deal=app.settings.default_deals.get(str(CONSOLE)),
    )
    return app


def _print(text: str) -> None:
    typer.echo(text, nl=False)


NO_CHAT_NOTE = (
    "No chat credentials and no terminal: serving the HTTP endpoints and the scheduler only. Set SLACK_BOT_TOKEN "
    "and SLACK_APP_TOKEN, or DISCORD_TOKEN, to connect a chat platform; --console takes commands from stdin."
)


@cli.command()
def run(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    console: Annotated[
        bool, typer.Option(help="Also take commands from stdin (the default when it is a terminal and no chat).")
    ] = False,
) -> None:
    """Start every configured platform and the scheduler; with no credentials and a terminal, the console."""
    from bot.cli_checks import credential_problem, startup_failure

    settings = _store_settings(config, store)
    secrets = _secrets()
    problem = credential_problem(settings, secrets)
    if problem:
        _fail(problem)
    chat = secrets.slack_ready or bool(secrets.discord_token)
    # The console reads stdin: only a terminal, or an explicit --console, makes one (a service has no terminal).
    with_console: bool | None = True if console else (None if sys.stdin.isatty() else False)
    if not chat and with_console is not False and "BRIEFBOT_LOG_LEVEL" not in os.environ:
        settings = settings.model_copy(update={"log_level": "WARNING"})  # keep the terminal prompt readable
    _logging(settings, secrets)
    if not chat and with_console is False:
        typer.echo(NO_CHAT_NOTE, err=True)
    import asyncio

    try:
        loaded = _store_loading(settings)
        from bot.app import App  # imported while the store loads: a second of imports beside a large store's load

        app = App(settings, secrets, live_store=loaded())
        asyncio.run(_with_completion(app).run(console=with_console))
    except BrokenPipeError:
        raise
    except Exception as exc:
        log.debug("briefbot run failed", exc_info=True)
        _fail(startup_failure(exc), 1)


def _store_loading(settings: Settings) -> Callable[[], LiveStore]:
    """Start loading the store on a thread of its own; call the result to wait for it (its error raised there).
    A daemon thread: Ctrl-C during a long load stops the bot at once (its worker processes end with their pipes)."""
    from concurrent.futures import Future

    from bot.store.live import LiveStore

    future: Future[LiveStore] = Future()

    def load() -> None:
        try:
            future.set_result(LiveStore(settings.store, max_bytes=settings.max_file_bytes))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=load, name="store-load", daemon=True).start()
    return future.result


@cli.command("console")
def console_cmd(store: StoreOpt = None, config: ConfigOpt = None) -> None:
    """An interactive prompt that takes the same slash commands as Slack and Discord."""
    import asyncio

    app = _with_completion(_one_shot_app(config, store))
    asyncio.run(app.console.repl())


@cli.command()
def ask(
    command: Annotated[str, typer.Argument(help='One command, such as "/who clow".')],
    date: DateOpt = None,
    channel: ChannelOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Answer one command in plain text (exit 2 for an unknown command, 1 for any other failed answer)."""
    from bot.cli_lean import ask as answer_one  # typer-free: the console script's fast path runs it too

    answer_one(command, date, channel, store, config)


@cli.command()
def brief(
    deal: Annotated[str | None, typer.Option("--deal", help="Deal id (optional with one deal).")] = None,
    date: DateOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="Changes since this date, YYYY-MM-DD.")] = None,
    channel: ChannelOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print the deal-progress briefing exactly as it would be posted."""
    import asyncio

    from bot.commands import Command
    from bot.reply import Tone
    from bot.terminal.output import for_stream

    app = _one_shot_app(config, store)
    options = {k: v for k, v in {"deal": deal, "date": date, "since": since}.items() if v}
    ctx = app.context(_target(channel), today=_date(date))
    reply = asyncio.run(app.router.dispatch(Command("brief", "", options), ctx))
    sent: str | None = None
    if reply.tone is Tone.ANSWER:  # an e-mail or webhook target: the message or JSON body it would be sent
        from bot.cli_outbound import outbound_text

        sent = outbound_text(reply, Command("brief", "", options), ctx, app.settings.email)
    _print(sent if sent is not None else for_stream(sys.stdout)(reply))
    if reply.tone is not Tone.ANSWER:
        raise typer.Exit(1)


cli.command()(cli_maintainer.check)  # maintainers' commands, listed here in --help
cli.command()(cli_maintainer.schema)


@cli.command("slack-manifest")
def slack_manifest(
    request_url: Annotated[
        str | None, typer.Option("--request-url", help="Public base URL for HTTP mode (omit for Socket Mode).")
    ] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print a paste-ready Slack app manifest (JSON) for every command, with the configured prefix."""
    import json

    from bot.adapters.slack_manifest import build_manifest
    from bot.router import Router
    from handlers import ALL_COMMANDS

    settings = _settings(config, store)
    if request_url:  # a request URL only makes sense for HTTP mode
        settings = settings.model_copy(update={"slack": settings.slack.model_copy(update={"mode": "http"})})
    router = Router(ALL_COMMANDS, prefix=settings.slack.command_prefix)
    from bot.errors import ConfigError

    try:
        manifest = build_manifest(router.specs, settings, request_url)
    except ConfigError as exc:
        _fail(str(exc))
    typer.echo(json.dumps(manifest, indent=2))


cli.command("preview")(cli_maintainer.preview)
cli.add_typer(cli_scaffold.new_app, name="new")
cli.command("status")(cli_operator.status)  # the operator's, asking a running bot
cli.command("reload")(cli_operator.reload)


def main() -> None:
    # pydantic looks for plugins in the metadata of every installed distribution the first time it builds a model,
    # about 30 ms of each one-shot command; Briefbot uses none. An explicit setting in the environment still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if sys.argv[1:2] == ["ask"]:
        # One answer, then the process ends: cyclic garbage can wait for the exit, and no collection walks every
        # object the imports made, again and again (~20 ms of each `ask`). A load pauses it anyway (bot.store.live).
        import gc

        gc.disable()
    cli()


if __name__ == "__main__":
    main()
