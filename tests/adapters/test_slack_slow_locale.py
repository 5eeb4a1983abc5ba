"""A slow ``users.info`` (the reader's locale) in Slack HTTP mode: the lookup gives up after its own timeout and
the command is still acked and answered. The lookup starts eagerly, on the HTTP request's own turn of the event
loop, so a timeout that cancelled "the current task" cancelled the request instead: Slack got a dropped
connection and the reader no answer at all (seen in issue 22's burst run)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from bot.adapters.slack import WORKING
from handlers import CORE_COMMANDS
from tests.adapters.conftest import slow_command
from tests.adapters.test_slack_http import PATH, signed
from tests.adapters.test_slack_http_answers import http_bot
from tests.fakes.slack_api import TIMEOUT, FakeSlack


class HeldLocales(FakeSlack):
    """``users.info`` answers only once :attr:`held` is set; it counts the lookups it holds at once."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.held = asyncio.Event()
        self.waiting = 0
        self.most_waiting = 0
        self._arrived = asyncio.Event()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "users.info" and not self.held.is_set():
            self.waiting += 1
            self.most_waiting = max(self.most_waiting, self.waiting)
            self._arrived.set()
            try:
                await self.held.wait()
            finally:
                self.waiting -= 1
        return await super()._api(request)

    async def holding(self, count: int) -> None:
        """Until ``count`` lookups are held."""
        async with asyncio.timeout(TIMEOUT):
            while self.waiting < count:
                self._arrived.clear()
                await self._arrived.wait()


async def test_a_locale_lookup_that_times_out_leaves_the_ack_and_the_answer_alone(tmp_path: Path) -> None:
    fake = HeldLocales()
    await fake.start()
    release = asyncio.Event()
    try:
        async with http_bot(tmp_path, fake, [*CORE_COMMANDS, slow_command(release)]) as (_app, service, client):
            service.locales.timeout = 0.05  # gives up long before the ack budget runs out
            service.ack_budget = 0.5
            body = urlencode(fake.command_payload("/slow", "now"))
            acked = await client.post(PATH, content=body, headers=signed(body))
            release.set()
            answer = await fake.next_response()
    finally:
        release.set()
        fake.held.set()
        await fake.close()
    assert acked.status_code == 200
    assert acked.json() == {"text": WORKING, "response_type": "ephemeral"}
    assert answer["blocks"][0]["text"]["text"] == "Slow answer"
