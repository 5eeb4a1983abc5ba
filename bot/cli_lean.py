"""The bodies of ``briefbot ask`` and ``briefbot check``, without typer: the typer commands (bot.cli,
bot.cli_maintainer) call these, and so does the fast path of the console script (bot.cli_entry), which answers
these two commands without importing typer or click when their arguments are of the plain shape.

Messages, output and exit codes are the commands' own: a failure is one line on stderr and ``SystemExit``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_plain import date_arg, echo, fail, settings_from, store_settings_from, target_arg

if TYPE_CHECKING:
    import datetime as dt

    from bot.store import Store
    from bot.store.problems import Problem

EXIT_UNKNOWN_COMMAND = 2
FORMATS = ("text", "gnu", "github")


# briefbot ask -----------------------------------------------------------------------------------------------------


def ask(command: str, date: str | None, channel: str | None, store: Path | None, config: Path | None) -> None:
    """Answer one command in plain text (exit 2 for an unknown command, 1 for any other failed answer)."""
    from bot.cli_oneshot import answer
    from bot.errors import UnknownCommand
    from bot.reply import Tone
    from bot.terminal.attachments import save_attachments
    from bot.terminal.output import for_stream

    settings = store_settings_from(config, store)
    logging.basicConfig(level=logging.WARNING)
    target, today = target_arg(channel), date_arg(date)
    try:
        reply = answer(settings, command, target, today)
    except UnknownCommand as exc:
        fail(str(exc), EXIT_UNKNOWN_COMMAND)
    echo(for_stream(sys.stdout)(reply), nl=False)
    for line in save_attachments(reply):  # a chart: written to a file, its path printed
        echo(line)
    if reply.tone in (Tone.ERROR, Tone.INTERNAL, Tone.NOT_FOUND):
        raise SystemExit(1)


# briefbot check ---------------------------------------------------------------------------------------------------


def check(path: Path | None, store: Path | None, config: Path | None, fmt: str, stale: bool, date: str | None) -> None:
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
            echo(f"{due} document(s) due for review in {root} on {today.isoformat()}", err=True)
            raise SystemExit(1)
    if problems:
        echo(f"{len(problems)} problem(s) in {root} ({count} documents read)", err=True)
        raise SystemExit(1)
    echo(f"{root}: {count} documents, no problems", err=True)


def print_problems(problems: Sequence[Problem], root: Path, fmt: str) -> None:
    """``text``: ``path:line: message`` (paths in the store); ``gnu``: ``path:line:col: message`` with paths as
    given on the command line, for editors and CI problem matchers; ``github``: workflow commands that annotate
    the line in a pull request."""
    if fmt not in FORMATS:
        fail(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    prefix = "" if str(root) in ("", ".") else f"{root.as_posix().rstrip('/')}/"
    for problem in problems:
        if fmt == "gnu":
            echo(problem.located(prefix))
        elif fmt == "github":
            col = f",col={problem.col}" if problem.col else ""
            message = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            echo(f"::error file={prefix}{problem.path},line={problem.line}{col}::{message}")
        else:
            echo(str(problem))


def print_stale(store: Store, root: Path, fmt: str, today: dt.date, stale_after_days: int) -> int:
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
            echo(f"::warning file={prefix}{item.path},line={line},col={col}::{message}")
        elif fmt == "gnu":
            echo(f"{prefix}{item.path}:{line}:{col}: {message}")
        else:
            echo(f"{item.path}:{line}: {message}")
    return len(due)
