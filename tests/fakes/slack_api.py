"""A fake Slack for tests: Web API, Socket Mode and ``response_url`` endpoints on 127.0.0.1 (aiohttp).

Modelled on how slack-bolt tests itself (a mock Web API server that records requests and checks token
prefixes, and a mock Socket Mode server that pushes envelopes), rebuilt on asyncio so a test can *await* what
the bot does instead of sleeping:

- ``/api/<method>`` answers ``auth.test``, ``apps.connections.open`` (a ``ws://`` URL to this server),
  ``users.info`` (with ``locale`` from :attr:`FakeSlack.user_locales`), ``chat.postMessage``, ``chat.update``,
  ``conversations.open`` and ``conversations.history``, keeping the posted
  messages per channel; every call is recorded in :attr:`FakeSlack.calls`.
- :meth:`FakeSlack.fail` makes a method answer an error (a 429 with ``Retry-After`` by default) the next N
  times; :attr:`FakeSlack.channel_errors` makes every call for a channel fail with a given Slack error code.
- :meth:`FakeSlack.slash_command` pushes a slash-command envelope over the socket and returns the ack payload;
  :meth:`FakeSlack.block_action` does the same for a button click. ``response_url`` posts arrive on
  :meth:`FakeSlack.next_response`.
- Socket Mode faults: :attr:`FakeSlack.app_token_error` makes ``apps.connections.open`` refuse (``invalid_auth``,
  as Slack does once the app token is revoked), :attr:`FakeSlack.websocket_refused` makes the websocket handshake
  answer 403, and :meth:`FakeSlack.disconnect` closes every open socket (the client then reconnects).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

TEAM_ID = "T0FAKE"
BOT_USER_ID = "UBOT0001"
APP_ID = "A0FAKE"
TIMEOUT = 5.0  # generous: a test that waits this long has failed anyway


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    token: str


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    times: int
    commit: bool  # do the work, then answer the error (a post that landed although Slack said it failed)


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> oldest first
    channel_errors: dict[str, str] = field(default_factory=dict)  # channel -> error code, on every call
    responses: list[dict[str, Any]] = field(default_factory=list)  # response_url posts, in order
    app_token_error: str | None = None  # when set, apps.connections.open answers this error
    websocket_refused: bool = False  # when set, the Socket Mode handshake is refused with a 403
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> bytes posted to its upload URL
    shared_files: list[dict[str, Any]] = field(default_factory=list)  # files.completeUploadExternal calls
    user_locales: dict[str, str] = field(default_factory=dict)  # user id -> locale users.info gives (fr-CA)
    scopes_missing: set[str] = field(default_factory=set)  # methods that answer missing_scope

    def __post_init__(self) -> None:
        self._failures: dict[str, list[_Failure]] = {}
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._response_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._shared_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_post("/upload/{id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for ws in self._sockets:
            await ws.close()
        for future in self._acks.values():
            future.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # --- what tests configure and read ----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int | None = 0,
        times: int = 1,
        commit: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` with ``error`` (and ``Retry-After``);
        with ``commit`` the call takes effect anyway, as a post sometimes does when Slack answers a 5xx."""
        self._failures.setdefault(method, []).append(_Failure(status, error, retry_after, times, commit))

    async def disconnect(self) -> None:
        """Close every Socket Mode connection, as Slack does when it refreshes or revokes a connection."""
        self._connected.clear()
        for ws in list(self._sockets):
            await ws.close()

    async def revoke_app_token(self, error: str = "invalid_auth") -> None:
        """The app-level token was revoked: no new Socket Mode URL is issued, and the open sockets close."""
        self.app_token_error = error
        await self.disconnect()

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, channel: str) -> list[dict[str, Any]]:
        return list(self.messages.get(channel, []))

    async def connected(self) -> None:
        await asyncio.wait_for(self._connected.wait(), TIMEOUT)

    async def next_response(self) -> dict[str, Any]:
        """The next JSON body posted to a ``response_url``."""
        return await asyncio.wait_for(self._response_queue.get(), TIMEOUT)

    async def next_shared_file(self) -> dict[str, Any]:
        """The next ``files.completeUploadExternal`` call (where an uploaded file was shared)."""
        return await asyncio.wait_for(self._shared_queue.get(), TIMEOUT)

    def command_payload(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U0USER01",
        channel: str = "C0CHAN01",
        team: str = TEAM_ID,
    ) -> dict[str, str]:
        """The form fields Slack sends for a slash command (HTTP mode posts them form-encoded)."""
        return {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "reader",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"{self.base_url}/respond/{uuid.uuid4().hex}",
            "trigger_id": f"{next(self._ts)}.fake",
        }

    async def slash_command(self, command: str, text: str = "", **where: str) -> dict[str, Any]:
        """Push a slash command over Socket Mode; return the payload the bot acked with."""
        return await self.push("slash_commands", self.command_payload(command, text, **where))

    async def block_action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U0USER01",
        channel: str = "C0CHAN01",
        ephemeral: bool = True,
    ) -> dict[str, Any]:
        """Push a button click (``block_actions``) over Socket Mode; return the ack payload."""
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "fake"},
            "user": {"id": user, "username": "reader", "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": "1.0", "channel_id": channel, "is_ephemeral": ephemeral},
            "trigger_id": f"{next(self._ts)}.fake",
            "channel": {"id": channel, "name": "general"},
            "response_url": f"{self.base_url}/respond/{uuid.uuid4().hex}",
            "actions": [
                {
                    "type": "button",
                    "block_id": "b1",
                    "action_id": action_id,
                    "value": value,
                    "text": {"type": "plain_text", "text": "button"},
                    "action_ts": "1.0",
                }
            ],
        }
        return await self.push("interactive", payload, accepts_response_payload=False)

    async def push(
        self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = True
    ) -> dict[str, Any]:
        """Send one envelope to the connected client and wait for its ack."""
        await self.connected()
        ws = next(ws for ws in reversed(self._sockets) if not ws.closed)
        envelope_id = str(uuid.uuid4())
        ack: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = ack
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        await ws.send_str(json.dumps(envelope))
        try:
            return await asyncio.wait_for(ack, TIMEOUT)
        finally:
            self._acks.pop(envelope_id, None)

    # --- the Web API ----------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        self.calls.append(Call(method, args, token))
        failure = self._take_failure(method)
        if failure is not None:
            if failure.commit:
                self._dispatch(method, args)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        if method == "apps.connections.open" and self.app_token_error is not None:
            return _ok(False, error=self.app_token_error)
        wanted = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not token.startswith(wanted):
            return _ok(False, error="invalid_auth" if token else "not_authed")
        channel = str(args.get("channel") or "")
        if channel in self.channel_errors:
            return _ok(False, error=self.channel_errors[channel])
        return self._dispatch(method, args)

    def _dispatch(self, method: str, args: dict[str, Any]) -> web.Response:
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok(False, error="unknown_method")
        result: web.Response = handler(args)
        return result

    def _auth_test(self, args: dict[str, Any]) -> web.Response:
        return _ok(
            url="https://fake.slack.com/",
            team="Fake",
            user="briefbot",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id="B0",
        )

    def _apps_connections_open(self, args: dict[str, Any]) -> web.Response:
        return _ok(url=f"ws://127.0.0.1:{self.port}/link")

    def _chat_postMessage(self, args: dict[str, Any]) -> web.Response:
        channel = str(args["channel"])
        n = next(self._ts)
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": f"{1746187200 + n}.{n:06d}",
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "metadata": args.get("metadata"),
            "unfurl_links": args.get("unfurl_links"),
            "unfurl_media": args.get("unfurl_media"),
        }
        self.messages.setdefault(channel, []).append(message)
        return _ok(channel=channel, ts=message["ts"], message=message)

    def _chat_update(self, args: dict[str, Any]) -> web.Response:
        channel = str(args["channel"])
        for message in self.messages.get(channel, []):
            if message["ts"] == args.get("ts"):
                message.update(text=args.get("text", ""), blocks=args.get("blocks", []), edited=True)
                if args.get("metadata"):
                    message["metadata"] = args["metadata"]
                return _ok(channel=channel, ts=message["ts"], text=message["text"])
        return _ok(False, error="message_not_found")

    def _users_info(self, args: dict[str, Any]) -> web.Response:
        """As Slack answers it: ``locale`` only when asked for with ``include_locale``."""
        if "users.info" in self.scopes_missing:
            return _ok(False, error="missing_scope", needed="users:read")
        user_id = str(args.get("user") or "")
        if not user_id.startswith(("U", "W")):
            return _ok(False, error="user_not_found")
        user: dict[str, Any] = {"id": user_id, "team_id": TEAM_ID, "name": "reader"}
        if str(args.get("include_locale")).lower() in ("true", "1"):
            user["locale"] = self.user_locales.get(user_id, "en-US")
        return _ok(user=user)

    def _conversations_open(self, args: dict[str, Any]) -> web.Response:
        users = str(args.get("users") or "")
        if not users.startswith(("U", "W")):
            return _ok(False, error="user_not_found")
        return _ok(channel={"id": "D" + users[1:]})

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> web.Response:
        file_id = f"F{next(self._ts):08d}"
        return _ok(upload_url=f"{self.base_url}/upload/{file_id}", file_id=file_id)

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> web.Response:
        given = args.get("files") or []
        files: list[dict[str, Any]] = json.loads(given) if isinstance(given, str) else given
        self.shared_files.append({**args, "files": files})
        self._shared_queue.put_nowait(self.shared_files[-1])
        return _ok(files=[{"id": f["id"], "title": f.get("title")} for f in files])

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the SDK posts the file's bytes (as the body, or as a form field)."""
        if request.content_type == "multipart/form-data":
            form = await request.post()
            field = next(iter(form.values()))
            data = field.file.read() if hasattr(field, "file") else str(field).encode()
        else:
            data = await request.read()
        self.uploads[request.match_info["id"]] = data
        return web.Response(text="OK - 1")

    def _conversations_history(self, args: dict[str, Any]) -> web.Response:
        with_metadata = str(args.get("include_all_metadata", "")).lower() in {"1", "true"}
        messages = []
        for message in reversed(self.messages.get(str(args["channel"]), [])):
            shown = dict(message)
            if not with_metadata:
                shown.pop("metadata", None)
            messages.append(shown)
        limit = int(args.get("limit") or 100)
        return _ok(messages=messages[:limit], has_more=False, response_metadata={"next_cursor": ""})

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method) or []
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    # --- Socket Mode and response_url -----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if self.websocket_refused:
            return web.Response(status=403, text="refused by the test")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}}
        await ws.send_str(json.dumps(hello))
        self._connected.set()
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            with contextlib.suppress(ValueError):
                data = json.loads(message.data)
                ack = self._acks.get(str(data.get("envelope_id")))
                if ack is not None and not ack.done():
                    ack.set_result(data.get("payload") or {})
        return ws

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_url"] = str(request.url)
        self.responses.append(body)
        self._response_queue.put_nowait(body)
        return web.Response(text="ok")


async def _arguments(request: web.Request) -> dict[str, Any]:
    """Query string, form or JSON body, whichever the client used (the SDK uses all three)."""
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            args.update(await request.json())
        else:
            args.update(parse_qsl(await request.text()))
    for name in ("blocks", "metadata"):
        value = args.get(name)
        if isinstance(value, str) and value.startswith(("[", "{")):
            args[name] = json.loads(value)
    return args


def _ok(ok: bool = True, **fields: Any) -> web.Response:
    return web.json_response({"ok": ok, **fields})
