"""The front door of Slack HTTP mode: refuse unsigned or malformed requests before bolt sees them.

Bolt parses the body before it checks the signature, and its checks assume well-formed input, so junk from
anyone on the internet (a float timestamp, a non-ASCII signature, invalid UTF-8, ``payload=[1]``, a broken JSON
body, ``Content-Encoding: gzip`` on a plain body) would end in a 500 and a traceback per request. This guard
checks the headers' shape, the timestamp and the signature first (401), then that the body is text bolt can
parse into an object (400), and logs each kind of refusal at most once a minute, without the untrusted input.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiohttp import web
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot.throttled_log import ThrottledLog

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Cause = Literal[
    "content encoding",
    "unsupported charset",
    "missing signature headers",
    "malformed timestamp",
    "malformed signature",
    "stale timestamp",
    "unreadable body",
    "body is not UTF-8",
    "signature mismatch",
    "body is not a JSON object or form",
]

MAX_AGE = 300  # seconds, as Slack documents and bolt enforces
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; 12 digits is year 33658, and int() of it cannot overflow
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_UTF8 = ("utf-8", "utf8")
_UNREADABLE = ("content encoding", "unreadable body")
# The body as bolt would parse it, kept on a request the guard let through: the handler need not parse it again.
SLACK_BODY = web.RequestKey("slack_body", dict[str, Any])


class SlackRequestGuard:
    """Wraps the Slack route's handler; only a signed, fresh, parseable request reaches it."""

    def __init__(self, handler: Handler, signing_secret: str, *, throttled: ThrottledLog | None = None) -> None:
        self.handler = handler
        self.verifier = SignatureVerifier(signing_secret)
        self.log = throttled or ThrottledLog(log)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        refusal = await self._check(request)
        if refusal is None:
            return await self.handler(request)
        status, cause = refusal
        self.log.warning(cause, "Slack HTTP: refused a request from %s: %s", request.remote or "unknown", cause)
        response = web.json_response({"error": cause}, status=status)
        if cause in _UNREADABLE:
            return await _answer_and_close(request, response)
        return response

    async def _check(self, request: web.Request) -> tuple[int, Cause] | None:
        # Slack never compresses requests; aiohttp would try to inflate the body and fail mid-read.
        if request.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
            return 400, "content encoding"
        if (request.charset or "utf-8").lower() not in _UTF8:  # bolt decodes with it; an unknown one raises
            return 400, "unsupported charset"
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if timestamp is None or signature is None:
            return 401, "missing signature headers"
        if not _TIMESTAMP.fullmatch(timestamp):
            return 401, "malformed timestamp"
        if not _SIGNATURE.fullmatch(signature):
            return 401, "malformed signature"
        if abs(time.time() - int(timestamp)) > MAX_AGE:
            return 401, "stale timestamp"
        try:
            raw = await request.read()
        except web.RequestPayloadError:  # a broken transfer (an over-large body is aiohttp's own 413)
            return 400, "unreadable body"
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return 400, "body is not UTF-8"
        if not self.verifier.is_valid(body, timestamp, signature):
            return 401, "signature mismatch"
        content_type = (request.headers.get("Content-Type") or "").split(";")[0] or None
        try:
            parsed: object = parse_body(body, content_type)  # bolt's own parser; typed dict, but JSON may be a list
        except (ValueError, RecursionError):  # json.JSONDecodeError is a ValueError
            return 400, "body is not a JSON object or form"
        if not isinstance(parsed, dict):
            return 400, "body is not a JSON object or form"
        request[SLACK_BODY] = parsed
        return None


async def _answer_and_close(request: web.Request, response: web.Response) -> web.Response:
    """Answer, then drop the connection. After a handler returns, aiohttp drains the unread body ("lingering"),
    and a body it cannot decode fails there with a traceback in the log; a closed connection is not drained."""
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    request.protocol.force_close()  # the answer is already in the transport's buffer, which close() flushes
    return response


def guard(handler: Handler, signing_secret: str) -> Handler:
    """The Slack route's handler behind the guard: ``router.add_post(path, guard(handler, secret))``."""
    return SlackRequestGuard(handler, signing_secret).handle  # a coroutine function, as aiohttp requires


__all__ = ["SLACK_BODY", "SlackRequestGuard", "guard"]
