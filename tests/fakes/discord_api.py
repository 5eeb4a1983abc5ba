"""A fake Discord for tests: REST API and gateway on 127.0.0.1 (aiohttp), enough for the real discord.py 2.x client.

Point the client at it with ``discord.http.Route.BASE = fake.api_url`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)`` (Briefbot does this from
``settings.discord.api_url`` / ``gateway_url``). What it serves, shaped as discord.py 2.7 reads it:

- REST under ``/api/v10``: ``GET /users/@me``, ``GET /oauth2/applications/@me``, ``GET /gateway`` and
  ``/gateway/bot``, command sync (``PUT /applications/{app}/commands`` and the guild variant), interaction
  callbacks (``POST /interactions/{id}/{token}/callback``), the interaction webhook (``PATCH .../@original``,
  follow-ups), ``POST /channels/{id}/messages`` (deduplicated by nonce, as Discord does), message edits and
  ``GET /channels/{id}/messages``. Every request is recorded with its JSON body in :attr:`FakeDiscord.requests`.
  Responses are JSON with ``Content-Type`` exactly ``application/json`` (discord.py parses nothing else).
- The gateway at ``/gateway``: HELLO (op 10), heartbeat ACK (op 11), IDENTIFY (op 2) -> READY, RESUME (op 6) ->
  RESUMED. :meth:`FakeDiscord.dispatch` pushes any event, :meth:`FakeDiscord.drop` closes the socket (the client
  resumes), :meth:`FakeDiscord.invalidate` ends the session (the client identifies again and gets a new READY),
  :meth:`FakeDiscord.reset_token` does what a token reset in the developer portal does: REST calls with the old
  token answer 401 and the gateway closes with 4004 (authentication failed), which discord.py does not retry.
- Direct messages: ``POST /users/@me/channels`` opens (or returns the existing) DM channel with a user, a
  channel of type 1 with its own id and the user as recipient; users in :attr:`FakeDiscord.unknown_users` answer
  404 (code 10013), and posting to the DM channel of a user in :attr:`FakeDiscord.closed_dms` answers 403 (code
  50007), as Discord does for a user who does not accept DMs from the bot.
- :attr:`FakeDiscord.channel_errors` makes every call for a channel fail with a status and Discord error code.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from tests.fakes import discord_payloads as payloads
from tests.fakes.discord_payloads import APP_ID, BOT_ID, CHANNEL_ID, GUILD_ID, USER_ID

__all__ = ["APP_ID", "BOT_ID", "CHANNEL_ID", "GUILD_ID", "USER_ID", "FakeDiscord", "Request"]

TIMEOUT = 5.0  # generous: a test that waits this long has failed anyway


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below /api/v10, such as /channels/123/messages
    body: Any  # the JSON body (a multipart upload's payload_json), or None
    query: dict[str, str]
    files: tuple[tuple[str, bytes], ...] = ()  # a multipart upload's files: (file name, contents)


Route = Callable[[Request, re.Match[str]], Awaitable[web.Response]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


class FakeDiscord:
    def __init__(self, token: str | None = None) -> None:
        self.token = token  # when set, REST calls with another bot token answer 401
        self.requests: list[Request] = []
        self.gateway_log: list[tuple[str, int, str | None]] = []  # (direction, op, event name)
        self.identifies = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.resumes = 0
        self.connections = 0
        self.channel_errors: dict[int, tuple[int, int, str]] = {}  # channel -> (status, code, message)
        self.messages: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # user -> their DM channel with the bot
        self.closed_dms: set[int] = set()  # users who do not accept DMs: posts to their DM channel answer 403
        self.unknown_users: set[int] = set()  # users Discord does not know: opening a DM answers 404
        self._nonces: dict[tuple[str, str], int] = {}
        self._ids = itertools.count(1500000000000000001)
        self._seq = 0
        self._session = "session-1"
        self._ws: web.WebSocketResponse | None = None
        self._send_lock = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Route]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("POST", re.compile(r"/users/@me/channels"), self._open_dm),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._application),
            ("GET", re.compile(r"/gateway(/bot)?"), self._gateway_info),
            ("PUT", re.compile(r"/applications/(?P<app>\d+)(/guilds/(?P<guild>\d+))?/commands"), self._sync),
            ("POST", re.compile(r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback"), self._callback),
            ("POST", re.compile(r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"), self._followup),
            (
                "PATCH",
                re.compile(r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<id>@original|\d+)"),
                self._edit_hook,
            ),
            ("GET", re.compile(r"/channels/(?P<channel>\d+)"), self._channel),
            ("POST", re.compile(r"/channels/(?P<channel>\d+)/messages"), self._post),
            ("GET", re.compile(r"/channels/(?P<channel>\d+)/messages"), self._history),
            ("PATCH", re.compile(r"/channels/(?P<channel>\d+)/messages/(?P<id>\d+)"), self._edit),
        ]

    # --- lifecycle ------------------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- what tests call ------------------------------------------------------------------------------------

    async def wait_until(self, check: Callable[[], Any]) -> Any:
        """Wait until ``check()`` is truthy (re-checked whenever a request or gateway message arrives)."""
        async with asyncio.timeout(TIMEOUT), self._changed:
            return await self._changed.wait_for(check)

    async def wait_for_request(self, method: str, path: str, *, after: int = 0) -> Request:
        """The first request (from index ``after``) with this method whose path matches ``path`` (a regex)."""
        pattern = re.compile(path)

        def found() -> Request | None:
            return next((r for r in self.requests[after:] if r.method == method and pattern.fullmatch(r.path)), None)

        result: Request = await self.wait_until(found)
        return result

    async def callback(self, interaction: dict[str, Any]) -> dict[str, Any]:
        """Push an interaction and return the body of the bot's callback to it."""
        path = rf"/interactions/{interaction['id']}/{interaction['token']}/callback"
        await self.dispatch("INTERACTION_CREATE", interaction)
        request = await self.wait_for_request("POST", path)
        body: dict[str, Any] = request.body
        return body

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._ws is not None, "no gateway connection"
        self._seq += 1
        await self._send(self._ws, {"op": 0, "t": event, "s": self._seq, "d": data})

    async def drop(self, code: int = 4000) -> None:
        """Close the gateway connection the way a network blip or a Discord restart does; the client resumes."""
        assert self._ws is not None
        await self._ws.close(code=code, message=b"forced by the test")

    async def reset_token(self, new_token: str = "reset-token") -> None:
        """The bot's token was reset: the old one is refused everywhere, and the live gateway closes with 4004."""
        self.token = new_token
        await self.drop(4004)

    async def invalidate(self) -> None:
        """End the session (op 9, not resumable): the client identifies again and receives a new READY."""
        assert self._ws is not None
        self._session = f"session-{self.identifies + 1}"
        await self._send(self._ws, {"op": 9, "d": False})

    def command(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        focused: str | None = None,
        guild_id: int | None = GUILD_ID,
        channel_id: int = CHANNEL_ID,
        user_id: int = USER_ID,
        roles: tuple[int, ...] = (),
    ) -> dict[str, Any]:
        """An APPLICATION_COMMAND interaction (or, with ``focused``, an autocomplete one) for /``name``."""
        opts = [
            {"name": k, "type": 3, "value": v, **({"focused": True} if k == focused else {})}
            for k, v in (options or {}).items()
        ]
        data = {"id": str(next(self._ids)), "name": name, "type": 1, "options": opts}
        if guild_id:
            data["guild_id"] = str(guild_id)
        kind = 4 if focused else 2
        return payloads.interaction(
            next(self._ids), kind, data, guild_id=guild_id, channel_id=channel_id, user_id=user_id, roles=roles
        )

    def click(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        values: list[str] | None = None,
        guild_id: int | None = GUILD_ID,
        channel_id: int = CHANNEL_ID,
        user_id: int = USER_ID,
    ) -> dict[str, Any]:
        """A MESSAGE_COMPONENT interaction: a click on ``custom_id`` in ``message`` (as the bot sent it)."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
        if values is not None:
            data["values"] = values
        payload = payloads.interaction(
            next(self._ids), 3, data, guild_id=guild_id, channel_id=channel_id, user_id=user_id
        )
        payload["message"] = payloads.message(
            int(message.get("id") or next(self._ids)), channel_id, message, author=payloads.bot_user()
        )
        return payload

    def message_posts(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST" and re.fullmatch(r"/channels/\d+/messages", r.path)]

    def dm_opens(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/users/@me/channels"]

    def syncs(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PUT" and r.path.endswith("/commands")]

    def message_payloads(self) -> list[dict[str, Any]]:
        """Every message the bot sent or edited (callback data, channel posts, webhook edits)."""
        out = []
        for r in self.requests:
            if not isinstance(r.body, dict):
                continue
            if r.path.endswith("/callback") and r.body.get("type") in (4, 7):
                out.append(r.body["data"])
            elif r.method in ("POST", "PATCH") and ("/messages" in r.path or r.path.startswith("/webhooks/")):
                out.append(r.body)
        return out

    # --- REST -----------------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body and request.content_type == "application/json" else None
        files: list[tuple[str, bytes]] = []
        if request.content_type == "multipart/form-data":  # a message with files: JSON in payload_json, then files
            async for part in await request.multipart():
                assert isinstance(part, BodyPartReader)
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files.append((part.filename or "", bytes(await part.read())))
        recorded = Request(request.method, "/" + request.match_info["tail"], body, dict(request.query), tuple(files))
        async with self._changed:
            self.requests.append(recorded)
            self._changed.notify_all()
        by_token = not recorded.path.startswith(("/interactions/", "/webhooks/"))  # those use the interaction token
        if by_token and self.token and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        for method, pattern, route in self._routes:
            match = pattern.fullmatch(recorded.path)
            if match and method == request.method:
                return await route(recorded, match)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    async def _me(self, request: Request, match: re.Match[str]) -> web.Response:
        return _json(payloads.bot_user())

    async def _application(self, request: Request, match: re.Match[str]) -> web.Response:
        return _json(payloads.application())

    async def _gateway_info(self, request: Request, match: re.Match[str]) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _sync(self, request: Request, match: re.Match[str]) -> web.Response:
        guild = match["guild"]
        commands = [
            {
                **command,
                "id": str(next(self._ids)),
                "application_id": str(APP_ID),
                "version": "1",
                **({"guild_id": guild} if guild else {}),
            }
            for command in request.body
        ]
        return _json(commands)

    async def _callback(self, request: Request, match: re.Match[str]) -> web.Response:
        return _json({"interaction": {"id": match["id"], "type": request.body.get("type", 0)}})

    async def _followup(self, request: Request, match: re.Match[str]) -> web.Response:
        return _json(self._store(CHANNEL_ID, request.body))

    async def _edit_hook(self, request: Request, match: re.Match[str]) -> web.Response:
        return _json(self._store(CHANNEL_ID, request.body))

    async def _open_dm(self, request: Request, match: re.Match[str]) -> web.Response:
        user = int(request.body["recipient_id"])
        if user in self.unknown_users:
            return _json({"message": "Unknown User", "code": 10013}, 404)
        channel = self.dm_channels.setdefault(user, next(self._ids))  # Discord keeps one DM channel per user
        return _json(self._dm_channel(channel, user))

    async def _channel(self, request: Request, match: re.Match[str]) -> web.Response:
        channel = int(match["channel"])
        if channel in self.channel_errors:
            return self._error(channel)
        user = self._dm_user(channel)
        if user is not None:
            return _json(self._dm_channel(channel, user))
        return _json(payloads.text_channel(channel, GUILD_ID))

    async def _post(self, request: Request, match: re.Match[str]) -> web.Response:
        channel = int(match["channel"])
        if channel in self.channel_errors:
            return self._error(channel)
        if self._dm_user(channel) in self.closed_dms:
            return _json({"message": "Cannot send messages to this user", "code": 50007}, 403)
        nonce = request.body.get("nonce")
        if nonce and request.body.get("enforce_nonce") and (match["channel"], nonce) in self._nonces:
            return _json(self.messages[self._nonces[(match["channel"], nonce)]])  # Discord returns the earlier one
        message = self._store(channel, request.body)
        if nonce:
            self._nonces[(match["channel"], nonce)] = int(message["id"])
        return _json(message)

    async def _history(self, request: Request, match: re.Match[str]) -> web.Response:
        channel = int(match["channel"])
        if channel in self.channel_errors:
            return self._error(channel)
        found = [m for m in self.messages.values() if m["channel_id"] == str(channel)]
        return _json(list(reversed(found))[: int(request.query.get("limit", "50"))])

    async def _edit(self, request: Request, match: re.Match[str]) -> web.Response:
        channel = int(match["channel"])
        if channel in self.channel_errors:
            return self._error(channel)
        message = self.messages.get(int(match["id"]))
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        message.update({k: v for k, v in request.body.items() if k in ("content", "embeds", "components")})
        message["edited_timestamp"] = "2025-05-02T08:01:00+00:00"
        return _json(message)

    def _dm_user(self, channel: int) -> int | None:
        return next((user for user, dm in self.dm_channels.items() if dm == channel), None)

    @staticmethod
    def _dm_channel(channel: int, user: int) -> dict[str, Any]:
        return {"id": str(channel), "type": 1, "last_message_id": None, "recipients": [payloads.user(user)]}

    def _error(self, channel: int) -> web.Response:
        status, code, text = self.channel_errors[channel]
        return _json({"message": text, "code": code}, status)

    def _store(self, channel: int, body: dict[str, Any]) -> dict[str, Any]:
        message = payloads.message(next(self._ids), channel, body, author=payloads.bot_user())
        self.messages[int(message["id"])] = message
        return message

    # --- gateway --------------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        self.connections += 1
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op = frame.get("op")
            async with self._changed:
                self.gateway_log.append(("recv", op, None))
            if op == 1:
                await self._send(ws, {"op": 11})
            elif op == 2:
                self.identifies += 1
                self.identify_payloads.append(frame["d"])
                self._seq += 1
                await self._send(
                    ws, {"op": 0, "t": "READY", "s": self._seq, "d": payloads.ready(self._session, self.gateway_url)}
                )
            elif op == 6:
                self.resumes += 1
                self._seq += 1
                await self._send(ws, {"op": 0, "t": "RESUMED", "s": self._seq, "d": {}})
            async with self._changed:
                self._changed.notify_all()
        return ws

    async def _send(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            if not ws.closed:
                await ws.send_str(json.dumps(frame))
        async with self._changed:
            self.gateway_log.append(("send", frame["op"], frame.get("t")))
            self._changed.notify_all()
