"""Briefbot's state: SQLAlchemy 2 async on SQLite (default) or PostgreSQL (asyncpg), migrated by Alembic.

Later work adds tables through new migrations in ``bot/state/migrations/versions/``.
"""

from bot.state.db import State, open_state

__all__ = ["State", "open_state"]
