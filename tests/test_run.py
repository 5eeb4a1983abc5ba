"""`briefbot run` as an operator starts it: a real process, with and without chat credentials."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from tests.fakes.slack_api import FakeSlack

BRIEFBOT = [sys.executable, "-c", "from bot.cli import main; main()", "run"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.update(BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db", BRIEFBOT_HTTP__PORT="0")
    env.update(extra)
    return env


async def test_without_credentials_it_answers_in_the_terminal_and_says_how_to_connect(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *BRIEFBOT,
        "--console",  # stdin is a pipe here, not a terminal: the console must be asked for
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(tmp_path),
    )
    out, err = await asyncio.wait_for(process.communicate(b"/who clow\nquit\n"), timeout=60)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    assert "SLACK_BOT_TOKEN" in text and "DISCORD_TOKEN" in text  # how to connect
    assert "Brian Clow" in text and "Trudeau" in text  # and it answered


async def test_with_slack_variables_it_connects_to_the_configured_api_and_answers(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    env = _env(tmp_path, SLACK_BOT_TOKEN="xoxb-run", SLACK_APP_TOKEN="xapp-run", BRIEFBOT_SLACK__API_URL=fake.api_url)
    process = await asyncio.create_subprocess_exec(
        *BRIEFBOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        await asyncio.wait_for(fake.connected(), timeout=60)
        ack = await asyncio.wait_for(fake.slash_command("/who", "clow"), timeout=30)
        assert "Brian Clow" in ack["text"]
        assert fake.calls_to("apps.connections.open")[0].token == "xapp-run"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        await fake.close()
    assert process.returncode == 0, err.decode()[-2000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _healthy(url: str, process: asyncio.subprocess.Process) -> None:
    """Poll the health endpoint until it answers; fail at once if the process ends first."""
    async with httpx.AsyncClient() as client:
        while process.returncode is None:
            try:
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # polling interval, not synchronisation: readiness is the 200 above
    raise AssertionError(f"briefbot run exited with {process.returncode} before it was ready")


async def test_without_credentials_or_terminal_it_keeps_serving_until_sigterm(tmp_path: Path) -> None:
    """As a container starts it (no TTY, no credentials): a service, not a console that quits at end of input."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *BRIEFBOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(tmp_path, BRIEFBOT_HTTP__PORT=str(port)),
    )
    try:
        await asyncio.wait_for(_healthy(f"http://127.0.0.1:{port}/healthz", process), timeout=60)
        # Stdin is already at its end: a console would have read it and stopped by now.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(process.wait()), timeout=3)
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"http://127.0.0.1:{port}/healthz", timeout=5)).status_code == 200
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "briefbot>" not in out.decode()  # no prompt was shown
    assert "No chat credentials" in err.decode()  # and it said what it is doing, and how to connect
