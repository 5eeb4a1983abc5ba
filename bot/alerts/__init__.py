"""Alerts that go out once through the post-once path: a watched topic changed (``topic_watch``), a store file
was held back or fixed (``store_file``, to the maintainers' channel)."""

from bot.alerts.store_file import MaintainerAlerts, alert_reply
from bot.alerts.topic_watch import WatchAlerts

__all__ = ["MaintainerAlerts", "WatchAlerts", "alert_reply"]
