"""Prometheus metrics for one running bot, served at ``GET /metrics`` on the app's one HTTP server.

Each App has its own registry (never prometheus_client's global one), so several apps in one process (the tests,
two replicas in a bench) keep their own counts. Counters move through hooks the composition root installs: the
router's ``on_answer`` (every command passes its error boundary), the poster's ``on_result`` and
``on_retry_after`` (every post that must go out once), and :meth:`Metrics.reloaded`. Gauges (store documents,
files held back, each part's state) are read at scrape time from the live store and the health registry.
``/metrics`` is guarded by :mod:`bot.ops` exactly like the other operator endpoints.

Label values are always from a fixed set (declared command names, outcomes, post kinds, part names): nothing a user
types becomes a label, so the number of series stays bounded.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.health import Health, PartState
from bot.ops import METRICS_PATH
from bot.posting.request import PostRequest, PostResult
from bot.store.live import LiveStore

ANSWER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0, 10.0)  # 3 s: Slack/Discord's limit
RELOAD_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.commands = Counter(
            "briefbot_commands", "Commands answered, by command and outcome.", ["command", "outcome"], registry=registry
        )
        self.answer_seconds = Histogram(
            "briefbot_answer_seconds",
            "Time from a command reaching the router to its reply, by command.",
            ["command"],
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self._command_series: dict[tuple[str, str], tuple[Counter, Histogram]] = {}  # labels from a fixed set
        self.posts = Counter(
            "briefbot_posts",
            "Posts through the post-once path (briefings, alerts, notices), by kind and outcome.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.rate_limit_waits = Counter(
            "briefbot_rate_limit_waits",
            "Rate limits (429 with Retry-After) waited out before retrying a post, by post kind.",
            ["kind"],
            registry=registry,
        )
        self.rate_limit_wait_seconds = Counter(
            "briefbot_rate_limit_wait_seconds",
            "Seconds spent waiting out rate limits before retrying a post, by post kind.",
            ["kind"],
            registry=registry,
        )
        self.reload_seconds = Histogram(
            "briefbot_store_reload_seconds",
            "Time a store reload took; scope is 'full' (every file) or 'files' (only the changed ones).",
            ["scope"],
            buckets=RELOAD_BUCKETS,
            registry=registry,
        )
        self.documents = Gauge("briefbot_store_documents", "Documents in service.", registry=registry)
        self.held = Gauge(
            "briefbot_store_files_held_back",
            "Store files refused on their last reload (serving a last good version, or none).",
            registry=registry,
        )
        self.part_state = Gauge(
            "briefbot_part_state",
            "1 for each part's current state (ok, connecting, down), 0 for the others: platforms, scheduler, state.",
            ["part", "state"],
            registry=registry,
        )

    # Hooks -----------------------------------------------------------------------------------------------------

    def command(self, name: str, outcome: str, seconds: float) -> None:
        """The router's ``on_answer``; each (command, outcome)'s series are looked up once, not per answer."""
        series = self._command_series.get((name, outcome))
        if series is None:
            series = self._command_series[name, outcome] = (
                self.commands.labels(name, outcome),
                self.answer_seconds.labels(name),
            )
        series[0].inc()
        series[1].observe(seconds)

    def post_result(self, request: PostRequest, result: PostResult) -> None:
        """The poster's ``on_result``."""
        self.posts.labels(request.kind.value, result.outcome.value).inc()

    def rate_limited(self, request: PostRequest, seconds: float) -> None:
        """The poster's ``on_retry_after``."""
        self.rate_limit_waits.labels(request.kind.value).inc()
        self.rate_limit_wait_seconds.labels(request.kind.value).inc(seconds)

    def reloaded(self, seconds: float, *, full: bool) -> None:
        self.reload_seconds.labels("full" if full else "files").observe(seconds)

    # Serving ---------------------------------------------------------------------------------------------------

    def mount(self, http: web.Application, live: LiveStore, health: Health) -> None:
        """Add ``GET /metrics``; its guard is :func:`bot.ops.mount`'s middleware."""
        self.documents.set_function(lambda: len(live.current.documents))
        self.held.set_function(lambda: len(live.held))

        async def scrape(request: web.Request) -> web.Response:
            await self.read_health(health)
            return web.Response(body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

        http.router.add_get(METRICS_PATH, scrape)

    async def read_health(self, health: Health) -> None:
        """Each part's state now (probed parts, such as the state database, are asked), as 1/0 per state."""
        parts = await health.parts()
        self.part_state.clear()  # a part the app forgot must not linger with its last state
        for part in parts:
            for state in PartState:
                self.part_state.labels(part.name, state.value).set(1 if part.state is state else 0)


__all__ = ["Metrics"]
