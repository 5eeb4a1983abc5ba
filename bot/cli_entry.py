"""The ``briefbot`` console script: ``ask`` and ``check`` of the plain shape without typer, the rest through it.

Importing typer and click (and the pydantic adapters typer builds for each option) costs more than looking up an
answer. ``briefbot ask "/status tariffs"`` and ``briefbot check`` are read here, only when every argument is one
this module knows (a command's own options, each once, as ``--name value`` or ``--name=value``); anything else,
``--help`` and every mistake included, goes to the typer app in :mod:`bot.cli`, which holds the one definition of
the options, their help and their errors. Both paths run the same bodies (:mod:`bot.cli_lean`).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Shape:
    """What a command takes: how many arguments, which options with a value, which flags."""

    arguments: tuple[int, int]  # fewest, most
    valued: frozenset[str]
    flags: frozenset[str] = frozenset()


# These mirror the typer signatures of `ask` (bot.cli) and `check` (bot.cli_maintainer); tests/test_cli_entry.py
# compares them, so an option added there and not here only means that command takes the typer path.
SHAPES = {
    "ask": Shape((1, 1), frozenset({"--date", "--channel", "--store", "--config"})),
    "check": Shape((0, 1), frozenset({"--store", "--config", "--format", "--date"}), frozenset({"--stale"})),
}


@dataclass(frozen=True)
class Parsed:
    command: str
    arguments: tuple[str, ...]
    options: dict[str, str | bool]

    def value(self, name: str) -> str | None:
        found = self.options.get(name)
        return found if isinstance(found, str) else None

    def path(self, name: str) -> Path | None:
        found = self.value(name)
        return Path(found) if found is not None else None


def parse(args: Sequence[str]) -> Parsed | None:
    """``args`` (after the program name) as a plain `ask` or `check`, or None for the typer app to read."""
    if not args or args[0] not in SHAPES:
        return None
    shape = SHAPES[args[0]]
    arguments: list[str] = []
    options: dict[str, str | bool] = {}
    rest = iter(args[1:])
    for token in rest:
        if token == "":
            return None
        if not token.startswith("-"):
            arguments.append(token)
            continue
        name, equals, value = token.partition("=")
        if name in options:  # given twice: click's rule (the last wins) is left to click
            return None
        if name in shape.flags and not equals:
            options[name] = True
        elif name in shape.valued:
            given = value if equals else next(rest, None)
            if not given or given.startswith("-"):  # missing, or an option where a value should be
                return None
            options[name] = given
        else:  # --help, -h, --, an unknown or misspelt option
            return None
    fewest, most = shape.arguments
    if not fewest <= len(arguments) <= most:
        return None
    return Parsed(args[0], tuple(arguments), options)


def _run(parsed: Parsed) -> None:
    from bot import cli_lean

    if parsed.command == "ask":
        # One answer, then the process ends: cyclic garbage can wait for the exit (as bot.cli.main does).
        import gc

        gc.disable()
        cli_lean.ask(
            parsed.arguments[0],
            parsed.value("--date"),
            parsed.value("--channel"),
            parsed.path("--store"),
            parsed.path("--config"),
        )
    else:
        cli_lean.check(
            Path(parsed.arguments[0]) if parsed.arguments else None,
            parsed.path("--store"),
            parsed.path("--config"),
            parsed.value("--format") or "text",
            bool(parsed.options.get("--stale")),
            parsed.value("--date"),
        )


def _as_click_would(run: Callable[[], None]) -> None:
    """Run a command with click's endings: Ctrl-C exits 130, a closed pipe 1, quietly, as under the typer app."""
    try:
        run()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        raise SystemExit(1) from None
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        devnull = os.open(os.devnull, os.O_WRONLY)  # nothing left to flush into the closed pipe at exit
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None


def main() -> None:
    parsed = parse(sys.argv[1:])
    if parsed is None:
        from bot.cli import main as typer_main

        typer_main()
        return
    # As bot.cli.main: pydantic's plugin lookup reads every installed distribution's metadata; Briefbot uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _as_click_would(lambda: _run(parsed))
    raise SystemExit(0)  # as click ends a command that returns


if __name__ == "__main__":
    main()
