"""Prometheus metrics on the app's HTTP server: scraped over real loopback HTTP and parsed as Prometheus does."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot import ops
from bot.app import App
from bot.config import Settings
from bot.credentials import Secrets
from bot.errors import TransientDeliveryError
from bot.posting import Poster, PostKind, PostRequest, PostResult, RetryPolicy
from bot.reply import Reply
from bot.targets import Target
from tests.store.minimal import write_store

PROXIED = {"X-Forwarded-For": "203.0.113.9"}
TOKEN = "metrics-operator-token"
TARGET = Target.parse("slack:T1:C1")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _app(tmp_path: Path, token: str | None = None) -> App:
    settings = Settings(store=write_store(tmp_path / "store"), state_url=f"sqlite+aiosqlite:///{tmp_path}/s.db")
    return App(settings, Secrets(operator_token=token))


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[App, str]]:
    app = _app(tmp_path)
    runner = web.AppRunner(app.http)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await app.open_state()
    yield app, f"http://127.0.0.1:{port}"
    await runner.cleanup()
    assert app.state is not None
    await app.state.close()


async def _scrape(base: str, headers: dict[str, str] | None = None) -> Samples:
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class RateLimitedOnce:
    """A platform that answers the first post with a rate limit (Retry-After) and takes the second."""

    platform = "slack"

    def __init__(self) -> None:
        self.calls = 0

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        self.calls += 1
        if self.calls == 1:
            raise TransientDeliveryError("rate limited", retry_after=0.01)
        return f"msg-{self.calls}"


async def _post(app: App, key: str) -> PostResult:
    assert app.state is not None
    now = dt.datetime.now(dt.UTC)
    poster = Poster(
        state=app.state,
        deliveries={"slack": RateLimitedOnce()},
        claimant="test",
        now=lambda: dt.datetime.now(dt.UTC),
        policy=RetryPolicy(),
        hooks=app.post_hooks,
    )
    request = PostRequest(
        kind=PostKind.BRIEFING,
        key=key,
        target=TARGET,
        deal="north-south",
        local_date=now.date(),
        deadline=now + dt.timedelta(minutes=30),
        reply=Reply(title="Briefing"),
    )
    return await poster.post(request)


async def test_commands_posts_rate_limits_and_store_are_counted(served: tuple[App, str]) -> None:
    app, base = served
    before = await _scrape(base)
    assert _value(before, "briefbot_commands_total", command="deal", outcome="ok") == 0

    await app.ask("/deal")
    await app.ask("/who nobody-by-that-name")
    await app.ask("/nosuchcommand")  # a name the user typed never becomes a label
    result = await _post(app, "slack:T1:C1|north-south|2025-05-02")
    assert result.delivered
    assert (await _post(app, "slack:T1:C1|north-south|2025-05-02")).outcome.value == "done"  # already sent
    app.health.connecting("slack", "reconnecting")

    after = await _scrape(base)
    assert _value(after, "briefbot_commands_total", command="deal", outcome="ok") == 1
    assert _value(after, "briefbot_commands_total", command="who", outcome="not_found") == 1
    assert _value(after, "briefbot_commands_total", command="unknown", outcome="user_error") == 1
    assert not any("nosuchcommand" in str(labels) for _, labels in after)
    assert _value(after, "briefbot_answer_seconds_count", command="deal") == 1
    assert _value(after, "briefbot_answer_seconds_sum", command="deal") > 0
    assert _value(after, "briefbot_posts_total", kind="brief", outcome="sent") == 1
    assert _value(after, "briefbot_posts_total", kind="brief", outcome="done") == 1
    assert _value(after, "briefbot_rate_limit_waits_total", kind="brief") == 1
    assert _value(after, "briefbot_rate_limit_wait_seconds_total", kind="brief") == pytest.approx(0.01)
    assert _value(after, "briefbot_store_documents") == len(app.live_store.current.documents) > 0
    assert _value(after, "briefbot_store_files_held_back") == 0
    assert _value(after, "briefbot_part_state", part="slack", state="connecting") == 1
    assert _value(after, "briefbot_part_state", part="slack", state="ok") == 0


async def test_a_held_back_file_and_a_reload_show(served: tuple[App, str]) -> None:
    app, base = served
    fish = app.live_store.root / "deals/north-south/topics/fish.md"
    fish.write_text("---\nid: [broken\n---\n", encoding="utf-8")
    await app.ask("/reload")
    samples = await _scrape(base)
    assert _value(samples, "briefbot_store_files_held_back") == 1
    assert _value(samples, "briefbot_commands_total", command="reload", outcome="ok") == 1


async def test_two_apps_keep_their_own_counts(tmp_path: Path) -> None:
    first, second = _app(tmp_path / "a"), _app(tmp_path / "b")  # a global registry would refuse the second
    await first.ask("/help")
    assert first.metrics.registry.get_sample_value("briefbot_commands_total", {"command": "help", "outcome": "ok"})
    assert not second.metrics.registry.get_sample_value("briefbot_commands_total", {"command": "help", "outcome": "ok"})


async def _serve_app(app: App) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app.http)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def test_metrics_are_guarded_like_the_operator_endpoints(tmp_path: Path) -> None:
    open_runner, open_base = await _serve_app(_app(tmp_path / "open"))
    locked_runner, locked_base = await _serve_app(_app(tmp_path / "locked", token=TOKEN))
    try:
        async with httpx.AsyncClient() as client:
            proxied = await client.get(f"{open_base}/metrics", headers=PROXIED)
            local = await client.get(f"{open_base}/metrics")
            no_token = await client.get(f"{locked_base}/metrics")
            wrong = await client.get(f"{locked_base}/metrics", headers={"Authorization": "Bearer nope"})
            right = await client.get(f"{locked_base}/metrics", headers={"Authorization": f"Bearer {TOKEN}", **PROXIED})
    finally:
        await open_runner.cleanup()
        await locked_runner.cleanup()
    assert proxied.status_code == 403 and proxied.json() == {"error": ops.NO_TOKEN_OFF_LOOPBACK}
    assert "briefbot_" not in proxied.text
    assert local.status_code == 200 and "briefbot_commands_total" in local.text
    assert (no_token.status_code, wrong.status_code) == (401, 401)
    assert "briefbot_" not in no_token.text + wrong.text
    assert right.status_code == 200 and "briefbot_store_documents" in right.text
