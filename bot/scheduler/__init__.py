"""The daily briefing scheduler: subscriptions -> daily jobs -> claim -> brief -> deliver, exactly once.

``service`` (the APScheduler side), ``runner`` (one run: skip or compose, then post once through ``bot.posting``),
``options`` (the knobs and why), ``killpoints`` (named crash points for the tests).
"""

from bot.scheduler.options import SchedulerOptions
from bot.scheduler.runner import BriefingRunner, Result
from bot.scheduler.service import BriefingScheduler

__all__ = ["BriefingRunner", "BriefingScheduler", "Result", "SchedulerOptions"]
