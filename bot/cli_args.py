"""What every ``briefbot`` subcommand shares: the common options, and turning their values into settings,
secrets, dates and targets, or into one line on stderr and an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    import datetime as dt

    from bot.config import Settings
    from bot.credentials import Secrets
    from bot.targets import Target

StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store folder (default: from config, else bundled).")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Config file (default: $BRIEFBOT_CONFIG, ./config/briefbot.yaml, packaged defaults)."
    ),
]
DateOpt = Annotated[str | None, typer.Option("--date", help="Answer as of this date, YYYY-MM-DD.")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="The asking channel, e.g. slack:T1:C2.")]


def settings_from(config: Path | None, store: Path | None) -> Settings:
    from bot.config import load_settings
    from bot.errors import BriefbotError

    try:
        return load_settings(config, store=store.resolve() if store else None)
    except BriefbotError as exc:
        fail(str(exc))


def store_settings_from(config: Path | None, store: Path | None) -> Settings:
    """The settings of a command that reads the store: a store folder that is missing (or is no store) is one
    line and exit 2, not a traceback from the first read."""
    from bot.cli_checks import not_a_store

    settings = settings_from(config, store)
    problem = not_a_store(settings.store)
    if problem is not None:
        fail(problem)
    return settings


def secrets_from_env() -> Secrets:
    from bot.credentials import Secrets
    from bot.errors import BriefbotError

    try:
        return Secrets.from_env()
    except BriefbotError as exc:
        fail(str(exc))


def date_arg(value: str | None) -> dt.date | None:
    from bot.store.dates import parse_day

    try:
        return parse_day(value) if value else None
    except ValueError as exc:
        fail(str(exc))


def target_arg(value: str | None) -> Target:
    from bot.targets import CONSOLE, Target

    try:
        return Target.parse(value) if value else CONSOLE
    except ValueError as exc:
        fail(str(exc))


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"briefbot: {message}", err=True)
    raise typer.Exit(code)
