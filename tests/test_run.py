"""`briefbot run` as an operator starts it: a real process, with and without chat credentials."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.slack_api import FakeSlack

BRIEFBOT = [sys.executable, "-c", "from bot.cli import main; main()", "run"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.update(BRIEFBOT_STATE_URL=f"sqlite+aiosqlite:///{tmp_path}/state.db", BRIEFBOT_HTTP__PORT="0", **extra)
    return env


async def test_without_credentials_it_answers_in_the_terminal_and_says_how_to_connect(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *BRIEFBOT,
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
