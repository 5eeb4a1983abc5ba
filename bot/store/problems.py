"""A problem found in a store file, reported to maintainers as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    path: str  # relative to the store root, with forward slashes
    line: int  # 1-based; 1 where no better line is known
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
