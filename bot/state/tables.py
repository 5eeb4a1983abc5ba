"""Table definitions (SQLAlchemy Core). Each change here comes with a migration in ``migrations/versions``."""

from __future__ import annotations

import datetime as dt

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


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both dialects.

    SQLite keeps no offset, so every value is converted to UTC before it is stored: then SQL comparisons such as
    ``lease_until < :now`` (claim takeover) are right on SQLite and PostgreSQL alike.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the state database; use an aware one")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# Daily briefings made from chat (source "chat"), and mirrors of those declared in config (source "config",
# kept only so a pause and its reason survive restarts and show on every replica). One per (target, deal).
subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("deal", sa.String(80), nullable=False),
    sa.Column("time", sa.String(5), nullable=False),  # local wall-clock HH:MM
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("days", sa.String(40), nullable=False),  # "mon,tue,wed,thu,fri"
    sa.Column("skip_dates", sa.Text, nullable=False, server_default=""),  # "2025-05-19,2025-07-01"
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("paused_reason", sa.Text, nullable=True),
    sa.Column("paused_at", UTCDateTime, nullable=True),
    sa.Column("source", sa.String(10), nullable=False),  # "config" | "chat"
    sa.Column("created_by", sa.String(120), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("language", sa.String(8), nullable=True),  # en | fr; NULL: the channel's language from config
    sa.UniqueConstraint("target", "deal", name="uq_subscriptions_target_deal"),
)

# The post log. A row is a claim: whoever inserts it posts; the state moves claimed -> sending -> sent (or
# failed / skipped / uncertain). ``key`` is the idempotency key carried in the post itself.
posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(400), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "brief" | "alert" | "notice"
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("deal", sa.String(200), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("claimant", sa.String(80), nullable=True),
    sa.Column("lease_until", UTCDateTime, nullable=True),
    sa.Column("scheduled_for", UTCDateTime, nullable=True),
    sa.Column("message_id", sa.String(200), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("edited_at", UTCDateTime, nullable=True),  # /brief reissue
    sa.Index(
        "uq_posts_brief_day",
        "target",
        "deal",
        "local_date",
        unique=True,
        sqlite_where=sa.text("kind = 'brief'"),
        postgresql_where=sa.text("kind = 'brief'"),
    ),
)

# What each posted briefing reported, so the next one can say what changed since (JSON from bot.briefing.snapshot).
snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("target", sa.String(200), primary_key=True),
    sa.Column("deal", sa.String(80), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("post_key", sa.String(400), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# /watch: a target alerted when a topic changes; ``seen`` is the topic's last alerted state (JSON).
watches = sa.Table(
    "watches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("deal", sa.String(80), nullable=False),
    sa.Column("topic", sa.String(80), nullable=False),
    sa.Column("seen", sa.Text, nullable=True),
    sa.Column("created_by", sa.String(120), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("target", "deal", "topic", name="uq_watches_target_topic"),
)

# /verify: the last recorded review of each store document (by store-relative path), without editing the file.
reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("path", sa.String(400), primary_key=True),
    sa.Column("reviewed_on", sa.Date, nullable=False),  # the reviewer's day, as the briefing counts days
    sa.Column("reviewed_by", sa.String(200), nullable=True),
    sa.Column("reviewed_at", UTCDateTime, nullable=False),
)
