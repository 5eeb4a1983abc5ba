"""Daily briefings: subscriptions, the post log (claims), snapshots of posted briefings, watches.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The DDL type of bot.state.tables.UTCDateTime (which converts values; the column itself is a plain timestamp).
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("deal", sa.String(80), nullable=False),
        sa.Column("time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("days", sa.String(40), nullable=False),
        sa.Column("skip_dates", sa.Text, nullable=False, server_default=""),
        sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("paused_reason", sa.Text, nullable=True),
        sa.Column("paused_at", Stamp, nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.UniqueConstraint("target", "deal", name="uq_subscriptions_target_deal"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(400), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("deal", sa.String(200), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimant", sa.String(80), nullable=True),
        sa.Column("lease_until", Stamp, nullable=True),
        sa.Column("scheduled_for", Stamp, nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.Column("edited_at", Stamp, nullable=True),
    )
    op.create_index(
        "uq_posts_brief_day",
        "posts",
        ["target", "deal", "local_date"],
        unique=True,
        sqlite_where=sa.text("kind = 'brief'"),
        postgresql_where=sa.text("kind = 'brief'"),
    )
    op.create_table(
        "snapshots",
        sa.Column("target", sa.String(200), primary_key=True),
        sa.Column("deal", sa.String(80), primary_key=True),
        sa.Column("local_date", sa.Date, primary_key=True),
        sa.Column("post_key", sa.String(400), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("deal", sa.String(80), nullable=False),
        sa.Column("topic", sa.String(80), nullable=False),
        sa.Column("seen", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(120), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("target", "deal", "topic", name="uq_watches_target_topic"),
    )


def downgrade() -> None:
    op.drop_table("watches")
    op.drop_table("snapshots")
    op.drop_index("uq_posts_brief_day", table_name="posts")
    op.drop_table("posts")
    op.drop_table("subscriptions")
