"""Operator endpoints on the app's one HTTP server: health, store status, reload and git sync.

``briefbot status`` and ``briefbot reload`` talk to these. The server is shared with Slack HTTP mode, which needs a
public bind, so the public surface is exactly the platform routes, ``/healthz`` and the feeds (:mod:`bot.feeds`,
which show only what every channel may see): ``/status``, ``/reload``,
``/git-sync`` and ``/metrics`` (mounted by :mod:`bot.metrics`) need ``Authorization: Bearer
$BRIEFBOT_OPERATOR_TOKEN`` when a token is set, and are refused (403) off loopback when none is; any other path
answers 404. A request that carries proxy headers (``Forwarded``,
``X-Forwarded-For``, ``X-Real-IP``) counts as off loopback, since a reverse proxy on the same host connects from it.
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.credentials import Secrets
from bot.health import Health
from bot.store.file_scope import file_scope, may_see
from bot.store.gitsync import GitError, GitSync
from bot.store.live import LiveStore
from bot.throttled_log import ThrottledLog

log = logging.getLogger(__name__)

STATUS_PATH = "/status"
RELOAD_PATH = "/reload"
GIT_SYNC_PATH = "/git-sync"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"  # bot.metrics mounts it; guarded here like the other operator endpoints
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
NO_TOKEN_OFF_LOOPBACK = "operator endpoints answer only on loopback unless BRIEFBOT_OPERATOR_TOKEN is set"
BAD_TOKEN = "operator endpoints need Authorization: Bearer <BRIEFBOT_OPERATOR_TOKEN>"


def store_status(live: LiveStore, viewer: str | None = None) -> dict[str, Any]:
    """What ``/status`` and ``briefbot status`` report. Never includes secrets.

    A restricted file's problems quote its values, so held-back restricted files and their problems are left out
    unless ``viewer`` may see them, and only counted (``restricted_held``, ``restricted_problems``). The HTTP
    endpoint has no viewer: it shows only the counts.
    """
    store = live.current
    held = sorted(live.held.values(), key=lambda h: h.path)
    shown_held = [h for h in held if may_see(file_scope(live, h.path), viewer)]
    shown_problems = [p for p in store.problems if may_see(file_scope(live, p.path), viewer)]
    return {
        "store": str(live.root),
        "documents": len(store.documents),
        "deals": sorted(store.deals),
        "loaded_at": store.loaded_at.isoformat(),
        "reloads": live.reloads,
        "commit": live.commit,
        "problems": [str(p) for p in shown_problems],
        "restricted_problems": len(store.problems) - len(shown_problems),
        "held": [
            {
                "path": h.path,
                "serving_last_good": h.serving_last_good,
                "since": h.since.isoformat(),
                "problems": [str(p) for p in h.problems],
            }
            for h in shown_held
        ],
        "restricted_held": len(held) - len(shown_held),
    }


class _Env(enum.Enum):
    TOKEN = "read BRIEFBOT_OPERATOR_TOKEN or BRIEFBOT_OPERATOR_TOKEN_FILE"


FROM_ENV = _Env.TOKEN  # mount()'s default, until the app passes its Secrets' token


def operator_headers(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Headers for a request to the operator endpoints (what ``briefbot status`` and ``reload`` send)."""
    token = Secrets.from_env(dict(environ) if environ is not None else None).operator_token
    return {"Authorization": f"Bearer {token}"} if token else {}


def is_loopback(remote: str | None, headers: Mapping[str, str]) -> bool:
    """True for a direct connection from this host; a proxied one (proxy headers present) is not."""
    if remote is None or any(name in headers for name in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(remote.split("%")[0])  # drop an IPv6 zone
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _bearer_matches(header: str | None, token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Bytes, so a non-ASCII header cannot make compare_digest raise; aiohttp decodes with surrogateescape.
    return hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8"))


def _refuse(status: int, reason: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response({"error": reason}, status=status, headers=headers)


def mount(
    app: web.Application,
    live: LiveStore,
    git_sync: GitSync | None = None,
    *,
    operator_token: str | _Env | None = FROM_ENV,
    health: Health | None = None,
) -> None:
    """Add the health and operator routes, and the middleware that guards them. Routes that other parts mount
    later (Slack HTTP mode) stay public: they authenticate their own requests. ``/healthz`` answers 503 while any
    part in ``health`` is down, naming each part, its state and why."""
    liveness = health or Health()
    token = Secrets.from_env().operator_token if isinstance(operator_token, _Env) else operator_token
    guarded = {STATUS_PATH, RELOAD_PATH, METRICS_PATH} | ({GIT_SYNC_PATH} if git_sync is not None else set())
    refusals = ThrottledLog(log)

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.match_info.http_exception is not None:  # no such route, or not with this method
            return _refuse(404, "not found")
        resource = request.match_info.route.resource
        if resource is None or resource.canonical not in guarded:  # /healthz and the platforms' own routes
            return await handler(request)
        if token is not None:
            if _bearer_matches(request.headers.get("Authorization"), token):
                return await handler(request)
            refusals.warning("token", "operator endpoint %s refused: missing or wrong token", resource.canonical)
            return _refuse(401, BAD_TOKEN, {"WWW-Authenticate": "Bearer"})
        if is_loopback(request.remote, request.headers):
            return await handler(request)
        refusals.warning("remote", "%s refused off loopback: no operator token set", resource.canonical)
        return _refuse(403, NO_TOKEN_OFF_LOOPBACK)

    async def healthz(request: web.Request) -> web.Response:
        healthy, body = await liveness.report_json()
        body["documents"] = len(live.current.documents)
        return web.json_response(body, status=200 if healthy else 503)

    async def status(request: web.Request) -> web.Response:
        return web.json_response(store_status(live))

    async def reload(request: web.Request) -> web.Response:
        await asyncio.to_thread(live.reload)
        return web.json_response(store_status(live))

    async def pull(request: web.Request) -> web.Response:
        assert git_sync is not None
        try:
            changed = await git_sync.sync()
        except GitError as exc:
            return web.json_response({"error": str(exc)}, status=502)
        return web.json_response({"commit": live.commit, "changed": changed})

    if git_sync is not None:
        app.router.add_post(GIT_SYNC_PATH, pull)  # a push webhook (or a cron) can call this, with the token
    app.router.add_get(HEALTH_PATH, healthz)
    app.router.add_get(STATUS_PATH, status)
    app.router.add_post(RELOAD_PATH, reload)
    app.middlewares.append(gate)
