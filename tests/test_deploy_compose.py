"""deploy/compose.yaml: two Briefbot replicas on one PostgreSQL post each daily briefing once, even when one of
them is killed and restarted while the briefings go out.

The stack runs on the host's network, as deploy/compose.yaml says, against the repo's fake Slack on 127.0.0.1
(Socket Mode and Web API); nothing leaves loopback. It needs a Docker engine, a compose tool (the Debian package
``docker-compose``, or the ``docker compose`` plugin), the Dockerfile's base image (``deploy/make-base-image.sh``)
and root (secret files are handed to the container users by uid). Without any of them the end-to-end test is
skipped with the reason in pytest's summary; the compose file's own checks need only PyYAML and always run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.ext.asyncio import create_async_engine

from tests.fakes.slack_api import TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
REPLICAS = ("briefbot-a", "briefbot-b")
CHANNELS = ("C0COMPOSE1", "C0COMPOSE2", "C0COMPOSE3", "C0COMPOSE4")
BUILD_TIMEOUT = 900  # a cold build of both images (pip wheels, Debian's postgresql) is a few minutes
UP_TIMEOUT = 120.0  # from `up -d` to both replicas connected to Slack
POST_TIMEOUT = 180.0  # from the fire time to every briefing recorded


def _compose_file() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


# --- the file itself: no engine needed ----------------------------------------------------------------------


def test_compose_file_declares_two_replicas_on_one_postgresql_with_file_secrets() -> None:
    services = _compose_file()["services"]
    assert set(services) == {"postgres", *REPLICAS}
    ports = set()
    for name in REPLICAS:
        svc = services[name]
        env = svc["environment"]
        assert env["BRIEFBOT_STATE_URL"].startswith("postgresql+asyncpg://"), "replicas share PostgreSQL"
        assert ":" not in env["BRIEFBOT_STATE_URL"].split("://", 1)[1].split("@", 1)[0], "no password in the URL"
        assert {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}.isdisjoint(env), "tokens come from files, never values"
        assert env["SLACK_BOT_TOKEN_FILE"].startswith("/run/secrets/")
        assert svc["read_only"] is True
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert any(str(v).endswith(":/data") for v in svc["volumes"]), "state and caches on a volume"
        ports.add(env["BRIEFBOT_HTTP__PORT"])
    assert len(ports) == 2, "on the host's network each replica needs its own HTTP port"


# --- the stack, end to end ------------------------------------------------------------------------------------


def _succeeds(*cmd: str) -> bool:
    return subprocess.run(cmd, check=False, capture_output=True, timeout=30).returncode == 0


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and _succeeds("docker", "compose", "version"):
        return ["docker", "compose"]
    found = shutil.which("docker-compose")
    return [found] if found else None


def _why_not() -> str | None:
    """None when the stack can run here; otherwise why not."""
    if shutil.which("docker") is None:
        return "no docker CLI on PATH (apt-get install docker.io, then start dockerd)"
    if not _succeeds("docker", "info"):
        return "no Docker engine reachable; start dockerd to run the compose test"
    if _compose_command() is None:
        return "no compose tool: apt-get install docker-compose (Debian's v1), or the docker compose plugin"
    if not _succeeds("docker", "image", "inspect", "python:3.11-slim"):
        return "base image python:3.11-slim missing and cannot be pulled here: run deploy/make-base-image.sh"
    if os.geteuid() != 0:
        return "needs root to give the secret files to the containers' users (uid 10001, postgres)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    compose: list[str]
    env: dict[str, str]
    ports: dict[str, int]
    pg_port: int
    pg_password: str

    async def run(self, *args: str, within: float = 120) -> str:
        proc = await asyncio.create_subprocess_exec(
            *self.compose,
            *args,
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), within)
        text = out.decode(errors="replace")
        assert proc.returncode == 0, f"{' '.join(args)} failed:\n{text[-3000:]}"
        return text

    def health(self, replica: str) -> dict[str, Any] | None:
        url = f"http://127.0.0.1:{self.ports[replica]}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                body: dict[str, Any] = json.load(resp)
                return body
        except (OSError, urllib.error.URLError, ValueError):
            return None

    async def briefing_states(self) -> dict[str, str]:
        """target -> post state of every daily briefing in the shared post log."""
        url = f"postgresql+asyncpg://briefbot:{self.pg_password}@127.0.0.1:{self.pg_port}/briefbot"
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.text("SELECT target, state FROM posts WHERE kind = 'brief'"))).all()
        finally:
            await engine.dispose()
        return {str(target): str(state) for target, state in rows}


async def _until(what: str, check: Callable[[], Any], within: float, stack: Stack) -> None:
    """Poll an observable condition (the stack runs in other processes: there is nothing to await)."""
    deadline = time.monotonic() + within
    while True:
        if await check() if asyncio.iscoroutinefunction(check) else check():
            return
        if time.monotonic() > deadline:
            logs = await stack.run("logs", "--no-color", "--tail", "40")
            pytest.fail(f"timed out waiting for {what}\n{logs[-6000:]}")
        await asyncio.sleep(0.2)


def _write_secrets(folder: Path, pg_password: str) -> None:
    folder.mkdir()
    files = {
        "slack_bot_token": ("xoxb-compose-test", 10001, 0o400),
        "slack_app_token": ("xapp-compose-test", 10001, 0o400),
        "pgpass": (f"127.0.0.1:*:briefbot:briefbot:{pg_password}", 10001, 0o600),  # asyncpg wants 0600
        "postgres_password": (pg_password, 0, 0o444),  # read once by initdb, as the image's postgres user
    }
    for name, (value, uid, mode) in files.items():
        path = folder / name
        path.write_text(value + "\n", encoding="utf-8")
        os.chown(path, uid, uid)
        path.chmod(mode)


def _fire_time(lead: dt.timedelta) -> dt.datetime:
    """The first whole UTC minute at least ``lead`` from now: the subscriptions' posting time."""
    soon = dt.datetime.now(dt.UTC) + lead
    return soon.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.mark.slow
async def test_two_replicas_post_each_briefing_once_while_one_is_killed_and_restarted(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    reason = _why_not()
    if reason is not None:
        pytest.skip(reason)
    compose = _compose_command()
    assert compose is not None
    pg_password = secrets.token_urlsafe(16)
    _write_secrets(tmp_path / "secrets", pg_password)
    ports = {name: _free_port() for name in REPLICAS}
    stack = Stack(
        compose=[*compose, "-f", str(COMPOSE_FILE), "-p", f"bbtest{uuid.uuid4().hex[:8]}"],
        env={
            **os.environ,
            "BRIEFBOT_SECRETS": str(tmp_path / "secrets"),
            "BRIEFBOT_CONFIG_FILE": str(tmp_path / "briefbot.yaml"),
            "BRIEFBOT_PG_PORT": str(_free_port()),
            "BRIEFBOT_A_PORT": str(ports["briefbot-a"]),
            "BRIEFBOT_B_PORT": str(ports["briefbot-b"]),
        },
        ports=ports,
        pg_port=0,
        pg_password=pg_password,
    )
    stack.pg_port = int(stack.env["BRIEFBOT_PG_PORT"])
    try:
        await stack.run("build", within=BUILD_TIMEOUT)
        # Built first, so the posting time (a whole minute) leaves the stack enough time to start, and no more.
        fire = _fire_time(dt.timedelta(seconds=40))
        config = {
            "timezone": "UTC",
            "slack": {"mode": "socket", "api_url": fake_slack.api_url},
            "scheduler": {"lease_seconds": 10, "reload_seconds": 5},
            "subscriptions": [
                {
                    "target": f"slack:{TEAM_ID}:{channel}",
                    "deal": "canada-us",
                    "time": fire.strftime("%H:%M"),
                    "timezone": "UTC",
                    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                }
                for channel in CHANNELS
            ],
        }
        (tmp_path / "briefbot.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        (tmp_path / "briefbot.yaml").chmod(0o644)
        await stack.run("up", "-d", within=UP_TIMEOUT)

        def all_ok() -> bool:
            return all((h := stack.health(r)) is not None and h["status"] == "ok" for r in REPLICAS)

        await _until("both replicas healthy and connected to Slack", all_ok, UP_TIMEOUT, stack)
        assert dt.datetime.now(dt.UTC) < fire, "the stack started after the posting time: raise the lead"

        # The first briefing lands: kill one replica at once (no graceful stop), whatever it holds, then restart it.
        fire_wait = (fire - dt.datetime.now(dt.UTC)).total_seconds() + POST_TIMEOUT
        await _until("the first briefing", lambda: any(fake_slack.posts(c) for c in CHANNELS), fire_wait, stack)
        await stack.run("kill", "-s", "SIGKILL", "briefbot-a")
        await stack.run("start", "briefbot-a")

        async def settled() -> bool:
            states = await stack.briefing_states()
            return len(states) == len(CHANNELS) and all(s not in ("claimed", "sending") for s in states.values())

        await _until("every briefing recorded", settled, POST_TIMEOUT, stack)
        await _until(
            "the restarted replica healthy",
            lambda: (stack.health("briefbot-a") or {}).get("status") == "ok",
            UP_TIMEOUT,
            stack,
        )

        counts = {c: len(fake_slack.posts(c)) for c in CHANNELS}
        states = await stack.briefing_states()
        print(f"posts per channel: {counts}; post log: {states}")
        assert counts == dict.fromkeys(CHANNELS, 1), f"each channel gets exactly one briefing: {counts}"
        assert set(states.values()) == {"sent"}, states
    finally:
        await stack.run("down", "-v", "--remove-orphans", "--timeout", "10", within=120)
