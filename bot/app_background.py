"""How the composition root builds its background services: the daily briefing scheduler, /watch alerts and
owners' review reminders, each on the app's state (the background pool), store, deliveries, clock and post hooks.

A base class of :class:`bot.app.App`, kept apart so each module stays one screenful of wiring. ``overrides`` are
for tests: their own clock, options or kill points.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.alerts import WatchAlerts
    from bot.alerts.review_due import ReviewReminders
    from bot.clock import Clock
    from bot.config import BriefingOptions, Settings
    from bot.context import Ports
    from bot.delivery import Delivery
    from bot.posting import PostHooks
    from bot.scheduler import BriefingScheduler
    from bot.state import State
    from bot.store.live import LiveStore


class BackgroundBuilders:
    settings: Settings
    clock: Clock
    live_store: LiveStore
    deliveries: dict[str, Delivery]
    briefing_options: BriefingOptions
    post_hooks: PostHooks
    ports: Ports
    background_state: Callable[[], Awaitable[State]]

    def build_scheduler(self, **overrides: Any) -> BriefingScheduler:
        """The daily briefing scheduler on this app's state, store, deliveries and clock; it becomes the
        scheduler port handlers use. ``overrides`` are for tests (their own clock, options, kill points)."""
        from bot.scheduler import BriefingScheduler

        overrides.setdefault("options", self.settings.scheduler)
        overrides.setdefault("now", self.clock.now)
        scheduler = BriefingScheduler(
            open_state=self.background_state,
            store=lambda: self.live_store.current,
            deliveries=self.deliveries,
            configured=self.settings.subscriptions,
            briefing_options=self.briefing_options,
            maintainers=self.settings.maintainers_channel,
            commit=lambda: self.live_store.commit,
            frozen_note=self.clock.frozen_note() if self.clock.frozen else None,
            hooks=self.post_hooks,
            channel_language=lambda target: self.settings.channel_languages.get(target, self.settings.language),
            **overrides,
        )
        self.ports.scheduler = scheduler
        return scheduler

    def build_watch_alerts(self, *, claimant: str, **overrides: Any) -> WatchAlerts:
        """/watch alerts on this app's state, store and deliveries (``overrides``: a test's clock)."""
        from bot.alerts import WatchAlerts

        overrides.setdefault("now", self.clock.now)
        return WatchAlerts(
            open_state=self.background_state,
            store=lambda: self.live_store.current,
            deliveries=self.deliveries,
            claimant=claimant,
            hooks=self.post_hooks,
            **overrides,
        )

    def build_review_reminders(self, *, claimant: str, **overrides: Any) -> ReviewReminders:
        """One direct message to a document's owner when it falls due for review (``overrides``: a test's clock)."""
        from bot.alerts.review_due import ReviewReminders

        overrides.setdefault("now", self.clock.now)
        overrides.setdefault("today", self.clock.today)
        return ReviewReminders(
            open_state=self.background_state,
            store=lambda: self.live_store.current,
            deliveries=self.deliveries,
            claimant=claimant,
            stale_after_days=self.briefing_options.stale_after_days,
            hooks=self.post_hooks,
            **overrides,
        )
