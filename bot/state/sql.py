"""The one dialect-specific piece of the state code: ``INSERT ... ON CONFLICT`` for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


class HasDialect(Protocol):
    """A state database (``bot.state.db.State``), as far as choosing the insert goes; a Protocol rather than an
    import, since ``bot.state.db`` imports this module."""

    @property
    def dialect(self) -> str: ...


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """An insert that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on ``dialect``."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def insert(state: HasDialect, table: sa.Table) -> Any:
    """An insert that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on this state's dialect."""
    return dialect_insert(state.dialect, table)
