"""The one dialect-specific piece of the state code: ``INSERT ... ON CONFLICT`` for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:  # bot.state.db uses dialect_insert: a runtime import back would be a circle
    from bot.state.db import State


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """An insert that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on ``dialect``."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def insert(state: State, table: sa.Table) -> Any:
    """An insert that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on this state's dialect."""
    return dialect_insert(state.dialect, table)
