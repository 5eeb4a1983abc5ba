"""The one dialect-specific piece of the state code: ``INSERT ... ON CONFLICT`` for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.state.db import State


def insert(state: State, table: sa.Table) -> Any:
    """An insert that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on this state's dialect."""
    return postgresql.insert(table) if state.dialect == "postgresql" else sqlite.insert(table)
