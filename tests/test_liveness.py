"""`briefbot run` as an orchestrator sees it: healthy while its platforms are up, and a non-zero exit with one line
saying which platform failed and why when one fails for good, so it gets restarted instead of idling.

Real processes, pointed at the loopback fake Discord and fake Slack through their ``BRIEFBOT_*`` base URLs.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.test_run import BRIEFBOT, _env, _free_port

EXIT_WITHIN = 30  # seconds; the exit itself is immediate, this bounds a loaded CI machine


async def _until_part_ok(url: str, part: str, process: asyncio.subprocess.Process) -> dict[str, Any]:
    """Poll /healthz until ``part`` reports ok; fail at once if the process ends first."""
    async with httpx.AsyncClient() as client:
        while process.returncode is None:
            try:
                response = await client.get(url, timeout=2)
                body: dict[str, Any] = response.json()
                if body.get("parts", {}).get(part, {}).get("state") == "ok":
                    return body
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # polling interval, not synchronisation: readiness is the state above
    raise AssertionError(f"briefbot run exited with {process.returncode} before {part} was up")


async def _serve(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *BRIEFBOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )


async def _exit(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """The exit status and stderr, once the process ends by itself (SIGTERM after the deadline, then fail)."""
    try:
        _, err = await asyncio.wait_for(process.communicate(), timeout=EXIT_WITHIN)
    except TimeoutError:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        raise AssertionError(f"still running {EXIT_WITHIN} s after the failure:\n{err.decode()[-2000:]}") from None
    assert process.returncode is not None
    return process.returncode, err.decode()


def _last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


async def test_run_exits_non_zero_when_the_discord_token_is_reset(tmp_path: Path) -> None:
    token = "liveness-discord-token"
    fake = await FakeDiscord(token=token).start()
    port = _free_port()
    env = _env(
        tmp_path,
        DISCORD_TOKEN=token,
        BRIEFBOT_DISCORD__API_URL=fake.api_url,
        BRIEFBOT_DISCORD__GATEWAY_URL=fake.gateway_url,
        BRIEFBOT_HTTP__PORT=str(port),
    )
    process = await _serve(env)
    try:
        body = await asyncio.wait_for(_until_part_ok(f"http://127.0.0.1:{port}/healthz", "discord", process), 60)
        assert body["status"] == "ok" and body["parts"]["state"]["state"] == "ok"
        await fake.reset_token()
        code, stderr = await _exit(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.close()
    assert code == 1, stderr[-2000:]
    assert _last_line(stderr).startswith("briefbot: discord failed: the gateway closed with code 4004"), stderr[-2000:]
    assert "Traceback" not in stderr


async def test_run_exits_non_zero_when_slack_refuses_the_app_token(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    port = _free_port()
    env = _env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-run",
        SLACK_APP_TOKEN="xapp-run",
        BRIEFBOT_SLACK__API_URL=fake.api_url,
        BRIEFBOT_HTTP__PORT=str(port),
    )
    process = await _serve(env)
    try:
        await asyncio.wait_for(_until_part_ok(f"http://127.0.0.1:{port}/healthz", "slack", process), 60)
        await fake.revoke_app_token()
        code, stderr = await _exit(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.close()
    assert code == 1, stderr[-2000:]
    line = _last_line(stderr)
    assert line.startswith("briefbot: slack failed: Slack refused SLACK_APP_TOKEN"), stderr[-2000:]
    assert "invalid_auth" in line
    assert "Traceback" not in stderr
