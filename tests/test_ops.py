"""Operator surfaces: the HTTP status/reload endpoints, `briefbot status`, and maintainer alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from aiohttp import web

from bot import ops
from bot.alerts import MaintainerAlerts
from bot.reply import Reply
from bot.store.live import LiveStore
from bot.targets import Target
from tests.store.minimal import FILES, write_store

FISH = "deals/north-south/topics/fish.md"


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def test_status_and_reload_endpoints_report_held_files(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    app = web.Application()
    ops.mount(app, live)
    runner, base = await _serve(app)
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            status = (await client.get("/status")).json()
            assert status["documents"] == 5
            assert status["held"] == []
            (tmp_path / FISH).write_text(FILES[FISH].replace("status: in_talks", "status: oops"))
            reloaded = (await client.post("/reload")).json()
            assert [h["path"] for h in reloaded["held"]] == [FISH]
            assert reloaded["held"][0]["serving_last_good"] is True
            assert reloaded["held"][0]["problems"][0].startswith(f"{FISH}:5:")
            assert (await client.get("/healthz")).json()["status"] == "ok"
    finally:
        await runner.cleanup()


class RecordingDelivery:
    platform = "slack"

    def __init__(self) -> None:
        self.posts: list[tuple[str, Reply, str]] = []

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        self.posts.append((str(target), reply, key))
        return f"m{len(self.posts)}"


async def test_maintainers_hear_once_when_a_file_breaks_and_once_when_fixed(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path))
    delivery = RecordingDelivery()
    alerts = MaintainerAlerts(Target.parse("slack:T1:CMAINT"), {"slack": delivery}, asyncio.get_running_loop())
    live.subscribe(alerts)
    broken = FILES[FISH].replace("status: in_talks", "status: oops")
    (tmp_path / FISH).write_text(broken)
    await asyncio.to_thread(live.apply, [FISH])
    await asyncio.to_thread(live.apply, [FISH])  # same problem again: no second alert
    (tmp_path / FISH).write_text(FILES[FISH])
    await asyncio.to_thread(live.apply, [FISH])
    await alerts.drain()
    assert [p[1].title for p in delivery.posts] == [f"Store file held back: {FISH}", f"Fixed: {FISH}"]
    assert all(p[0] == "slack:T1:CMAINT" for p in delivery.posts)
    assert "'status'" in delivery.posts[0][1].sections[0].text


def test_status_cli_reads_files_when_no_bot_runs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bot.cli import cli

    root = write_store(tmp_path / "store")
    monkeypatch.setenv("BRIEFBOT_HTTP__PORT", "9")  # discard port: nothing answers
    result = CliRunner().invoke(cli, ["status", "--store", str(root)])
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output and "no running bot answered" in result.output
    assert "((" not in result.output


async def test_health_and_reload_commands(tmp_path: Path) -> None:
    import datetime as dt

    from bot.context import Context
    from bot.render_text import render_text
    from bot.router import Router
    from handlers import health
    from handlers import reload as reload_cmd

    live = LiveStore(write_store(tmp_path))
    router = Router([health.COMMAND, reload_cmd.COMMAND])

    def ctx(admin: bool) -> Context:
        return Context(store=live.current, today=dt.date(2025, 5, 2), is_admin=admin, services={"live_store": live})

    (tmp_path / FISH).write_text(FILES[FISH].replace("status: in_talks", "status: oops"))
    refused = await router.handle_text("/reload", ctx(admin=False))
    assert "for Briefbot admins" in render_text(refused)
    assert live.held == {}  # nothing ran
    done = await router.handle_text("/reload", ctx(admin=True))
    assert "1 file(s) held back" in render_text(done)
    text = render_text(await router.handle_text("/health", ctx(admin=False)))
    assert FISH in text and "last good version serving" in text


async def test_secrets_never_appear_in_health_status_or_logs(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from bot.app import App
    from bot.config import Secrets, Settings
    from bot.render_text import render_text

    secret = "xoxb-very-secret-token-123"
    settings = Settings(store=write_store(tmp_path / "store"), state_url=f"sqlite+aiosqlite:///{tmp_path}/s.db")
    with caplog.at_level(logging.DEBUG):
        app = App(settings, Secrets(slack_bot_token=secret, discord_token="discord-secret-456"))
        health = render_text(await app.ask("/health"))
        assert "Store health" in health
        status = ops.store_status(app.live_store)
    for text in (health, str(status), caplog.text, repr(app.secrets), repr(settings)):
        assert secret not in text
        assert "discord-secret-456" not in text


async def test_two_replicas_tell_the_maintainers_once(tmp_path: Path) -> None:
    from bot.state import open_state

    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/shared.db")
    live_a = LiveStore(write_store(tmp_path / "a"))
    live_b = LiveStore(write_store(tmp_path / "b"))  # two replicas, each with its own checkout of the same store
    delivery = RecordingDelivery()
    loop = asyncio.get_running_loop()

    async def shared_state():  # type: ignore[no-untyped-def]
        return state

    for name, live in (("a", live_a), ("b", live_b)):
        live.subscribe(
            MaintainerAlerts(
                Target.parse("slack:T1:CMAINT"), {"slack": delivery}, loop, open_state=shared_state, claimant=name
            )
        )
    for live in (live_a, live_b):
        (live.root / FISH).write_text(FILES[FISH].replace("status: in_talks", "status: oops"))
        await asyncio.to_thread(live.apply, [FISH])
    for _ in range(200):
        await asyncio.sleep(0.01)
    assert [p[1].title for p in delivery.posts] == [f"Store file held back: {FISH}"]
    await state.close()
