"""What every ``briefbot`` subcommand shares: the common options, and turning their values into settings,
secrets, dates and targets, or into one line on stderr and an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_plain import (  # typer-free, shared with the fast path of `ask` and `check` (bot.cli_lean)
    date_arg,
    fail,
    secrets_from_env,
    settings_from,
    store_settings_from,
    target_arg,
)

__all__ = [
    "ChannelOpt",
    "ConfigOpt",
    "DateOpt",
    "StoreOpt",
    "date_arg",
    "fail",
    "secrets_from_env",
    "settings_from",
    "store_settings_from",
    "target_arg",
]

StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store folder (default: from config, else bundled).")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Config file (default: $BRIEFBOT_CONFIG, ./config/briefbot.yaml, packaged defaults)."
    ),
]
DateOpt = Annotated[str | None, typer.Option("--date", help="Answer as of this date, YYYY-MM-DD.")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="The asking channel, e.g. slack:T1:C2.")]
