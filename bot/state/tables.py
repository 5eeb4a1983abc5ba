"""Table definitions (SQLAlchemy Core). Each change here comes with a migration in ``migrations/versions``."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Small key/value facts the bot keeps between runs (the Discord command hash, the last reload...).
kv = sa.Table(
    "kv",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
