"""A problem found in a store file, reported to maintainers as ``path:line: message``.

``col`` (1-based, None where unknown) is extra: ``located()`` gives ``path:line:col: message``, the form editors
and CI annotators read (``briefbot check --format gnu``); ``str()`` stays ``path:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    path: str  # relative to the store root, with forward slashes
    line: int  # 1-based; 1 where no better line is known
    message: str
    col: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def located(self, prefix: str = "") -> str:
        """``path:line:col: message`` (``path:line: message`` when the column is unknown), ``prefix`` before path."""
        col = f"{self.col}:" if self.col else ""
        return f"{prefix}{self.path}:{self.line}:{col} {self.message}"
