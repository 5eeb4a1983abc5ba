"""A fake incoming-webhook receiver on 127.0.0.1 (aiohttp) for Slack, Discord and Teams Workflows webhooks.

``/slack/<path>`` answers ``ok`` as Slack does, ``/discord/<id>/<token>`` answers the created message (with an id)
when called with ``?wait=true`` and 204 otherwise, ``/teams/<path>`` answers 202 as a Workflows trigger does. Every
request that reached it is recorded in :attr:`FakeWebhooks.received`, faults included: a fault that records first
(``slow``, ``drop``, ``error_after``) is a post that exists although the caller may not know it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    platform: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Fault:
    kind: str  # "status" (answer status, nothing recorded), "error_after" (record, then 500), "slow", "drop"
    status: int = 500
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class FakeWebhooks:
    received: list[Received] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)  # used in order, one per request

    def __post_init__(self) -> None:
        self._ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> FakeWebhooks:
        app = web.Application()
        app.router.add_post("/slack/{path:.*}", self._slack)
        app.router.add_post("/discord/{id}/{token}", self._discord)
        app.router.add_post("/teams/{path:.*}", self._teams)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def of(self, platform: str) -> list[Received]:
        return [r for r in self.received if r.platform == platform]

    async def _slack(self, request: web.Request) -> web.StreamResponse:
        return await self._handle("slack", request, lambda: web.Response(text="ok", headers={"x-slack-req-id": "r1"}))

    async def _discord(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("wait") != "true":
            return await self._handle("discord", request, lambda: web.Response(status=204))
        return await self._handle("discord", request, lambda: web.json_response({"id": str(next(self._ids))}))

    async def _teams(self, request: web.Request) -> web.StreamResponse:
        return await self._handle("teams", request, lambda: web.Response(status=202))

    async def _handle(self, platform: str, request: web.Request, answer: Any) -> web.StreamResponse:
        body = json.loads(await request.text())
        record = Received(platform, request.path, dict(request.query), body, dict(request.headers))
        fault = self.faults.pop(0) if self.faults else None
        if fault is not None and fault.kind == "status":  # refused before anything was recorded
            return web.Response(status=fault.status, text=fault.body, headers=fault.headers)
        self.received.append(record)
        if fault is None:
            response: web.StreamResponse = answer()
            return response
        if fault.kind == "error_after":
            return web.Response(status=fault.status, text=fault.body)
        if fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
            response = answer()
            return response
        if fault.kind == "drop":
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        raise AssertionError(fault.kind)
