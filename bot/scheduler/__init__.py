"""The daily briefing scheduler: subscriptions -> tz-aware cron jobs -> claim -> brief -> deliver, exactly once.

``service`` (the APScheduler side), ``runner`` (one run: claim, compose, deliver, record), ``plan`` (pure time
arithmetic), ``options`` (the knobs and why), ``killpoints`` (named crash points for the tests), ``watches``
(/watch alerts when a topic changes).
"""

from bot.scheduler.options import SchedulerOptions
from bot.scheduler.runner import BriefingRunner, Result
from bot.scheduler.service import BriefingScheduler
from bot.scheduler.watches import WatchAlerts

__all__ = ["BriefingRunner", "BriefingScheduler", "Result", "SchedulerOptions", "WatchAlerts"]
