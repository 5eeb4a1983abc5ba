"""What a handler knows about the request besides the command itself, and the typed ports it may use.

Handlers never see the App: everything they may touch beyond the store comes through :class:`Ports`, each port
``None`` (or empty) when this process has no such part (a one-shot ``briefbot ask`` has no scheduler).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.commands import Command, CommandSpec
from bot.i18n import normalize
from bot.targets import CONSOLE, Target

if TYPE_CHECKING:  # kept out of one-shot commands' imports: SQLAlchemy and the live store are slow to load
    from bot.briefing import BriefingOptions
    from bot.config import SubscriptionConfig
    from bot.delivery import Delivery
    from bot.state import State
    from bot.store import Store
    from bot.store.history import DatedStore, Revision
    from bot.store.live import LiveStore

log = logging.getLogger(__name__)


class SchedulerControl(Protocol):
    """What a handler may ask of the running scheduler: apply a subscription change on this replica now."""

    async def reload(self) -> None: ...


class StoreHistory(Protocol):
    """The store's git history (``bot.store.history.GitHistory``): a document's revisions, the store at a day."""

    async def revisions(self, path: str) -> list[Revision]: ...

    async def store_at(self, day: dt.date, *, live: Store | None = None) -> DatedStore | None: ...


# The state database for the length of a command: the running bot's own, or one opened and closed around it.
StateScope = Callable[[], AbstractAsyncContextManager["State"]]


@dataclass
class Ports:
    """Filled by the composition root; ``scheduler`` is set once the scheduler is built."""

    clock: Clock = field(default_factory=Clock)
    state: StateScope | None = None
    scheduler: SchedulerControl | None = None
    deliveries: Mapping[str, Delivery] = field(default_factory=dict)
    live_store: LiveStore | None = None
    briefing: BriefingOptions | None = None
    configured_subscriptions: Sequence[SubscriptionConfig] = ()  # read-only from chat
    timezone: str = "UTC"  # for subscriptions made without one
    history: StoreHistory | None = None  # the store's git history, when it is a git checkout
    pinned_commit: str | None = None  # an answer as of a day: the commit its store was read at

    @property
    def commit(self) -> str | None:
        """The store's git commit, when it is a git checkout."""
        if self.pinned_commit:
            return self.pinned_commit
        return self.live_store.commit if self.live_store is not None else None


@dataclass(frozen=True)
class Context:
    store: Store
    today: dt.date  # the "as of" date when the command gives none (the content may be frozen at a date)
    target: Target = CONSOLE
    user: str | None = None
    default_deal: str | None = None  # the channel's default deal, from config or state
    is_admin: bool = False
    specs: dict[str, CommandSpec] = field(default_factory=dict)  # every command, for /help
    prefix: str = ""  # the configured command prefix ("trade-" makes /status into /trade-status)
    ports: Ports = field(default_factory=Ports)
    store_note: str | None = None  # set when the store is the one of a past day: the footer says which
    language: str = "en"  # the reader's language when the platform sends it, else the channel's (bot.i18n)

    def as_of(self, command: Command) -> dt.date:
        return command.date_option("date") or self.today

    async def dated(self, command: Command) -> Context:
        """This context with the store as it was on the command's ``date:``, so "as of 1 March" answers with what
        the team knew then; unchanged without ``date:``, without git history, or before the first commit."""
        day = command.date_option("date")
        history = self.ports.history
        if day is None or history is None:
            return self
        try:
            dated = await history.store_at(day, live=self.store)
        except Exception:  # history is a bonus: today's store still answers
            log.warning("could not read the store as of %s from git; answering from today's", day, exc_info=True)
            return self
        if dated is None or dated.live:
            return self
        note = f"The store as committed on {dated.commit.day:%d %b %Y} ({dated.commit.sha[:12]})"
        return replace(
            self, store=dated.store, ports=replace(self.ports, pinned_commit=dated.commit.sha), store_note=note
        )

    def for_reader(self, locale: str | None) -> Context:
        """This context in the reader's language, when the platform sent a locale Briefbot speaks."""
        language = normalize(locale)
        return replace(self, language=language) if language else self

    @property
    def viewer(self) -> str:
        """The target string that restricted documents are checked against."""
        return str(self.target)
