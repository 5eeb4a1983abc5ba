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
GIT = ("git", "-C")


def translation_todos(root: Path, translations: Translations, git: GitTimes | None = None) -> list[Problem]:
    """What ``briefbot check`` adds to a load's problems: translations whose original is gone, and translations last
    committed before their original was (the original changed after they were translated).

    Not on every load: the age asks git, and neither holds anything back from readers (a stale translation still
    serves over the original's facts; an orphan serves nothing), so they are a maintainer's to-do, not a reason to
    keep a file, or a deletion, from taking effect. ``git``: the commit times, asked for before the store was read.
    """
    if not translations.by_original:
        return list(translations.orphans)
    with git or GitTimes(root) as asked:
        return [*translations.orphans, *_older(asked.result(), translations.by_original.values())]


def _older(committed: dict[str, int] | None, translations: Iterable[Translation]) -> Iterator[Problem]:
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
    return GitTimes(root).result()


class GitTimes:
    """:func:`git_commit_times`, asked now and read later: ``briefbot check`` starts git before it reads the store,
    so git runs while the files are validated instead of after."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            self._git: subprocess.Popen[str] | None = subprocess.Popen(
                [*GIT, str(root), "log", "--format=%x00%ct", "--name-only", "--relative", "--no-renames", "--", "."],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError as exc:
            log.debug("no git commit times for %s: %s", root, exc)
            self._git = None

    def __enter__(self) -> GitTimes:
        return self

    def __exit__(self, *exc: object) -> None:
        """Never leave git behind (a check that stopped early, a failed load)."""
        if self._git is not None and self._git.returncode is None:
            self._git.kill()
            self._git.communicate()

    def result(self) -> dict[str, int] | None:
        if self._git is None:
            return None
        try:
            out, _ = self._git.communicate(timeout=GIT_TIMEOUT)
        except subprocess.SubprocessError as exc:
            self._git.kill()
            self._git.communicate()
            log.debug("no git commit times for %s: %s", self.root, exc)
            return None
        if self._git.returncode != 0:
            return None
        times: dict[str, int] = {}
        when = 0
        for line in out.splitlines():
            if line.startswith("\x00"):
                when = int(line[1:])
            elif line and line not in times:
                times[line] = when
        return times
