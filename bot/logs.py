"""Log output: JSON lines for machines, readable lines for people, and never a secret.

When stderr is not a terminal (a container, a service manager, a pipe) each log event is one JSON object on one
line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, every field the call passed with ``extra=``
(``target``, ``deal``, ``key``, ``outcome``...) and ``exception`` when there is one. On a terminal the lines stay
readable text. ``BRIEFBOT_LOG_FORMAT=json|text`` overrides either way.

Whatever the format, the values of the secrets the process holds (platform tokens, the operator token) are
replaced by ``[redacted]`` in everything written, a library's debug output included.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TextIO

Format = Literal["json", "text"]
FORMAT_VARIABLE = "BRIEFBOT_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# What every LogRecord carries; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

Redact = Callable[[str], str]


def redactor(secrets: Iterable[str | None]) -> Redact:
    """Replace each secret value in a text (longest first, so a secret containing another goes whole)."""
    values = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(text: str) -> str:
        for value in values:
            text = text.replace(value, REDACTED)
        return text

    return redact


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redact = str) -> None:
        super().__init__(TEXT_FORMAT)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per event, on one line (newlines inside values are escaped by JSON)."""

    def __init__(self, redact: Redact = str) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_") and name not in event:
                event[name] = self._field(value)
        if record.exc_info:
            event["exception"] = self._redact(self.formatException(record.exc_info))
        elif record.exc_text:
            event["exception"] = self._redact(record.exc_text)
        if record.stack_info:
            event["stack"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(event, ensure_ascii=False, default=str)

    def _field(self, value: object) -> object:
        if value is None or isinstance(value, bool | int | float):
            return value
        return self._redact(value if isinstance(value, str) else str(value))


def chosen_format(stream: TextIO, environ: Mapping[str, str] | None = None) -> Format:
    """``BRIEFBOT_LOG_FORMAT`` when it says json or text; else text on a terminal, JSON lines everywhere else."""
    asked = (os.environ if environ is None else environ).get(FORMAT_VARIABLE, "").strip().lower()
    if asked == "json":
        return "json"
    if asked == "text":
        return "text"
    isatty = getattr(stream, "isatty", None)
    return "text" if callable(isatty) and isatty() else "json"


def handler(stream: TextIO, *, fmt: Format, secrets: Iterable[str | None] = ()) -> logging.Handler:
    out = logging.StreamHandler(stream)
    redact = redactor(secrets)
    out.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    return out


def configure(
    level: str, stream: TextIO, *, secrets: Iterable[str | None] = (), environ: Mapping[str, str] | None = None
) -> None:
    """The process's logging: one handler on ``stream`` in the chosen format, with ``secrets`` redacted."""
    logging.basicConfig(level=level, handlers=[handler(stream, fmt=chosen_format(stream, environ), secrets=secrets)])
    if logging.getLogger().level > logging.DEBUG:  # at DEBUG, everything shows
        for name in QUIET_LIBRARIES:  # their INFO is set-up chatter on every start, not news for an operator
            logging.getLogger(name).setLevel(logging.WARNING)


QUIET_LIBRARIES = ("alembic.runtime.plugins",)


__all__ = ["FORMAT_VARIABLE", "REDACTED", "JsonFormatter", "TextFormatter", "chosen_format", "configure", "handler"]
