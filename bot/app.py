"""The composition root: builds the store, router, state, HTTP server and adapters, and runs them.

Only this module and ``bot.cli`` see every part. Platform adapters are imported here lazily, when their
credentials are present, so a console-only run never loads Slack or Discord code.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiohttp import web

from bot import collector_pace, ops
from bot.adapters.console import ConsoleAdapter
from bot.adapters.outbound import outbound_deliveries
from bot.alerts import MaintainerAlerts
from bot.app_background import BackgroundBuilders
from bot.clock import Clock
from bot.config import Settings
from bot.context import Context, Ports
from bot.credentials import Secrets
from bot.delivery import Delivery
from bot.evaluation import Evaluator
from bot.feeds.routes import mount as mount_feeds
from bot.health import Health
from bot.metrics import Metrics
from bot.posting import PostHooks
from bot.reply import Reply
from bot.router import CommandDef, Router
from bot.runtime import PlatformService, Service, on_signals, probe_state, start_http_server
from bot.state import State, open_state
from bot.store.file_scope import file_scope
from bot.store.gitsync import GitSync
from bot.store.history import GitHistory
from bot.store.live import LiveStore
from bot.store.reloader import StoreWatcher
from bot.targets import CONSOLE, Target
from handlers import ALL_COMMANDS

log = logging.getLogger(__name__)

CONNECT_HINT = (
    "No chat credentials found, so Briefbot runs in this terminal. To connect Slack, set SLACK_BOT_TOKEN and "
    "SLACK_APP_TOKEN (Socket Mode) or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode); for Discord, set "
    "DISCORD_TOKEN. See README.md."
)


class App(BackgroundBuilders):
    def __init__(
        self,
        settings: Settings,
        secrets: Secrets | None = None,
        *,
        live_store: LiveStore | None = None,
        commands: Sequence[CommandDef] = ALL_COMMANDS,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock(as_of=settings.as_of, timezone=settings.timezone)
        self.secrets = secrets or Secrets()
        self.live_store = live_store or LiveStore(settings.store, max_bytes=settings.max_file_bytes)
        self.metrics = Metrics()  # a registry per App, so several apps in one process never collide
        self.post_hooks = PostHooks(on_result=self.metrics.post_result, on_retry_after=self.metrics.rate_limited)
        self.live_store.on_reload = self.metrics.reloaded
        self.router = Router(
            commands,
            prefix=settings.slack.command_prefix,
            on_answer=self.metrics.command,
            limit=settings.max_concurrent_commands,
        )
        self.briefing_options = settings.briefing
        self.http = web.Application()  # the one HTTP server: Slack HTTP mode, health, webhooks mount here
        self.git_sync = (
            GitSync(self.live_store, interval=settings.git_pull_seconds) if settings.git_pull_seconds else None
        )
        # What each part says about itself: /healthz reads it, and run() stops when a part fails for good.
        self.health = Health()
        ops.mount(
            self.http, self.live_store, self.git_sync, operator_token=self.secrets.operator_token, health=self.health
        )
        self.metrics.mount(self.http, self.live_store, self.health)  # GET /metrics, guarded by ops like /status
        mount_feeds(self.http, self.live_store, self.clock.today, settings.http, self.briefing_options)  # public
        self.services: list[Service] = []
        self.state: State | None = None
        self.evaluator: Evaluator | None = None  # started by run(): read-only commands off the main loop
        self.console = ConsoleAdapter(self.ask)
        # Delivery by platform name (a Target's ``platform``); adapters add themselves when built.
        self.deliveries: dict[str, Delivery] = {"console": self.console}
        self.deliveries.update(outbound_deliveries(settings, self.secrets, now=self.clock.now))  # e-mail, webhooks
        # Everything a handler may use besides the store; the scheduler port is filled when it is built.
        self.ports = Ports(
            clock=self.clock,
            state=self.state_scope,
            deliveries=self.deliveries,
            live_store=self.live_store,
            briefing=self.briefing_options,
            configured_subscriptions=tuple(settings.subscriptions),
            timezone=settings.timezone,
            history=GitHistory(self.live_store.root) if settings.git_history else None,  # git mode or not
        )

    def context(
        self,
        target: Target = CONSOLE,
        *,
        user: str | None = None,
        roles: Sequence[str] = (),
        today: dt.date | None = None,
        is_admin: bool | None = None,
    ) -> Context:
        """The one place admin rights are decided: a user id or one of their platform role ids in ``admins``."""
        admins = self.settings.admins
        admin = (
            is_admin
            if is_admin is not None
            else ((user is not None and user in admins) or any(r in admins for r in roles))
        )
        return Context(
            store=self.live_store.current,
            today=today or self.clock.today(),
            target=target,
            user=user,
            default_deal=self.settings.default_deals.get(str(target)),
            is_admin=admin or target.platform == "console",
            specs=self.router.specs,
            prefix=self.router.prefix,
            ports=self.ports,
            language=self.settings.channel_languages.get(str(target), self.settings.language),
        )

    async def ask(
        self, text: str, target: Target = CONSOLE, *, today: dt.date | None = None, user: str | None = None
    ) -> Reply:
        return await self.router.handle_text(text, self.context(target, today=today, user=user))

    async def open_state(self) -> State:
        if self.state is None:
            self.state = await open_state(self.settings.state_url, pool=self.settings.max_concurrent_commands)
        return self.state

    async def background_state(self) -> State:
        """The state through its own pool, for the scheduler and alerts (commands cannot starve them)."""
        return (await self.open_state()).background()

    @contextlib.asynccontextmanager
    async def state_scope(self) -> AsyncIterator[State]:
        """The state database for one command: the running bot's, else one opened and closed around it (a
        one-shot ``briefbot ask``, or a test that never starts the bot). On the evaluation thread, its own."""
        if self.evaluator is not None and self.evaluator.here():
            yield await self.evaluator.state()
            return
        if self.state is not None:
            yield self.state
            return
        state = await open_state(self.settings.state_url)
        try:
            yield state
        finally:
            await state.close()

    async def run(self, *, console: bool | None = None) -> None:
        """Start every configured platform; with none configured (or ``console=True``), the terminal.

        SIGINT and SIGTERM stop it cleanly at any point, start-up included. A part that fails for good (a
        platform whose token was reset) stops it too, raising :class:`~bot.health.PartFailed`, so the process
        exits non-zero and whatever supervises it restarts it.
        """
        stop = asyncio.Event()
        on_signals(stop.set)
        runner: web.AppRunner | None = None
        try:
            state = await self.open_state()
            self.start_evaluator()
            collector_pace.set_pace()  # a burst's garbage collections paused every thread for seconds
            self.health.probe("state", lambda: probe_state(state))
            platforms = self._platform_services()  # before the HTTP server starts: Slack HTTP mode mounts a route
            runner = await self.start_http()
            self.services.extend(platforms)
            self.services.extend(self._background_services())
            self.services.extend(self._store_services())
            for service in self.services:
                if stop.is_set():
                    return
                failed = self.health.error()
                if failed is not None:
                    raise failed
                await service.start()
            if self.ports.scheduler is not None:  # started above: a failed start raised instead
                self.health.ok("scheduler")
            waits: list[asyncio.Task[Any]] = [
                asyncio.create_task(stop.wait()),
                asyncio.create_task(self.health.fatal.wait()),
            ]
            if console or (console is None and not platforms):
                if not platforms:
                    print(CONNECT_HINT)
                waits.append(asyncio.create_task(self.console.repl()))
            done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            for task in done:
                task.result()
            failed = self.health.error()
            if failed is not None and not stop.is_set():
                raise failed
        finally:
            for service in reversed(self.services):
                await service.stop()
            if runner is not None:
                await runner.cleanup()
            await self.health.close()  # a database probe still in flight
            if self.evaluator is not None:
                await self.evaluator.close()
            if self.state is not None:
                await self.state.close()

    def start_evaluator(self) -> None:
        """Evaluate ``off_loop`` commands on the evaluation thread, with its own connections to the state database
        (an in-memory database cannot be shared with another loop: those commands then stay on this one)."""
        state = self.state
        if state is None or state.background() is state or self.evaluator is not None:
            return
        url, pool = self.settings.state_url, self.settings.max_concurrent_commands
        self.evaluator = Evaluator(lambda: open_state(url, migrate=False, pool=pool, background=1))
        self.router.evaluator = self.evaluator

    def _platform_services(self) -> list[Service]:
        """One service per platform whose credentials are set, its delivery registered in ``deliveries``."""
        services: list[Service] = []
        if self.secrets.slack_ready:
            services.append(self.platform_service("slack"))
        if self.secrets.discord_token:
            services.append(self.platform_service("discord"))
        return services

    def platform_service(self, platform: str) -> PlatformService:
        """Build a platform's adapter from exactly the parts it uses (imported only when its credentials are set,
        so a console-only run never loads Slack or Discord code) and register its delivery."""
        from bot.adapters.parts import PlatformParts

        parts = PlatformParts(
            router=self.router,
            context=self.context,
            health=self.health,
            store=lambda: self.live_store.current,
            state=self.open_state,
            http=self.http if self.settings.http.enabled else None,
        )
        config = self.settings.slack if platform == "slack" else self.settings.discord
        service: PlatformService = importlib.import_module(f"bot.adapters.{platform}").build_service(
            parts, config, self.secrets
        )
        self.deliveries[platform] = service.delivery
        return service

    def _store_services(self) -> list[Service]:
        """Live reload, and alerts to the maintainers' channel when a file is held back or fixed."""
        if self.settings.maintainers_channel:
            target = Target.parse(self.settings.maintainers_channel)
            alerts = MaintainerAlerts(
                target,
                self.deliveries,
                asyncio.get_running_loop(),
                open_state=self.background_state,
                now=self.clock.now,
                scope_of=lambda path: file_scope(self.live_store, path),
                hooks=self.post_hooks,
            )
            self.live_store.subscribe(alerts)
        services: list[Service] = [StoreWatcher(self.live_store)] if self.settings.watch else []
        if self.git_sync is not None:
            services.append(self.git_sync)
        return services

    def _background_services(self) -> list[Service]:
        """Started once per process (never on a platform's reconnect): the scheduler, store watchers."""
        scheduler = self.build_scheduler()  # once per process: never from a platform's ready event
        return [
            scheduler,
            self.build_watch_alerts(claimant=scheduler.claimant),
            self.build_review_reminders(claimant=scheduler.claimant),
        ]

    async def start_http(self) -> web.AppRunner | None:
        """The one HTTP server, when enabled (a port in use is logged, not fatal)."""
        if not self.settings.http.enabled:
            return None
        return await start_http_server(self.http, self.settings.http.host, self.settings.http.port)
