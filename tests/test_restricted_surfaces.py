"""Every output surface, for a restricted topic, a restricted deal and a mixed event (a restricted event in a public
deal), from a target on the list and one off it: the restricted words never reach the one off it, and do reach the
one on it (so a surface that shows nothing at all cannot pass by accident).

One table: each row is (surface, case). A surface is a function that returns all the text one target gets from it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.alerts import MaintainerAlerts, WatchAlerts
from bot.briefing.snapshot import channel_briefing, take_snapshot
from bot.context import Context, Ports
from bot.ops import store_status
from bot.render_text import render_text
from bot.router import Router
from bot.scheduler.runner import BriefingRunner
from bot.state import State, open_state, watches
from bot.state.subscriptions import Subscription
from bot.store import Store, load_store
from bot.store.file_scope import file_scope
from bot.store.index import EntityKind
from bot.store.live import LiveStore
from bot.targets import Target
from tests.scheduler.helpers import ControlledClock, RecordingDelivery
from tests.store.minimal import write_store

ALLOWED = "slack:T1:CALLOW"
DENIED = "slack:T1:CPUB"
AS_OF = dt.date(2025, 5, 6)
NOON = dt.datetime(2025, 5, 6, 12, 0, tzinfo=dt.UTC)

# What each case must keep from the denied target (the first word is what the allowed target must see somewhere).
SECRETS = {
    "topic": ("Secret Levy Plan", "SECRET-TOPIC-TEXT", "SECRET-TOPIC-BODY"),
    "deal": ("Hidden Harbour Pact", "SECRET-DEAL-TEXT", "Quay Secrets", "Harbour Pact Signed Secretly", "Berth"),
    "event": ("Covert Levy Briefing Held", "SECRET-EVENT-DETAIL"),
}
DEAL_OF = {"topic": "north-south", "deal": "east-west", "event": "north-south"}
TOPIC_OF = {"topic": ("north-south", "levy"), "deal": ("east-west", "quays"), "event": ("north-south", "levy")}


def files(*, after: bool) -> dict[str, str | None]:
    """The minimal store plus the restricted parts; ``after`` is the store a day later (statuses moved, events
    added), so digests and watch alerts have something to tell."""
    status = "in_talks" if after else "open"
    covert = """  - id: covert
    date: 2025-05-04
    title: Covert Levy Briefing Held
    detail: SECRET-EVENT-DETAIL
    topics: [levy]
    people: [ada-lind]
    source: wire
"""
    return {
        "people/ada-lind.md": """\
---
name: Ada Lind
aliases: [lind]
role: Trade minister
affiliation: Government of Northland
party: nl
deals: [north-south, east-west]
topics: [north-south/fish, north-south/levy, east-west/quays]
updated: 2025-05-01
sources: [wire]
---
Ada Lind leads the talks.
""",
        "deals/north-south/topics/levy.md": f"""\
---
title: Secret Levy Plan
aliases: [levy]
track: quotas
status: {status}
summary: SECRET-TOPIC-TEXT on raw exports.
people: [ada-lind]
updated: 2025-05-05
sources: [wire]
restricted_to: ["{ALLOWED}"]
---
SECRET-TOPIC-BODY
""",
        "deals/north-south/events.yaml": """\
updated: 2025-05-05
events:
  - id: offer
    date: 2025-04-30
    title: Northland tables its first offer
    topics: [fish]
    milestones: [quotas/first-offer]
    people: [ada-lind]
    source: wire
"""
        + (covert if after else ""),
        "deals/east-west/deal.yaml": f"""\
title: Hidden Harbour Pact
aliases: [harbour pact]
parties:
  - id: ea
    name: Eastland
  - id: we
    name: Westland
summary: SECRET-DEAL-TEXT about shared quays.
tracks:
  - id: berths
    title: Berth rights
    milestones:
      - id: berth-deal
        title: Berth allocation agreed
        status: in_progress
        source: wire
updated: 2025-05-05
sources: [wire]
restricted_to: ["{ALLOWED}"]
""",
        "deals/east-west/topics/quays.md": f"""\
---
title: Quay Secrets
track: berths
status: {status}
summary: Who berths where.
updated: 2025-05-05
sources: [wire]
---
Quays.
""",
        "deals/east-west/events.yaml": """\
updated: 2025-05-05
events:
"""
        + (
            """  - id: signed
    date: 2025-05-04
    title: Harbour Pact Signed Secretly
    topics: [quays]
    source: wire
"""
            if after
            else "  []\n"
        ),
    }


@dataclass
class Env:
    before: Store
    after: Store
    router: Router
    tmp: Path

    async def ask(self, text: str, target: str, *, live: LiveStore | None = None) -> str:
        store = live.current if live else self.after
        ctx = Context(
            store=store,
            today=AS_OF,
            target=Target.parse(target),
            specs=self.router.specs,
            ports=Ports(live_store=live),
        )
        return render_text(await self.router.handle_text(text, ctx))

    async def state(self, name: str) -> State:
        return await open_state(f"sqlite+aiosqlite:///{self.tmp}/{name}.db")

    def broken_live(self) -> tuple[LiveStore, Path]:
        """The store in service with each restricted part broken on disk, so it is held at its last good version."""
        root = self.tmp / "live"
        shutil.copytree(self.tmp / "after", root)
        live = LiveStore(root)
        return live, root


def _load(root: Path) -> Store:
    store = load_store(root)
    assert not store.problems, store.problems
    return store


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, router: Router) -> Env:
    tmp = tmp_path_factory.mktemp("restricted")
    before = _load(write_store(tmp / "before", files(after=False)))
    after = _load(write_store(tmp / "after", files(after=True)))
    return Env(before, after, router, tmp)


# --- the surfaces: each returns everything ``target`` is shown ---------------------------------------------------

Surface = Callable[[Env, str, str], Awaitable[str]]
COMMANDS = {
    "status": {"topic": "/status levy deal:north-south", "deal": "/status quays deal:east-west"},
    "who": {"topic": "/who ada", "deal": "/who ada", "event": "/who ada"},
    "deal": {"topic": "/deal north-south", "deal": "/deal east-west", "event": "/deal north-south"},
    "timeline": {
        "topic": "/timeline levy deal:north-south",
        "deal": "/timeline deal:east-west",
        "event": "/timeline deal:north-south",
    },
    "brief": {
        "topic": "/brief north-south since:2025-04-01",
        "deal": "/brief east-west since:2025-04-01",
        "event": "/brief north-south since:2025-04-01",
    },
    "search": {"topic": "/search levy", "deal": "/search harbour", "event": "/search covert"},
    "did-you-mean": {"topic": "/status levvy deal:north-south", "deal": "/deal hiden harbor pact"},
}


def answer(name: str) -> Surface:
    async def run(env: Env, target: str, case: str) -> str:
        return await env.ask(COMMANDS[name][case], target)

    return run


async def autocomplete(env: Env, target: str, case: str) -> str:
    index = env.after.index
    typed = {"topic": "lev", "deal": "hid"}[case]
    found = [
        *index.suggest(EntityKind.DEAL, typed, viewer=target),
        *index.suggest(EntityKind.DEAL, "", viewer=target),
        *index.suggest(EntityKind.TOPIC, typed, deal_id=DEAL_OF[case], viewer=target),
        *index.suggest(EntityKind.TOPIC, "", deal_id=DEAL_OF[case], viewer=target),
        *index.suggest(EntityKind.TOPIC, "", viewer=target),
    ]
    return "\n".join(e.label for e in found)


async def scheduled_briefing(env: Env, target: str, case: str) -> str:
    """What the scheduler posts to a subscribed target (its first briefing: the store's dated changes)."""
    clock = ControlledClock(NOON)
    delivery = RecordingDelivery(clock)
    state = await env.state(f"brief-{case}-{target.rsplit(':', 1)[1]}")
    try:
        runner = BriefingRunner(
            state=state,
            store=lambda: env.after,
            deliveries={"slack": delivery},
            claimant="test",
            now=clock.now,
            sleep=clock.sleep,
        )
        sub = Subscription(target, DEAL_OF[case], "08:00", "UTC", ("tue",))
        await runner.run(sub, NOON)
    finally:
        await state.close()
    return "\n".join(render_text(p.reply) for p in delivery.posts)


async def digest(env: Env, target: str, case: str) -> str:
    """The change digest against the snapshot of that target's previous briefing."""
    deal_id = DEAL_OF[case]
    previous = take_snapshot(env.before, env.before.deals[deal_id], target)
    try:
        reply, _ = channel_briefing(
            env.after, env.after.deals[deal_id], AS_OF, viewer=target, previous=previous, previous_date=AS_OF
        )
    except LookupError as exc:  # a deal that may not be shown there is refused, not composed
        return str(exc)
    return render_text(reply)


async def watch_alert(env: Env, target: str, case: str) -> str:
    """A watch set while the store was as before, alerting ``target`` when the topic changes."""
    clock = ControlledClock(NOON)
    delivery = RecordingDelivery(clock)
    state = await env.state(f"watch-{case}-{target.rsplit(':', 1)[1]}")
    current = env.before
    try:
        alerts = WatchAlerts(
            open_state=lambda: _ready(state),
            store=lambda: current,
            deliveries={"slack": delivery},
            claimant="test",
            now=clock.now,
            sleep=clock.sleep,
        )
        deal_id, topic_id = TOPIC_OF[case]
        await watches.add(state, target, deal_id, topic_id, created_by="U1", now=NOON)
        await alerts.check(env.before)
        await alerts.check(env.after)
    finally:
        await state.close()
    return "\n".join(render_text(p.reply) + p.key for p in delivery.posts)


async def _ready(state: State) -> State:
    return state


BREAKS = {  # each restricted part made invalid on disk, with its restricted words in the refused values
    "topic": ("deals/north-south/topics/levy.md", "status: in_talks", "status: Secret Levy Plan"),
    "deal": ("deals/east-west/deal.yaml", "updated: 2025-05-05", "updated: Hidden Harbour Pact"),
    "event": ("deals/north-south/events.yaml", "date: 2025-05-04", "date: Covert Levy Briefing Held"),
}


def _break(root: Path, case: str) -> str:
    path, old, new = BREAKS[case]
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")
    return path


async def health(env: Env, target: str, case: str) -> str:
    live, root = env.broken_live()
    live.apply([_break(root, case)])
    assert live.held, "the broken file should be held"
    try:
        return await env.ask("/health", target, live=live)
    finally:
        shutil.rmtree(root)


async def http_status(env: Env, target: str, case: str) -> str:
    """GET /status has no viewer: it is judged as a target off every list."""
    live, root = env.broken_live()
    live.apply([_break(root, case)])
    try:
        return json.dumps(store_status(live))
    finally:
        shutil.rmtree(root)


async def maintainers_alert(env: Env, target: str, case: str) -> str:
    """The maintainers' channel (``target``) told that a restricted file is held back."""
    clock = ControlledClock(NOON)
    delivery = RecordingDelivery(clock)
    state = await env.state(f"maint-{case}-{target.rsplit(':', 1)[1]}")
    live, root = env.broken_live()
    alerts = MaintainerAlerts(
        Target.parse(target),
        {"slack": delivery},
        asyncio.get_running_loop(),
        open_state=lambda: _ready(state),
        now=clock.now,
        scope_of=lambda path: file_scope(live, path),
    )
    live.subscribe(alerts)
    try:
        live.apply([_break(root, case)])
        await alerts.drain()
    finally:
        await state.close()
        shutil.rmtree(root)
    return "\n".join(render_text(p.reply) + p.key for p in delivery.posts)


async def http_feeds(env: Env, target: str, case: str) -> str:
    """The Atom feeds and the calendar (bot.feeds), fetched over loopback: no viewer, like HTTP /status."""
    import httpx
    from aiohttp import web

    from bot.feeds.routes import mount as mount_feeds

    http = web.Application()
    mount_feeds(http, LiveStore(env.tmp / "after"), lambda: AS_OF)
    runner = web.AppRunner(http)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    deal_id = DEAL_OF[case]
    paths = [f"/feeds/{deal_id}.atom", f"/feeds/{deal_id}.ics"]
    paths += [f"/feeds/{deal_id}/{t}.atom" for t in ("fish", "levy", "quays")]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            return "\n".join([(await client.get(path)).text for path in paths])
    finally:
        await runner.cleanup()


SURFACES: dict[str, Surface] = {
    **{name: answer(name) for name in COMMANDS},
    "autocomplete": autocomplete,
    "scheduled briefing": scheduled_briefing,
    "digest": digest,
    "watch alert": watch_alert,
    "/health": health,
    "HTTP /status": http_status,
    "maintainers' alert": maintainers_alert,
    "HTTP feeds": http_feeds,
}
# /health and HTTP /status rows pass with the health work (bot/ops.py, handlers/health.py); were it reverted, mark
# them pytest.mark.xfail(strict=True, reason=...) here.
KNOWN_LEAKS: dict[tuple[str, str], pytest.MarkDecorator] = {}  # (surface, case) -> why it is expected to leak today
# /deal shows the deal's tracks and milestones, not its topics or events: nothing of these cases to see anywhere
NOTHING_TO_SEE = {("deal", "topic"), ("deal", "event")}
NO_ALLOWED_VIEW = {"HTTP /status", "HTTP feeds"}  # no target at all: only the "off the list" half applies


def rows(*, allowed: bool) -> list[object]:
    out: list[object] = []
    for surface in SURFACES:
        if allowed and surface in NO_ALLOWED_VIEW:
            continue
        for case in SECRETS:
            if case not in COMMANDS.get(surface, SECRETS) or (surface == "autocomplete" and case == "event"):
                continue  # no such input: autocomplete and did-you-mean name topics and deals, not events
            if allowed and (surface, case) in NOTHING_TO_SEE:
                continue
            marks = [] if allowed else [KNOWN_LEAKS[(surface, case)]] if (surface, case) in KNOWN_LEAKS else []
            out.append(pytest.param(surface, case, marks=marks, id=f"{surface}-{case}"))
    return out


@pytest.mark.parametrize(("surface", "case"), rows(allowed=False))
async def test_a_target_off_the_list_never_sees_it(env: Env, surface: str, case: str) -> None:
    shown = await SURFACES[surface](env, DENIED, case)
    leaked = [s for s in SECRETS[case] if s.casefold() in shown.casefold()]
    assert not leaked, f"{surface} showed {leaked} to {DENIED}:\n{shown}"


@pytest.mark.parametrize(("surface", "case"), rows(allowed=True))
async def test_a_target_on_the_list_sees_it(env: Env, surface: str, case: str) -> None:
    shown = await SURFACES[surface](env, ALLOWED, case)
    assert any(s.casefold() in shown.casefold() for s in SECRETS[case]), f"{surface} showed {ALLOWED}:\n{shown}"
