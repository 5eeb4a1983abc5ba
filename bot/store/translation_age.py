"""What ``briefbot check`` adds about translations: orphans (their original is gone) and, in a git checkout,
translations last committed before their original was."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.store.problems import Problem
from bot.store.translations import Translation, Translations

log = logging.getLogger(__name__)

GIT_TIMEOUT = 10.0


def translation_todos(root: Path, translations: Translations) -> list[Problem]:
    """What ``briefbot check`` adds to a load's problems: translations whose original is gone, and translations last
    committed before their original was (the original changed after they were translated).

    Not on every load: the age asks git, and neither holds anything back from readers (a stale translation still
    serves over the original's facts; an orphan serves nothing), so they are a maintainer's to-do, not a reason to
    keep a file, or a deletion, from taking effect.
    """
    older = list(_older(root, translations.by_original.values())) if translations.by_original else []
    return [*translations.orphans, *older]


def _older(root: Path, translations: Iterable[Translation]) -> Iterator[Problem]:
    committed = git_commit_times(root)
    if committed is None:  # not a git checkout: modification times mean nothing in a fresh copy, so say nothing
        return
    for tr in translations:
        mine, theirs = committed.get(tr.path), committed.get(tr.original.path)
        if mine is not None and theirs is not None and mine < theirs:
            name = tr.original.path.rsplit("/", 1)[-1]
            yield Problem(tr.path, 1, f"translation is older than {name}; bring it up to date with the original")


def git_commit_times(root: Path) -> dict[str, int] | None:
    """Store-relative path -> the commit time (Unix seconds) of the last commit that touched it; None outside git.

    One ``git log`` over the store folder: the newest commit naming a file is the first one listed.
    """
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00%ct", "--name-only", "--relative", "--no-renames", "--", "."],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("no git commit times for %s: %s", root, exc)
        return None
    if done.returncode != 0:
        return None
    times: dict[str, int] = {}
    when = 0
    for line in done.stdout.splitlines():
        if line.startswith("\x00"):
            when = int(line[1:])
        elif line and line not in times:
            times[line] = when
    return times
