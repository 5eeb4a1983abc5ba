"""One answer for ``briefbot ask``, without starting (or importing) the app when the store alone can answer.

``bot.app`` brings the HTTP server, the state database and the scheduler, none of which a lookup needs, and
importing them costs more than the answer. Commands that read only the store are answered from a router and a
context built here; anything else (subscriptions, the briefing with its options, health, reload) goes through
the app exactly as chat does.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.clock import Clock
from bot.commands import Command
from bot.config import Settings
from bot.context import Context, Ports
from bot.errors import BriefbotError, UnknownCommand
from bot.reply import Reply
from bot.router import Router
from bot.store import Store
from bot.targets import Target

# read the store (and its git history), nothing else
STORE_ONLY = frozenset({"status", "who", "deal", "timeline", "search", "help", "changes"})


def answer(settings: Settings, text: str, target: Target, today: dt.date | None) -> Reply:
    """Answer ``text`` as ``target`` would be answered; raises :class:`~bot.errors.UnknownCommand` only."""
    from handlers import ALL_COMMANDS

    router = Router(ALL_COMMANDS, prefix=settings.slack.command_prefix)
    command: Command | None
    try:
        command = router.parse(text)
    except UnknownCommand:
        raise
    except BriefbotError:
        command = None  # answered below, with the same wording a chat user would see
    if command is not None and command.name not in STORE_ONLY:
        from bot.app import App

        return asyncio.run(App(settings).ask(text, target, today=today))
    return asyncio.run(router.handle_text(text, _context(settings, router, target, today)))


def _context(settings: Settings, router: Router, target: Target, today: dt.date | None) -> Context:
    from bot.store.cache import cached_store
    from bot.store.history import GitHistory

    store = cached_store(settings.store, lambda: _load(settings), max_bytes=settings.max_file_bytes)
    history = GitHistory(store.root, max_bytes=settings.max_file_bytes) if settings.git_history else None
    return Context(
        store=store,
        today=today or Clock(as_of=settings.as_of, timezone=settings.timezone).today(),  # App's one clock
        target=target,
        default_deal=settings.default_deals.get(str(target)),
        is_admin=target.platform == "console",  # as App.context: the local terminal is its operator
        specs=router.specs,
        prefix=router.prefix,
        ports=Ports(history=history),
        language=settings.channel_languages.get(str(target), settings.language),
    )


def _load(settings: Settings) -> Store:
    from bot.store.live import LiveStore

    return LiveStore(settings.store, max_bytes=settings.max_file_bytes, warm=False).current  # no index it skips
