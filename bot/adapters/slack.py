"""The Slack adapter: a slack-bolt ``AsyncApp`` that feeds every slash command to the router, over Socket Mode
(the default: no public URL needed) or HTTP (a route on the app's one aiohttp server).

It only translates. A slash command becomes ``router.handle_args(name, text, ctx)``; the neutral reply becomes
Block Kit (:mod:`bot.adapters.slack_render`) carried *inside* the ``ack()``: the bolt app runs with
``process_before_response=True``, which answers in about a millisecond instead of polling for the ack every
10 ms. An answer that is not ready within :data:`ACK_BUDGET` is acked with a short note and sent through the
``response_url`` when done. Buttons: "Share in channel" reposts a private answer visibly; a choice runs its
command as if it had been typed. Scheduled posts go through :class:`~bot.adapters.slack_delivery.SlackDelivery`.

The connection reports to the app's health registry (see :mod:`bot.adapters.slack_socket`): Socket Mode is down
for good, and ``briefbot run`` exits non-zero, when Slack refuses the app token; a first connection that does not
come up within :data:`CONNECT_TIMEOUT` stops the start instead of hanging in the SDK's endless retries.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import ClientError, ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import eager
from bot.adapters.parts import PlatformParts
from bot.adapters.slack_delivery import SlackDelivery, make_web_client
from bot.adapters.slack_files import upload_attachments
from bot.adapters.slack_http_guard import SLACK_BODY, guard
from bot.adapters.slack_locale import SlackLocales
from bot.adapters.slack_payloads import action_value, choose_mode, slack_decode, slack_target, user_id
from bot.adapters.slack_render import RUN_ACTION, SHARE_ACTION, render_ack, render_message
from bot.adapters.slack_socket import ReportingSocketModeClient, ReportingSocketModeHandler
from bot.commands import command_name
from bot.config import SlackConfig
from bot.context import Context
from bot.credentials import Secrets
from bot.errors import BriefbotError, ConfigError
from bot.health import PartState
from bot.reply import Reply, Tone, Visibility
from bot.router import reply_for
from bot.sharing import share_command

log = logging.getLogger(__name__)

HEALTH_PART = "slack"
CONNECT_TIMEOUT = 30.0  # seconds the first Socket Mode connection may take before the start fails
PING_INTERVAL = 10.0  # Socket Mode ping, and the SDK's pause between reconnect attempts (its default)
ACK_BUDGET = 2.0  # seconds an answer may take before we ack without it (Slack allows 3)
IN_FLIGHT = 64  # HTTP mode: commands acked with "Working on it" whose answers are under way at once; the rest wait
WORKING = ":hourglass_flowing_sand: Working on it…"
OUT_OF_DATE_BUTTON = "This button is out of date. Type the command again, or use /help."
RENDER_FAILED = "Sorry, that answer could not be shown in Slack. The error has been logged for the maintainers."


def build_service(parts: PlatformParts, config: SlackConfig, secrets: Secrets) -> SlackService:
    """Called by the composition root when Slack credentials are set; it registers ``service.delivery``."""
    return SlackService(parts, config, secrets)


class SlackService:
    """Starts and stops the Slack connection; ``delivery`` posts to Slack for the scheduler and alerts."""

    def __init__(self, parts: PlatformParts, config: SlackConfig, secrets: Secrets) -> None:
        if not secrets.slack_bot_token:
            raise ConfigError("Slack needs SLACK_BOT_TOKEN (an xoxb- token)")
        self.parts = parts
        self.health = parts.health
        self.config = config
        self.mode = choose_mode(config, secrets)
        self.prefix = config.command_prefix
        self.ack_budget = ACK_BUDGET
        self.client = make_web_client(secrets.slack_bot_token, config.api_url)
        bolt_log = logging.getLogger("bot.adapters.slack.bolt")
        bolt_log.addFilter(_quiet_token_warning)
        self.bolt = AsyncApp(
            name="briefbot",
            client=self.client,
            signing_secret=secrets.slack_signing_secret or "",
            process_before_response=True,  # the answer rides in the ack
            request_verification_enabled=self.mode == "http",  # Socket Mode is authenticated by its token
            logger=bolt_log,
        )
        self._register()
        self.delivery = SlackDelivery(self.client, prefix=self.prefix)
        # each user's language, from users.info: a client of its own, whose connections are kept alive once started
        # (a burst of new users would otherwise open a connection each); posts keep the one-shot client above
        self._reader = make_web_client(secrets.slack_bot_token, config.api_url)
        self.locales = SlackLocales(self._reader)
        self._app_token = secrets.slack_app_token or ""
        self._socket: ReportingSocketModeHandler | None = None
        self.connect_timeout = CONNECT_TIMEOUT
        self.ping_interval = PING_INTERVAL
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: ClientSession | None = None  # for response_url answers, opened on first use
        self._answering = 0  # commands received and not yet answered: past the router's limit, acks go at once
        # HTTP mode in a burst: commands acked with "Working on it" and not yet started, oldest first, started by one
        # task (_pump) while fewer than ``in_flight`` answers are under way; the acks cost only the ack
        self.in_flight = IN_FLIGHT
        self._backlog: deque[Mapping[str, Any]] = deque()
        self._room = asyncio.Event()  # set when an answer is done: the pump may start the next
        self._pumping = False
        self._crowd = asyncio.Event()  # set while more commands wait in the backlog than the router runs at once
        # follow-ups are rendered on one thread of their own: rendering is Python, so more threads render no faster
        # and each one more competes with the main loop for the GIL (the default executor ran six in a burst)
        self._renderer = ThreadPoolExecutor(1, thread_name_prefix="slack-render")
        if self.mode == "http":
            if parts.http is None:
                raise ConfigError("Slack HTTP mode answers on Briefbot's HTTP server: set http.enabled to true")
            parts.http.router.add_post(config.http_path, guard(self._on_http, secrets.slack_signing_secret or ""))

    # --- lifecycle ------------------------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error") if hasattr(exc.response, "get") else None
            raise ConfigError(f"Slack at {self.config.api_url} refused SLACK_BOT_TOKEN ({error or exc})") from exc
        except ClientError as exc:
            raise ConfigError(f"Slack at {self.config.api_url} could not be reached ({exc})") from exc
        if self._reader.session is None:  # after the checks that may fail the start: stop() closes it
            self._reader.session = ClientSession()
        if self.mode == "socket":
            await self._connect_socket()
            where = "Socket Mode"
        else:
            where = f"HTTP mode on {self.config.http_path}"
            self.health.ok(HEALTH_PART, where)
        log.info("Slack connected to %s as %s (%s)", self.config.api_url, identity.get("user") or "the bot", where)

    async def _connect_socket(self) -> None:
        """The first Socket Mode connection, bounded; a refused app token fails the start with its reason."""
        self.health.connecting(HEALTH_PART, "connecting to Socket Mode")
        client = ReportingSocketModeClient(
            self._app_token,
            report=self._report,
            logger=self.bolt.logger,
            web_client=self.client,
            ping_interval=self.ping_interval,
        )
        self._socket = ReportingSocketModeHandler(self.bolt, client)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self._socket.connect_async()  # type: ignore[no-untyped-call]
        except TimeoutError:
            await self.stop()
            raise ConfigError(
                f"Slack Socket Mode did not connect within {self.connect_timeout:g} s (the websocket was refused "
                "or could not be reached)"
            ) from None
        failed = self.health.failure
        if failed is not None and failed.name == HEALTH_PART:
            await self.stop()
            raise ConfigError(failed.reason)

    def _report(self, state: PartState, reason: str) -> None:
        self.health.report(HEALTH_PART, state, reason, fatal=state is PartState.DOWN)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._reader.session is not None:
            await self._reader.session.close()
            self._reader.session = None
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        self._renderer.shutdown(wait=False, cancel_futures=True)  # its thread ends; a new one starts if used again
        self._renderer = ThreadPoolExecutor(1, thread_name_prefix="slack-render")

    # --- listeners ------------------------------------------------------------------------------------------

    def _register(self) -> None:
        commands = [f"/{self.prefix}{name}" for name in self.parts.router.specs]
        self._commands = frozenset(commands)  # what Slack sends as ``command``, for the HTTP fast path
        for command in commands:
            self.bolt.command(command)(self._on_command)
        self.bolt.action(SHARE_ACTION)(self._on_share)
        self.bolt.action(re.compile(rf"^{re.escape(RUN_ACTION)}(:|$)"))(self._on_choice)
        self.bolt.action(re.compile(".*"))(self._on_unknown_action)  # last: bolt runs the first listener that matches

    async def _on_http(self, request: web.Request) -> web.Response:
        """Slack HTTP mode: the guard has checked the signature and timestamp (401 otherwise) before this runs,
        and parsed the body.

        One of our slash commands is answered here, without bolt's dispatch, which parsed the body twice more and
        was most of what an answer cost: acked at once when it would wait its turn anyway (in a burst of a
        thousand commands), else with the answer when it comes within the ack budget. Buttons, events and
        commands that are not ours go to bolt."""
        form = request.get(SLACK_BODY) or {}
        url = form.get("response_url")
        if isinstance(url, str) and url and form.get("command") in self._commands:  # as bolt matches: exactly
            if self._busy():
                self._wait_turn(form)
                return web.json_response({"text": WORKING, "response_type": "ephemeral"})
            return await self._answer_http(form, url)
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _answer_http(self, form: Mapping[str, Any], url: str) -> web.Response:
        """The ack of a slash command over HTTP: its answer (started eagerly, so an answer from the caches is done
        at once and never waits on a task), or "Working on it" and the answer through ``url`` when it is slow."""
        answer = self._start_answer(form)
        if not answer.done():
            # a burst behind it: every ack after this one goes at once, so this one need not spend its budget
            # waiting either (the budget, plus the loop's lag before the handler ran, could pass Slack's 3 s)
            crowd: asyncio.Future[Any] = asyncio.ensure_future(self._crowd.wait())
            waits: set[asyncio.Future[Any]] = {answer, crowd}
            try:
                await asyncio.wait(waits, timeout=self.ack_budget, return_when=asyncio.FIRST_COMPLETED)
            finally:
                crowd.cancel()
        channel, user = form.get("channel_id"), form.get("user_id")
        if not answer.done():
            self._spawn(self._follow_up(answer, self._respond_to(url), channel, user))
            return web.json_response({"text": WORKING, "response_type": "ephemeral"})
        reply = answer.result()
        if reply.attachments:
            self._spawn(upload_attachments(self.client, reply, channel=channel, user=user))
        try:
            body = render_ack(reply, prefix=self.prefix, specs=self.parts.router.specs)
        except Exception:  # as in _payload: a rendering bug must still ack
            log.exception("could not render %r for Slack", reply.title[:80])
            return web.json_response({"text": RENDER_FAILED, "response_type": "ephemeral"})
        return web.Response(body=body, content_type="application/json")

    def _busy(self) -> bool:
        """Every evaluation slot is taken, or as many commands are on their way to one: a new command waits."""
        router = self.parts.router
        return router.saturated or (router.limit is not None and self._answering >= router.limit)

    def _wait_turn(self, form: Mapping[str, Any]) -> None:
        """An HTTP command that waits its turn: into the backlog, started by :meth:`_pump` (not here, before its
        ack: in a burst, a thousand answers starting on the acks' turns delayed the later acks by seconds)."""
        self._backlog.append(form)
        limit = self.parts.router.limit
        if limit is not None and len(self._backlog) > limit:
            self._crowd.set()
        if not self._pumping:
            self._pumping = True
            self._spawn(self._pump())

    async def _pump(self) -> None:
        """Start the backlog's commands, oldest first, while fewer than ``in_flight`` answers are under way,
        giving the loop a turn after each start so that requests already read get their acks first."""
        try:
            while self._backlog:
                while self._answering >= self.in_flight:
                    self._room.clear()
                    await self._room.wait()
                self._queue(self._backlog.popleft())
                await asyncio.sleep(0)
        finally:
            self._pumping = False
            self._crowd.clear()

    def _queue(self, body: Mapping[str, Any]) -> None:
        """Evaluate a command acked with :data:`WORKING`; its answer goes through the ``response_url``."""
        answer = self._start_answer(body)
        respond = self._respond_to(str(body["response_url"]))
        self._spawn(self._follow_up(answer, respond, body.get("channel_id"), body.get("user_id")))

    def _start_answer(self, body: Mapping[str, Any]) -> asyncio.Future[Reply]:
        """The answer to the slash command in ``body``, under way and counted until it is done (see ``_busy``)."""
        name = command_name(str(body.get("command") or ""), self.prefix)
        target = slack_target(body.get("team_id") or body.get("enterprise_id"), body.get("channel_id"))
        ctx = self.parts.context(target, user=body.get("user_id"))
        text = slack_decode(str(body.get("text") or ""))
        self._answering += 1
        answer = eager.start(self._answer_in_their_language(name, text, ctx))
        if answer.done():  # answered without waiting (from the caches): no callback to schedule
            self._answering -= 1
        else:
            answer.add_done_callback(self._answered)
        return answer

    def _respond_to(self, url: str) -> Callable[..., Awaitable[object]]:
        """Posts to ``url`` (a response_url) over one kept-alive session: bolt's ``respond`` opens a connection
        per answer, and a burst's thousand connections cost the event loop seconds."""

        async def respond(**message: Any) -> object:
            if self._session is None or self._session.closed:
                self._session = ClientSession()
            return await AsyncWebhookClient(url=url, session=self._session, timeout=30).send_dict(message)

        return respond

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        budget = 0.0 if self._busy() else self.ack_budget  # queued behind others: ack at once
        answer = self._start_answer(body)
        if not answer.done():
            await asyncio.wait({answer}, timeout=budget)
        channel, user = body.get("channel_id"), body.get("user_id")
        if answer.done():
            reply = answer.result()
            await ack(**self._payload(reply))
            if reply.attachments:  # most answers have none: no task to start for them
                self._spawn(upload_attachments(self.client, reply, channel=channel, user=user))
            return
        await ack(text=WORKING, response_type="ephemeral")  # slow: answer through the response_url
        self._spawn(self._follow_up(answer, respond, channel, user))

    def _answered(self, _answer: asyncio.Future[Reply]) -> None:
        self._answering -= 1
        self._room.set()

    async def _answer_in_their_language(self, name: str, text: str, ctx: Context) -> Reply:
        """The user's locale is looked up inside the ack budget, so a slow lookup leads to a follow-up, not a miss."""
        ctx = ctx.for_reader(await self.locales.locale(ctx.user))
        return await self.parts.router.handle_args(name, text, ctx)

    async def _follow_up(
        self,
        answer: Awaitable[Reply],
        respond: Callable[..., Awaitable[object]],
        channel: str | None = None,
        user: str | None = None,
    ) -> None:
        reply = await answer
        # rendered beside the event loop: in a burst, rendering every follow-up there held up acks and /healthz
        payload = await asyncio.get_running_loop().run_in_executor(self._renderer, self._payload, reply)
        await respond(**payload, replace_original=True)
        await upload_attachments(self.client, reply, channel=channel, user=user)

    async def _on_unknown_action(self, ack: AsyncAck, respond: AsyncRespond) -> None:
        """A button from an older version (or one we never made): every click gets an answer."""
        await ack()
        await respond(text=OUT_OF_DATE_BUTTON, response_type="ephemeral", replace_original=False)

    async def _on_share(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        self._spawn(self._share(body, respond))

    async def _share(self, body: Mapping[str, Any], respond: AsyncRespond) -> None:
        """Re-run the private answer's command and post it for the whole channel, then drop the private copy."""
        user = user_id(body)
        router = self.parts.router
        try:  # only a read-only command is run again; one with effects (/subscribe...) is refused, never re-run
            command = share_command(action_value(body), router.specs, self.prefix)
        except BriefbotError as exc:
            await respond(**self._payload(reply_for(exc)), replace_original=False)
            return
        reply = await router.dispatch(command, await self._action_context(body))
        if reply.tone is not Tone.ANSWER:  # nothing worth sharing (the store changed): tell only the clicker
            await respond(**self._payload(reply), replace_original=False)
            return
        message = render_message(reply.shared(), prefix=self.prefix, share=False, shared_by=user)
        await respond(**message, response_type="in_channel", replace_original=False)
        await respond(delete_original=True)
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        await upload_attachments(self.client, reply.shared(), channel=channel, user=user)

    async def _on_choice(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        self._spawn(self._choose(body, respond))

    async def _choose(self, body: Mapping[str, Any], respond: AsyncRespond) -> None:
        """A choice runs as if typed; it replaces the private question it answers."""
        reply = await self.parts.router.handle_text(action_value(body), await self._action_context(body))
        was_private = bool((body.get("container") or {}).get("is_ephemeral"))
        shared = reply.visibility is Visibility.SHARED
        await respond(**self._payload(reply), replace_original=was_private and not shared)

    # --- helpers --------------------------------------------------------------------------------------------

    def _payload(self, reply: Reply) -> dict[str, Any]:
        try:
            message = render_message(reply, prefix=self.prefix, specs=self.parts.router.specs)
        except Exception:  # a rendering bug must still ack, or Slack shows the user a bare failure
            log.exception("could not render %r for Slack", reply.title[:80])
            return {"text": RENDER_FAILED, "response_type": "ephemeral"}
        shared = reply.visibility is Visibility.SHARED
        return {**message, "response_type": "in_channel" if shared else "ephemeral"}

    async def _action_context(self, body: Mapping[str, Any]) -> Context:
        team = (body.get("team") or {}).get("id") or (body.get("enterprise") or {}).get("id")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = user_id(body)
        ctx = self.parts.context(slack_target(team, channel, user), user=user)
        return ctx.for_reader(await self.locales.locale(user))

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Awaitable[None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:  # a follow-up has no caller to raise to
            log.exception("Slack follow-up failed")


def _quiet_token_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that the client we pass wins; it
    does, on purpose (the client carries the configured API URL and retry handlers), so drop that one warning."""
    return not record.getMessage().startswith("As you gave `client` as well")


__all__ = ["SlackService", "build_service", "choose_mode", "slack_target"]
