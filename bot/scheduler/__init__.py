"""The daily briefing scheduler: subscriptions -> daily jobs -> claim -> brief -> deliver, exactly once.

``service`` (the APScheduler side), ``runner`` (one run: skip or compose, then post once through ``bot.posting``),
``SchedulerOptions`` (the knobs and why, from ``bot.config``), ``killpoints`` (named crash points for the tests).
"""

from bot.config import SchedulerOptions
from bot.scheduler.runner import BriefingRunner, Result
from bot.scheduler.service import BriefingScheduler

__all__ = ["BriefingRunner", "BriefingScheduler", "Result", "SchedulerOptions"]
