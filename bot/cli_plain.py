"""What every ``briefbot`` subcommand does with its option values, without importing typer: settings, secrets,
dates and targets, or one line on stderr and an exit code.

Typer and click cost a tenth of a second to import, longer than a lookup's answer; the commands that answer in a
fraction of a second (:mod:`bot.cli_lean`) use these directly, and every other command through
:mod:`bot.cli_args`, so each rule and each message has one definition.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import datetime as dt

    from bot.config import Settings
    from bot.credentials import Secrets
    from bot.targets import Target

_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # what click.echo strips from text bound for a pipe or a file


def echo(text: str, *, nl: bool = True, err: bool = False) -> None:
    """Write as ``typer.echo`` does: flushed at once, and without terminal escapes when not on a terminal."""
    stream = sys.stderr if err else sys.stdout
    if "\033" in text:
        from bot.terminal.output import isatty  # only for text with escapes: the plain path imports nothing more

        if not isatty(stream):
            text = _ANSI.sub("", text)
    stream.write(f"{text}\n" if nl else text)
    stream.flush()


def fail(message: str, code: int = 2) -> NoReturn:
    echo(f"briefbot: {message}", err=True)
    raise SystemExit(code)


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
