"""Operator surfaces: the HTTP status/reload endpoints, `briefbot status`, and maintainer alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
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
    from bot.state import open_state

    live = LiveStore(write_store(tmp_path / "store"))
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db")
    delivery = RecordingDelivery()

    async def the_state():  # type: ignore[no-untyped-def]
        return state

    alerts = MaintainerAlerts(
        Target.parse("slack:T1:CMAINT"), {"slack": delivery}, asyncio.get_running_loop(), open_state=the_state
    )
    live.subscribe(alerts)
    broken = FILES[FISH].replace("status: in_talks", "status: oops")
    (live.root / FISH).write_text(broken)
    await asyncio.to_thread(live.apply, [FISH])
    await asyncio.to_thread(live.apply, [FISH])  # same problem again: no second alert
    (live.root / FISH).write_text(FILES[FISH])
    await asyncio.to_thread(live.apply, [FISH])
    await alerts.drain()
    await state.close()
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

    from bot.context import Context, Ports
    from bot.render_text import render_text
    from bot.router import Router
    from handlers import health
    from handlers import reload as reload_cmd

    live = LiveStore(write_store(tmp_path))
    router = Router([health.COMMAND, reload_cmd.COMMAND])

    def ctx(admin: bool) -> Context:
        return Context(store=live.current, today=dt.date(2025, 5, 2), is_admin=admin, ports=Ports(live_store=live))

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
    from bot.config import Settings
    from bot.credentials import Secrets
    from bot.logs import JsonFormatter
    from bot.render_text import render_text

    secret = "xoxb-very-secret-token-123"
    settings = Settings(store=write_store(tmp_path / "store"), state_url=f"sqlite+aiosqlite:///{tmp_path}/s.db")
    with caplog.at_level(logging.DEBUG):
        app = App(settings, Secrets(slack_bot_token=secret, discord_token="discord-secret-456"))
        health = render_text(await app.ask("/health"))
        assert "Store health" in health
        status = ops.store_status(app.live_store)
    json_lines = "\n".join(JsonFormatter().format(record) for record in caplog.records)  # what a service writes
    assert json_lines
    for text in (health, str(status), caplog.text, json_lines, repr(app.secrets), repr(settings)):
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

    replicas = [
        MaintainerAlerts(
            Target.parse("slack:T1:CMAINT"), {"slack": delivery}, loop, open_state=shared_state, claimant=name
        )
        for name in "ab"
    ]
    for live, alerts in zip((live_a, live_b), replicas, strict=True):
        live.subscribe(alerts)
    for live in (live_a, live_b):
        (live.root / FISH).write_text(FILES[FISH].replace("status: in_talks", "status: oops"))
        await asyncio.to_thread(live.apply, [FISH])
    for alerts in replicas:
        await alerts.drain()  # both replicas have tried: one posted, the other found the key claimed
    assert [p[1].title for p in delivery.posts] == [f"Store file held back: {FISH}"]
    await state.close()


# --- who may call the operator endpoints ----------------------------------------------------------------------

PROXIED = {"X-Forwarded-For": "203.0.113.7"}  # what a reverse proxy on this host adds: the caller is not local
TOKEN = "op-token-1234567890"


async def _serve_ops(tmp_path: Path, **kwargs: Any) -> tuple[web.AppRunner, str, LiveStore]:
    live = LiveStore(write_store(tmp_path))
    app = web.Application()
    ops.mount(app, live, **kwargs)

    async def platform(request: web.Request) -> web.Response:  # stands in for Slack HTTP mode's route
        return web.json_response({"platform": True})

    app.router.add_post("/slack/events", platform)  # mounted after ops, as the Slack adapter does
    runner, base = await _serve(app)
    return runner, base, live


async def test_without_a_token_operator_endpoints_refuse_callers_off_loopback(tmp_path: Path) -> None:
    runner, base, live = await _serve_ops(tmp_path, operator_token=None)
    loaded = live.reloads
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            reloads = await asyncio.gather(*(client.post("/reload", headers=PROXIED) for _ in range(50)))
            status = await client.get("/status", headers=PROXIED)
            local = await client.get("/status")  # loopback, no proxy: the local operator needs no token
            health = await client.get("/healthz", headers=PROXIED)
    finally:
        await runner.cleanup()
    assert {r.status_code for r in reloads} == {403}
    assert live.reloads == loaded  # none of the 50 ran
    assert status.status_code == 403
    assert status.json() == {"error": ops.NO_TOKEN_OFF_LOOPBACK}
    assert "\n" not in status.text and "documents" not in status.text
    assert local.status_code == 200 and local.json()["documents"] == 5
    assert health.status_code == 200


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, 401),
        ("Bearer wrong-token", 401),
        (f"Basic {TOKEN}", 401),
        (f"Bearer {TOKEN}x", 401),
        ("Bearer tökén".encode(), 401),  # non-ASCII: refused, not a 500
        (f"Bearer {TOKEN}", 200),
        (f"bearer {TOKEN}", 200),
    ],
)
async def test_with_a_token_every_operator_request_must_carry_it(
    tmp_path: Path, authorization: str | bytes | None, expected: int
) -> None:
    runner, base, live = await _serve_ops(tmp_path, operator_token=TOKEN)
    loaded = live.reloads
    headers: dict[str, Any] = {"Authorization": authorization} if authorization is not None else {}
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            local = await client.post("/reload", headers=headers)  # a proxy on this host connects from loopback
            proxied = await client.get("/status", headers={**headers, **PROXIED})
    finally:
        await runner.cleanup()
    assert (local.status_code, proxied.status_code) == (expected, expected)
    assert live.reloads - loaded == (1 if expected == 200 else 0)
    if expected == 401:
        assert local.json() == {"error": ops.BAD_TOKEN}
        assert local.headers["WWW-Authenticate"] == "Bearer"
        assert TOKEN not in local.text


async def test_the_public_surface_is_the_platform_routes_and_healthz(tmp_path: Path) -> None:
    runner, base, _ = await _serve_ops(tmp_path, operator_token=None)
    try:
        async with httpx.AsyncClient(base_url=base, headers=PROXIED) as client:
            assert (await client.post("/slack/events")).status_code == 200
            assert (await client.get("/healthz")).json()["status"] == "ok"
            for method, path in [
                ("GET", "/"),
                ("GET", "/metrics"),
                ("GET", "/reload"),  # a known path with the wrong method says no more than an unknown one
                ("GET", "/slack/events"),
                ("POST", "/healthz"),
                ("POST", "/git-sync"),  # not mounted without git mode
                ("GET", "/status/../reload"),
            ]:
                response = await client.request(method, path)
                assert response.status_code == 404, (method, path)
                assert response.json() == {"error": "not found"}
    finally:
        await runner.cleanup()


async def test_git_sync_is_guarded_like_reload(tmp_path: Path) -> None:
    from bot.store.gitsync import GitSync

    live = LiveStore(write_store(tmp_path))
    app = web.Application()
    ops.mount(app, live, GitSync(live), operator_token=TOKEN)
    runner, base = await _serve(app)
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            refused = await client.post("/git-sync")
    finally:
        await runner.cleanup()
    assert refused.status_code == 401


def test_the_token_comes_from_the_environment_or_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.credentials import Secrets

    token_file = tmp_path / "operator-token"
    token_file.write_text(f"{TOKEN}\n")
    assert Secrets.from_env({"BRIEFBOT_OPERATOR_TOKEN": TOKEN}).operator_token == TOKEN
    assert Secrets.from_env({"BRIEFBOT_OPERATOR_TOKEN_FILE": str(token_file)}).operator_token == TOKEN
    assert TOKEN not in repr(Secrets(operator_token=TOKEN))
    assert ops.operator_headers({"BRIEFBOT_OPERATOR_TOKEN_FILE": str(token_file)}) == {
        "Authorization": f"Bearer {TOKEN}"
    }
    assert ops.operator_headers({}) == {}


async def test_mount_reads_the_token_from_the_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_file = tmp_path / "operator-token"
    token_file.write_text(TOKEN)
    monkeypatch.setenv("BRIEFBOT_OPERATOR_TOKEN_FILE", str(token_file))
    runner, base, _ = await _serve_ops(tmp_path / "store")
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            without = await client.get("/status")
            with_headers = await client.get("/status", headers=ops.operator_headers())  # what the CLI sends
    finally:
        await runner.cleanup()
    assert (without.status_code, with_headers.status_code) == (401, 200)


@pytest.mark.parametrize(
    ("remote", "headers", "local"),
    [
        ("127.0.0.1", {}, True),
        ("127.8.9.10", {}, True),
        ("::1", {}, True),
        ("::ffff:127.0.0.1", {}, True),
        ("203.0.113.7", {}, False),
        ("10.0.0.5", {}, False),
        ("::ffff:10.0.0.5", {}, False),
        ("fe80::1%eth0", {}, False),
        (None, {}, False),
        ("not an address", {}, False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, False),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.7"}, False),
        ("127.0.0.1", {"X-Real-IP": "203.0.113.7"}, False),
    ],
)
def test_what_counts_as_loopback(remote: str | None, headers: dict[str, str], local: bool) -> None:
    from multidict import CIMultiDict

    assert ops.is_loopback(remote, CIMultiDict(headers)) is local


# --- held-back restricted files are shown only where they may be seen -------------------------------------------

SECRET_CHANNEL = "slack:T1:CSECRET"
RESTRICTED_FISH = FILES[FISH].replace("sources: [wire]\n", f"sources: [wire]\nrestricted_to: [{SECRET_CHANNEL}]\n")
LEAK = "leaked-secret-status"  # a value excerpt a problem message quotes
RESTRICTED_DEAL = FILES["deals/north-south/deal.yaml"] + f"restricted_to: [{SECRET_CHANNEL}]\n"
NEW_SECRET = "deals/north-south/topics/secret-plan.md"


def _break(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text.replace("status: in_talks", f"status: {LEAK}"))


async def _health_text(live: LiveStore, where: str) -> str:
    import datetime as dt

    from bot.context import Context, Ports
    from bot.render_text import render_text
    from bot.router import Router
    from handlers import health

    ctx = Context(
        store=live.current, today=dt.date(2025, 5, 2), target=Target.parse(where), ports=Ports(live_store=live)
    )
    return render_text(await Router([health.COMMAND]).handle_text("/health", ctx))


@pytest.mark.parametrize(
    ("case", "overrides", "broken"),
    [
        # the last good version says the topic is restricted
        ("restricted topic", {FISH: RESTRICTED_FISH}, (FISH, RESTRICTED_FISH)),
        # no last good version: the broken file's own front matter says so
        ("new restricted file", {}, (NEW_SECRET, RESTRICTED_FISH)),
        # the topic itself is open, but its deal is restricted
        (
            "topic of a restricted deal",
            {
                "deals/north-south/deal.yaml": FILES["deals/north-south/deal.yaml"]
                + f"restricted_to: [{SECRET_CHANNEL}]\n"
            },
            (FISH, FILES[FISH]),
        ),
    ],
)
async def test_health_shows_a_held_restricted_file_only_where_it_may_be_seen(
    tmp_path: Path, case: str, overrides: dict[str, str | None], broken: tuple[str, str]
) -> None:
    live = LiveStore(write_store(tmp_path, overrides))
    path, text = broken
    _break(live.root, path, text)
    await asyncio.to_thread(live.reload)
    assert path in live.held

    elsewhere = await _health_text(live, "slack:T1:CPUBLIC")
    assert path not in elsewhere and LEAK not in elsewhere, case
    assert "1 restricted file held back" in elsewhere
    console = await _health_text(live, "console:local")
    assert path not in console and LEAK not in console

    allowed = await _health_text(live, SECRET_CHANNEL)
    assert path in allowed and LEAK in allowed
    assert "restricted file held back" not in allowed


async def test_health_still_lists_open_files_beside_the_count(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path, {FISH: RESTRICTED_FISH}))
    _break(live.root, FISH, RESTRICTED_FISH)
    (live.root / "people/ada-lind.md").write_text(FILES["people/ada-lind.md"].replace("party: nl", "party: NL!"))
    await asyncio.to_thread(live.reload)
    text = await _health_text(live, "slack:T1:CPUBLIC")
    assert "people/ada-lind.md" in text and FISH not in text and LEAK not in text
    assert "1 restricted file held back" in text


async def test_http_status_has_no_viewer_so_it_shows_restricted_files_only_as_a_count(tmp_path: Path) -> None:
    live = LiveStore(write_store(tmp_path, {FISH: RESTRICTED_FISH}))
    app = web.Application()
    ops.mount(app, live, operator_token=None)
    runner, base = await _serve(app)
    try:
        _break(live.root, FISH, RESTRICTED_FISH)
        _break(live.root, NEW_SECRET, RESTRICTED_FISH)
        async with httpx.AsyncClient(base_url=base) as client:
            reloaded = await client.post("/reload")
            status = await client.get("/status")
    finally:
        await runner.cleanup()
    for response in (reloaded, status):
        body = response.json()
        assert body["held"] == [] and body["restricted_held"] == 2
        assert FISH not in response.text and NEW_SECRET not in response.text and LEAK not in response.text


async def test_status_and_reload_commands_carry_the_operator_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import cli

    runner, base, live = await _serve_ops(tmp_path / "store", operator_token=TOKEN)
    _break(
        live.root,
        FISH,
        FILES[FISH].replace("sources: [wire]\n", f"sources: [wire]\nrestricted_to: [{SECRET_CHANNEL}]\n"),
    )
    monkeypatch.setenv("BRIEFBOT_OPERATOR_TOKEN", TOKEN)
    monkeypatch.setenv("BRIEFBOT_HTTP__PORT", base.rsplit(":", 1)[1])
    try:
        reloaded = await asyncio.to_thread(CliRunner().invoke, cli, ["reload", "--store", str(live.root)])
        status = await asyncio.to_thread(CliRunner().invoke, cli, ["status", "--store", str(live.root)])
    finally:
        await runner.cleanup()
    assert reloaded.exit_code == 0, reloaded.output
    assert "1 file(s) held back" in reloaded.output
    assert status.exit_code == 1 and "(running bot)" in status.output, status.output
    assert "1 restricted file(s) held back" in status.output and LEAK not in status.output
